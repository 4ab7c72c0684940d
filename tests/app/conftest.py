"""Helpers for the login tests: the real `granska` CLI in a subprocess, and `granska users add` with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

Run = Callable[..., subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def granska_cli() -> Run:
    """`granska_cli(*args, stdin="", env={})`: the installed console script, as a user runs it."""

    def run(*args: str, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
        exe = Path(sys.executable).with_name("granska")
        return subprocess.run([str(exe), *args], input=stdin, capture_output=True, text=True, timeout=300,
                              env={**os.environ, **(env or {})})

    return run


@pytest.fixture(scope="session")
def add_user(granska_cli: Run) -> Run:
    """`add_user(users_file, name, role, password)`: `granska users add … --password-stdin`."""

    def add(users: Path, name: str, role: str, password: str) -> subprocess.CompletedProcess:
        return granska_cli("users", "add", name, "--role", role, "--users-file", str(users), "--password-stdin",
                           stdin=password + "\n")

    return add
