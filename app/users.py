"""The users file: who may log in, with which role, and a salted password hash, never the password.

`GRANSKA_AUTH=PATH` names the file; `granska users add NAME --role reader|editor` writes it. One
line per user, `name:role:scrypt$n$r$p$salt$hash` (blank lines and `#` comments are kept). Why
scrypt: it is in the standard library (`hashlib.scrypt`) and memory-hard, so a stolen users file
is expensive to brute-force even on GPUs; the parameters are stored per line so they can be raised
later without invalidating existing entries. A file in the old "user:password" format is refused
at load rather than silently accepted, since it holds passwords in plain text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Role = Literal["reader", "editor"]
ROLES: tuple[Role, ...] = ("reader", "editor")
SCHEME = "scrypt"
# n=2**14, r=8: 16 MiB of memory and ~50 ms per check on one core (the interactive-login level of
# the scrypt paper); p=1 because a login is one request, not a batch.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD = 8
_MAX_MEM = 64 * 1024 * 1024  # allows files written with up to four times today's n


class UsersFileError(ValueError):
    """A users file that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str  # scrypt$n$r$p$salt_b64$hash_b64

    @property
    def can_edit(self) -> bool:
        """Editors may upload, remove and correct documents; readers only read."""
        return self.role == "editor"

    def line(self) -> str:
        return f"{self.name}:{self.role}:{self.password_hash}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A fresh salt and the scrypt key of the password, with the parameters that made it."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                         maxmem=_MAX_MEM, dklen=KEY_BYTES)
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def _parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    scheme, n, r, p, salt, key = encoded.split("$")
    if scheme != SCHEME:
        raise ValueError(scheme)
    return int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(key, validate=True)


def verify_password(password: str, encoded: str) -> bool:
    """Whether the password derives the stored key; compared in constant time."""
    try:
        n, r, p, salt, key = _parse_hash(encoded)
        derived = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=len(key))
    except ValueError:  # a malformed entry (checked at load) or parameters beyond maxmem
        return False
    return hmac.compare_digest(derived, key)


def check_name(name: str) -> str:
    """A user name that fits the file format and the login form (which strips spaces)."""
    if not name or name != name.strip() or ":" in name or any(ch.isspace() for ch in name) or name.startswith("#"):
        raise UsersFileError(f"Ogiltigt användarnamn {name!r}: använd ett ord utan mellanslag och kolon, t.ex. anna.")
    return name


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise UsersFileError(f"Okänd roll {role!r}: välj reader (läsa, söka, exportera) eller editor (även läsa in, ta bort och rätta dokument).")
    return role  # type: ignore[return-value]


def _plain_text(path: Path, line_no: int) -> UsersFileError:
    return UsersFileError(
        f"{path}:{line_no}: raden har ett lösenord i klartext (gammalt format 'namn:lösenord'), vilket inte längre "
        "accepteras. Skapa användaren på nytt med `granska users add NAMN --role reader|editor "
        f"--users-file {path}`; lösenordet sparas då som scrypt-hash och raden ersätts. "
        "(Plain-text passwords are refused: re-create each user with `granska users add`.)"
    )


def parse_line(path: Path, line_no: int, line: str) -> User | None:
    """One line of the file: a user, or None for a blank line or comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    parts = text.split(":", 2)
    if len(parts) < 3 or not parts[2].startswith(SCHEME + "$"):
        raise _plain_text(path, line_no)
    name, role, encoded = parts
    try:
        check_name(name)
        check_role(role)
        _parse_hash(encoded)
    except (UsersFileError, ValueError) as exc:
        raise UsersFileError(f"{path}:{line_no}: {exc if isinstance(exc, UsersFileError) else 'ogiltig scrypt-hash'}; "
                             "skapa användaren på nytt med `granska users add NAMN --role reader|editor`.") from exc
    return User(name, role, encoded)  # type: ignore[arg-type]


def load_users(path: str | os.PathLike | None) -> dict[str, User]:
    """The users of the file at `path` by name ({} when no path is given: login is off)."""
    if not path:
        return {}
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"GRANSKA_AUTH pekar på {file}, som inte finns; skapa den med `granska users add NAMN --role editor --users-file {file}`.")
    users: dict[str, User] = {}
    for line_no, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        user = parse_line(file, line_no, line)
        if user is not None:
            users[user.name] = user
    if not users:
        raise UsersFileError(f"{file} innehåller inga användare; lägg till en med `granska users add NAMN --role editor --users-file {file}`.")
    return users


def authenticate(users: dict[str, User], name: str, password: str) -> User | None:
    """The user whose password this is, else None. An unknown name costs a hash too, so response
    times do not tell which user names exist."""
    user = users.get(name)
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    return user if verify_password(password, user.password_hash) else None


def add_user(path: Path, name: str, role: str, password: str) -> bool:
    """Write (or replace) a user's line with a new hash; other lines stay as they are. Returns
    whether an entry for the name was replaced. The file is replaced atomically and, when new,
    created readable by its owner only."""
    check_name(name)
    check_role(role)
    if len(password) < MIN_PASSWORD:
        raise UsersFileError(f"Lösenordet är för kort: använd minst {MIN_PASSWORD} tecken.")
    entry = User(name, role, hash_password(password)).line()  # type: ignore[arg-type]
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    replaced = False
    out: list[str] = []
    for line in lines:
        if line.strip().split(":", 1)[0] == name and not line.strip().startswith("#"):
            if not replaced:
                out.append(entry)
            replaced = True
        else:
            out.append(line)
    if not replaced:
        out.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return replaced


def invalid_lines(path: Path) -> list[int]:
    """Line numbers load would refuse (e.g. still plain text), so `users add` can say what is left to convert."""
    left = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            parse_line(path, line_no, line)
        except UsersFileError:
            left.append(line_no)
    return left


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
