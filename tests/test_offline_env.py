"""`import granska` leaves the environment alone; the entry points set the offline switches.

Each check runs in a fresh interpreter whose environment lacks the switches, since this test
process has applied them already (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from granska.offline import _SWITCHES

# Libraries that read the switches when imported: an entry point must apply them before any of these.
NETWORK_LIBRARIES = ("chromadb", "gradio", "huggingface_hub", "llama_index", "sentence_transformers", "transformers")


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in _SWITCHES and not k.startswith("GRANSKA_")}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=180, env=env)


def test_importing_the_package_changes_no_environment_variable():
    done = _python(
        "import os; before = dict(os.environ)\n"
        "import granska, granska.app.engine, granska.index.builder, granska.index.store, granska.cli\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "assert not changed, changed"
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_entry_point_modules_import_no_network_library_before_applying_the_switches():
    """Their `main` applies the switches first, which is only in time if importing them did not
    already import a library that reads the switches at import."""
    done = _python(
        "import sys, json, granska.cli, granska.eval.fit, granska.eval.ingest_bench\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))))",
        *NETWORK_LIBRARIES,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []


def test_the_cli_applies_the_switches_before_its_commands(tmp_path):
    done = _python(
        "import json, os, sys\n"
        "from granska import cli\n"
        "store, names = sys.argv[1], sys.argv[2:]\n"
        "sys.argv = ['granska', 'docs', 'list', '--store', store]\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps({k: os.environ.get(k) for k in names}))",
        str(tmp_path / "store"),
        *_SWITCHES,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == _SWITCHES


def test_granska_help_runs_without_the_switches_in_the_environment():
    done = _python("import sys; from granska import cli; sys.argv = ['granska', '--help']; cli.main()")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ingest" in done.stdout
