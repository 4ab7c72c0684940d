"""A small archive of two text extracts in a fresh store, for the builder and snapshot tests."""

from __future__ import annotations

import shutil

import pytest

from granska.settings import Settings
from tests.conftest import TXT

FEB = "halland-regionkontoret-manadsrapport-2020-02.txt"
SEP = "halland-regionkontoret-manadsrapport-2018-09.txt"


@pytest.fixture()
def archive(tmp_path):
    folder = tmp_path / "arkiv"
    folder.mkdir()
    for name in (FEB, SEP):
        shutil.copy(TXT / name, folder / name)
    return folder, Settings.from_env(store=tmp_path / "store")
