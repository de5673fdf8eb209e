"""Counted results cached until the ballots or the process change.

Counting 100,000 ballots takes a noticeable fraction of a second; the results page must answer in
milliseconds. The cache key is (process version, newest ballot row id of the process): every cast, change or
withdrawal adds a ballot row and every phase change bumps the version, so a stale result is never served. (A
secret process, whose ids are random, is stamped by the count and sum of its ids: :meth:`ResultsService.stamp`.) The
newest id is read from the end of the (process_id, id) index, in constant time; a ballot in another process
leaves the entry alone. The stamp is read on a read
connection (:meth:`ResultsService.stamp`) and a recount runs outside any write transaction; concurrent misses share
one count (the service's single-flight).
"""

from __future__ import annotations

from threading import Lock

from bot.errors import WrongPhase
from bot.services import ProcessResults, Services

__all__ = ["ResultsCache"]


class ResultsCache:
    """Public results per process, recounted only when something changed."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._entries: dict[str, tuple[tuple[int, int | None], ProcessResults | None]] = {}
        self._lock = Lock()

    def results(self, slug: str) -> ProcessResults | None:
        """The public results of ``slug``, or None while they are not visible."""
        stamp = self.services.results.stamp(slug)
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
