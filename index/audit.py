"""The audit trail: who changed the archive, when, and what, in `<store>/audit.jsonl`.

Every upload, removal, metadata correction and (re-)ingest is appended as one JSON object per
line, oldest first: `time` (ISO 8601, UTC), `user` (the logged-in user; `cli:` + the OS user for
the command line; `web:anonym` for the web app without login), `action` (upload | ingest |
reingest | remove | correct), `document` (file name), `sha256` (the file's content hash, when
there is a file) and `changes` (field -> [old, new]). Why a separate append-only file rather than
fields in the registry: the registry holds the current state and forgets what it replaces, while
auditors ask who put a figure in the archive or changed a report's period after the fact.

Appends take their own lock file and are flushed and fsynced, so writers in several processes
(the CLI beside the web app) never interleave or lose lines on a crash; a torn last line from a
power cut is skipped on reading.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock

log = logging.getLogger(__name__)

Action = Literal["upload", "ingest", "reingest", "remove", "correct"]
ANONYMOUS = "web:anonym"
_LOCK_WAIT = 30.0


def cli_user() -> str:
    """The audit name of whoever runs a command: the OS account, marked as coming from the CLI."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry and no LOGNAME (some containers)
        return f"cli:uid-{os.getuid()}"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class AuditEntry:
    user: str
    action: Action
    document: str
    sha256: str | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    time: str = field(default_factory=now)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"time": data.pop("time"), **data}

    def changes_text(self) -> str:
        """The changes for people: "organisation: A → B", a new document's values alone, and
        without the content hash (shown beside it)."""
        return "; ".join(f"{k}: {new}" if old is None else f"{k}: {old} → {new}"
                         for k, (old, new) in self.changes.items() if k != "sha256")


class AuditLog:
    """The store's audit file: append entries, read them back."""

    def __init__(self, store: Path) -> None:
        self.path = Path(store) / "audit.jsonl"
        self._lock = FileLock(str(Path(store) / ".audit.lock"), timeout=_LOCK_WAIT)

    def append(self, entries: Iterable[AuditEntry]) -> None:
        lines = "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in entries)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())

    def read(self, limit: int | None = None) -> list[AuditEntry]:
        """The entries oldest first; with `limit`, the newest `limit` of them."""
        if not self.path.exists():
            return []
        entries = []
        for line_no, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                entries.append(AuditEntry(**data))
            except (json.JSONDecodeError, TypeError) as exc:
                log.warning("%s:%d: unreadable audit line skipped (%s)", self.path, line_no, exc)
        return entries[-limit:] if limit else entries


def period_text(start: int, end: int) -> str:
    """A period as a correction writes it ("2024", "2024-08", "2024-03..2024-08"), so old and new
    values in `changes` read alike."""
    if start % 100 == 1 and end // 100 == start // 100:
        return str(end // 100) if end % 100 == 12 else f"{end // 100}-{end % 100:02d}"
    return f"{start // 100}-{start % 100:02d}..{end // 100}-{end % 100:02d}"


def metadata_of(record) -> dict[str, str]:
    """A registry record's organisation, report type and period, as `changes` compares them."""
    return {"organisation": record.organisation, "report_type": record.report_type,
            "period": period_text(record.period_start, record.period_end)}


def differences(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """field -> [old, new] for every field of `new` whose value differs from `old`'s."""
    return {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
