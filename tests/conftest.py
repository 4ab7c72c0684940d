"""Shared test set-up: the network guard, and the sample archive ingested once per session.

The guard is a Python audit hook that fails any connection (or name lookup) to a non-loopback
address, so a hidden download anywhere in the stack turns into a failing test instead of a
silent dependency on the network.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path

import pytest

from granska import offline

offline.apply()  # before any test module imports chromadb, gradio, huggingface_hub or llama-index

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared" / "corpus"  # the extra real documents beside the repo, when present (tests only)
REAL = SHARED / "real"
REAL_MORE = SHARED / "real-more"
# The sample reports' text extracts ship with the tests, so every test over them runs on any clone.
TXT = ROOT / "tests" / "fixtures" / "sample-txt"

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NetworkBlocked(RuntimeError):
    pass


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host)
    if host in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(event: str, args: tuple) -> None:
    if event == "socket.getaddrinfo":
        host = args[0]
        if not _is_loopback(host):
            raise NetworkBlocked(f"test tried to resolve {host!r}: granska must work offline")
    elif event == "socket.connect":
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) == socket.AF_UNIX:
            return
        host = address[0] if isinstance(address, tuple) else address
        if not _is_loopback(host):
            raise NetworkBlocked(f"test tried to connect to {address!r}: granska must work offline")


def pytest_configure(config: pytest.Config) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    sys.addaudithook(_guard)


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory):
    """Settings for a store holding the five sample reports, ingested once for the whole session."""
    from granska.index.builder import ArchiveWriter
    from granska.settings import Settings

    store = tmp_path_factory.mktemp("sample-store")
    settings = Settings.from_env(store=store)
    report = ArchiveWriter(settings, progress=False).ingest([SAMPLE])
    assert not report.failed, report.failed
    assert len(report.added) == 5
    return settings


@pytest.fixture(scope="session")
def engine(sample_store):
    from granska.app.engine import Engine

    return Engine(sample_store)
