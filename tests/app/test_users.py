"""The users file as `granska users add` writes it (real CLI in a subprocess): roles, scrypt hashes,
no password in the file, and the old plain-text format refused with a way out."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from granska.app.users import UsersFileError, authenticate, load_users

PASSWORD = "rätt-häst-batteri-42"


def test_users_add_stores_a_salted_scrypt_hash_and_never_the_password(tmp_path: Path, add_user) -> None:
    users = tmp_path / "users"
    first = add_user(users, "anna", "editor", PASSWORD)
    assert first.returncode == 0, first.stderr
    assert "Lade till anna (editor)" in first.stdout
    assert add_user(users, "bo", "reader", "ett-annat-losenord").returncode == 0
    text = users.read_text(encoding="utf-8")
    assert PASSWORD not in text and "ett-annat-losenord" not in text
    lines = text.splitlines()
    assert [line.split(":")[:2] for line in lines] == [["anna", "editor"], ["bo", "reader"]]
    assert all(line.split(":", 2)[2].startswith("scrypt$16384$8$1$") for line in lines)
    assert lines[0].split("$")[4] != lines[1].split("$")[4]  # a salt of its own per user
    assert stat.S_IMODE(users.stat().st_mode) == 0o600

    loaded = load_users(users)
    assert authenticate(loaded, "anna", PASSWORD).role == "editor"
    assert authenticate(loaded, "bo", "ett-annat-losenord").role == "reader"
    assert authenticate(loaded, "anna", PASSWORD + "x") is None
    assert authenticate(loaded, "anna", "ett-annat-losenord") is None
    assert authenticate(loaded, "okand", PASSWORD) is None


def test_adding_an_existing_user_replaces_its_line_and_keeps_the_rest(tmp_path: Path, add_user) -> None:
    users = tmp_path / "users"
    users.write_text("# granska, redaktionen\n\n", encoding="utf-8")
    assert add_user(users, "anna", "editor", PASSWORD).returncode == 0
    again = add_user(users, "anna", "reader", "nytt-losenord-1")
    assert again.returncode == 0 and "Ersatte anna (reader)" in again.stdout
    text = users.read_text(encoding="utf-8")
    assert text.startswith("# granska, redaktionen\n\n") and text.count("anna:") == 1
    loaded = load_users(users)
    assert authenticate(loaded, "anna", "nytt-losenord-1").role == "reader"
    assert authenticate(loaded, "anna", PASSWORD) is None


def test_the_users_file_path_defaults_to_granska_auth(tmp_path: Path, granska_cli) -> None:
    users = tmp_path / "from-env"
    done = granska_cli("users", "add", "anna", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n",
                   env={"GRANSKA_AUTH": str(users)})
    assert done.returncode == 0, done.stderr
    assert "anna" in load_users(users)


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("anna", "admin", PASSWORD, "Okänd roll"),
    ("an:na", "reader", PASSWORD, "Ogiltigt användarnamn"),
    ("anna", "reader", "kort", "för kort"),
])
def test_bad_input_is_refused_with_what_to_do(tmp_path: Path, name: str, role: str, password: str, message: str, add_user) -> None:
    users = tmp_path / "users"
    done = add_user(users, name, role, password)
    assert done.returncode == 2 and message in done.stderr
    assert not users.exists()


def test_a_plain_text_users_file_is_refused_with_how_to_convert_it(tmp_path: Path, add_user, granska_cli) -> None:
    users = tmp_path / "users"
    users.write_text("# gammal fil\nanna:hemligt\n", encoding="utf-8")
    with pytest.raises(UsersFileError, match=r"users:2: .*klartext.*granska users add NAMN --role reader\|editor"):
        load_users(users)

    # The server refuses to start on it, before loading anything, with the same message.
    chat = granska_cli("chat", "--store", str(tmp_path / "store"), env={"GRANSKA_AUTH": str(users)})
    assert chat.returncode == 2
    assert "klartext" in chat.stderr and "granska users add" in chat.stderr

    # Converting the user makes the file usable again; the plain-text line is gone.
    converted = add_user(users, "anna", "editor", PASSWORD)
    assert converted.returncode == 0 and "Ersatte anna" in converted.stdout
    assert "hemligt" not in users.read_text(encoding="utf-8")
    assert authenticate(load_users(users), "anna", PASSWORD) is not None


def test_converting_one_user_says_which_lines_are_still_plain_text(tmp_path: Path, add_user) -> None:
    users = tmp_path / "users"
    users.write_text("anna:hemligt\nbo:hemligare\n", encoding="utf-8")
    done = add_user(users, "anna", "editor", PASSWORD)
    assert done.returncode == 0
    assert "rad 2" in done.stderr and "klartext" in done.stderr
    with pytest.raises(UsersFileError, match="users:2"):
        load_users(users)


def test_a_missing_or_empty_users_file_says_how_to_create_one(tmp_path: Path) -> None:
    assert load_users(None) == {}
    with pytest.raises(FileNotFoundError, match="granska users add"):
        load_users(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.write_text("# inga än\n", encoding="utf-8")
    with pytest.raises(UsersFileError, match="granska users add"):
        load_users(empty)
