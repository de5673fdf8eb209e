"""Who is looking at the playground: one browser session, its own pretend users, nobody else's.

Each browser gets a session the first time it opens the playground page: an unguessable id (256 random bits) in
an ``HttpOnly``, ``SameSite=Strict`` cookie scoped to the playground's path. The session owns a pretend resident
and a pretend moderator (random Telegram ids, never shared, the moderator made an admin of the sandbox only) and
the pretend NGO members' addresses it has used. Every endpoint of the playground asks :meth:`Visitors.of` who is
calling and serves only that session's users and addresses; a request without a valid session gets nothing.

Sessions live in memory (the sandbox is made anew at every start, so they could not outlive it anyway), at most
:data:`MAX_SESSIONS` of them: the least recently seen is forgotten first.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "MAX_SESSIONS", "Visitor", "Visitors"]

COOKIE = "glos_playground"
MAX_SESSIONS = 10_000
_FIRST_ID = 10**9  # pretend Telegram ids: far from the small ids examples and documentation use (900, 1001)
_ID_SPAN = 9 * 10**9


@dataclass
class Visitor:
    """One browser session: its pretend resident and moderator, and the member addresses it owns."""

    session: str
    resident: int
    moderator: int
    member: str
    addresses: set[str] = field(default_factory=set)

    def users(self) -> tuple[int, int]:
        """The pretend Telegram users this session may read and act as."""
        return (self.resident, self.moderator)

    def owns(self, user_id: int) -> bool:
        """Whether ``user_id`` is one of this session's pretend users."""
        return user_id in self.users()


class Visitors:
    """The playground's sessions. ``on_new(visitor)`` runs once per new session (the sandbox makes its moderator
    an admin there)."""

    def __init__(self, on_new: Callable[[Visitor], None] = lambda visitor: None, limit: int = MAX_SESSIONS) -> None:
        self.on_new = on_new
        self.limit = limit
        self._sessions: OrderedDict[str, Visitor] = OrderedDict()
        self._owners: dict[str, str] = {}  # member address -> session
        self._users: set[int] = set()
        self._lock = threading.Lock()

    def of(self, request: Request) -> Visitor | None:
        """The session of ``request`` (its cookie), or None: no cookie, or one this process never issued."""
        session = request.cookies.get(COOKIE, "")
        with self._lock:
            visitor = self._sessions.get(session)
            if visitor is not None:
                self._sessions.move_to_end(session)
            return visitor

    def of_or_new(self, request: Request) -> tuple[Visitor, bool]:
        """The session of ``request``, or a new one (True) whose cookie :meth:`set_cookie` must send."""
        visitor = self.of(request)
        if visitor is not None:
            return visitor, False
        with self._lock:
            resident, moderator = self._fresh_id(), self._fresh_id()
            session = secrets.token_urlsafe(32)
            member = f"czlonek-{secrets.token_hex(4)}@fundacja.example"
            visitor = Visitor(session, resident, moderator, member, {member})
            self._sessions[session] = visitor
            self._owners[member] = session
            while len(self._sessions) > self.limit:
                _, gone = self._sessions.popitem(last=False)
                self._users.difference_update(gone.users())
                for address in gone.addresses:
                    self._owners.pop(address, None)
        self.on_new(visitor)
        return visitor, True

    def claim(self, visitor: Visitor, address: str) -> bool:
        """Give ``address`` to ``visitor`` unless another session owns it; whether ``visitor`` owns it now."""
        with self._lock:
            owner = self._owners.setdefault(address, visitor.session)
            if owner != visitor.session:
                return False
            visitor.addresses.add(address)
            return True

    @staticmethod
    def set_cookie(response: Response, visitor: Visitor, request: Request) -> None:
        """Send ``visitor``'s session cookie: script-proof, same-site only, for the playground's path only."""
        path = request.scope.get("root_path", "") or "/"
        response.set_cookie(
            COOKIE,
            visitor.session,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path=path if path.endswith("/") else path + "/",
        )

    def _fresh_id(self) -> int:
        while True:
            candidate = _FIRST_ID + secrets.randbelow(_ID_SPAN)
            if candidate not in self._users:
                self._users.add(candidate)
                return candidate
