"""Fault injection for the emulator: make the Bot API answer 429 storms and 5xx errors on purpose.

Two ways, combinable, both limited to the methods that send (``sendMessage``, ``sendDocument``, ``sendPhoto``,
``editMessageText``) unless ``methods`` says otherwise — long polling is left alone so the bot keeps receiving:

* :meth:`FaultPlan.force` — the next ``count`` calls fail with ``code`` (a storm: ``force(429, 30)``).
* :meth:`FaultPlan.rate` — each call fails with ``code`` with ``probability`` (seeded, so a run repeats).

A refused call changes nothing (the message is not delivered), as Telegram's own refusals. 429 carries
``retry_after`` (whole seconds, as Telegram sends). :meth:`FaultPlan.counts` says how many were injected per code.
Over HTTP: ``POST /_emulator/faults`` with ``{"code": 429, "count": 30}`` or ``{"code": 502, "probability": 0.1}``;
``{"clear": true}`` removes every fault.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Iterable

__all__ = ["SENDING_METHODS", "FaultPlan", "InjectedFault"]

SENDING_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto", "editmessagetext"})
_DESCRIPTIONS = {
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class InjectedFault:
    """One injected refusal: the HTTP status (= ``error_code``), its description and ``retry_after`` on 429."""

    def __init__(self, code: int, retry_after: int) -> None:
        self.code = code
        self.retry_after = retry_after if code == 429 else None
        self.description = _DESCRIPTIONS.get(code, "Injected error").format(retry_after=retry_after)


class FaultPlan:
    """The faults an :class:`~handlers.emulator.driver.Emulator` injects; thread-safe."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._forced: deque[tuple[int, int, frozenset[str]]] = deque()
        self._rates: list[tuple[int, float, int, frozenset[str]]] = []
        self._random = random.Random(seed)
        self._counts: dict[int, int] = {}

    def force(
        self, code: int, count: int = 1, *, retry_after: int = 1, methods: Iterable[str] = SENDING_METHODS
    ) -> None:
        """The next ``count`` calls of ``methods`` fail with ``code`` (after any forced before)."""
        wanted = frozenset(name.lower() for name in methods)
        with self._lock:
            self._forced.extend((code, max(1, retry_after), wanted) for _ in range(count))

    def rate(
        self, code: int, probability: float, *, retry_after: int = 1, methods: Iterable[str] = SENDING_METHODS
    ) -> None:
        """Each call of ``methods`` fails with ``code`` with ``probability`` (0 removes the rate for ``code``)."""
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        wanted = frozenset(name.lower() for name in methods)
        with self._lock:
            self._rates = [entry for entry in self._rates if entry[0] != code]
            if probability > 0:
                self._rates.append((code, probability, max(1, retry_after), wanted))

    def clear(self) -> None:
        """No more faults (the counts stay)."""
        with self._lock:
            self._forced.clear()
            self._rates = []

    def next_fault(self, method: str) -> InjectedFault | None:
        """The fault the call of ``method`` (lower case) meets, if any; counted once returned."""
        with self._lock:
            fault: InjectedFault | None = None
            if self._forced and method in self._forced[0][2]:
                code, retry_after, _ = self._forced.popleft()
                fault = InjectedFault(code, retry_after)
            else:
                for code, probability, retry_after, methods in self._rates:
                    if method in methods and self._random.random() < probability:
                        fault = InjectedFault(code, retry_after)
                        break
            if fault is not None:
                self._counts[fault.code] = self._counts.get(fault.code, 0) + 1
            return fault

    def counts(self) -> dict[int, int]:
        """How many faults were injected, per HTTP status."""
        with self._lock:
            return dict(self._counts)

    @property
    def pending(self) -> int:
        """Forced faults not yet used."""
        with self._lock:
            return len(self._forced)
