"""Follow-up sessions: ids the server issues, each bound to the user it was issued to.

The engine keeps the last question per session id so that "och i februari?" continues it. Were
that id whatever a client sends, anyone who learnt or guessed another user's id would get answers
in that user's context (and see what they asked about). So the web app never passes a client's id
through unchecked: an id it did not issue, or issued to someone else, starts a new session with a
fresh unguessable id (`secrets.token_urlsafe`, 192 bits). The binding lives here, in the web
layer, because only the web layer knows who is logged in; the engine stays user-agnostic.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from granska.app.engine import MAX_SESSIONS

ID_BYTES = 24  # 192 bits of randomness, 32 URL-safe characters


class Sessions:
    """Issued session ids -> the user they belong to (None: the app runs without login)."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self.limit = limit
        self._owners: OrderedDict[str, str | None] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def claim(self, session: str | None, user: str | None) -> str:
        """`session` if it was issued to `user`, else a new id issued to `user`."""
        with self._lock:
            if session in self._owners and self._owners[session] == user:
                self._owners.move_to_end(session)
                return session
            issued = secrets.token_urlsafe(ID_BYTES)
            self._owners[issued] = user
            while len(self._owners) > self.limit:
                self._owners.popitem(last=False)
            return issued
