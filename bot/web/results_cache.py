"""Counted results cached until the ballots or the process change.

Counting 100,000 ballots takes a noticeable fraction of a second; the results page must answer in
milliseconds. The cache key is (process version, newest ballot row id): every cast, change or withdrawal adds a
ballot row and every phase change bumps the version, so a stale result is never served.
"""

from __future__ import annotations

from threading import Lock

from sqlalchemy import func, select

from bot.errors import WrongPhase
from bot.services import ProcessResults, Services
from storage.models import Ballot, Process

__all__ = ["ResultsCache"]

_BALLOT = Ballot.__table__  # type: ignore[attr-defined]
_PROCESS = Process.__table__  # type: ignore[attr-defined]


class ResultsCache:
    """Public results per process, recounted only when something changed."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._entries: dict[str, tuple[tuple[int, int | None], ProcessResults | None]] = {}
        self._lock = Lock()

    def _stamp(self, slug: str) -> tuple[int, int | None]:
        with self.services.context.connection() as connection:
            row = connection.execute(
                select(_PROCESS.c.version, func.max(_BALLOT.c.id))
                .select_from(_PROCESS.outerjoin(_BALLOT, _BALLOT.c.process_id == _PROCESS.c.id))
                .where(_PROCESS.c.slug == slug)
                .group_by(_PROCESS.c.version)
            ).first()
        return (row[0], row[1]) if row is not None else (-1, None)

    def results(self, slug: str) -> ProcessResults | None:
        """The public results of ``slug``, or None while they are not visible."""
        stamp = self._stamp(slug)
        cached = self._entries.get(slug)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            results: ProcessResults | None = self.services.results.results(slug)
        except WrongPhase:
            results = None
        with self._lock:
            self._entries[slug] = (stamp, results)
        return results
