"""One computation for many concurrent callers asking the same question (single-flight).

When twenty web requests ask for the same results at once, the first one counts and the others wait for its
answer instead of counting nineteen more times. Nothing is kept after the flight lands: caching, if wanted, is
the caller's business (and the key should say what the answer depends on, e.g. a data version). Thread-based:
the web's sync endpoints and the scheduler run in threads.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Event, Lock
from typing import Generic, TypeVar

__all__ = ["SingleFlight"]

V = TypeVar("V")


class _Flight(Generic[V]):
    __slots__ = ("done", "error", "followers", "value")

    def __init__(self) -> None:
        self.done = Event()
        self.followers = 0
        self.value: V | None = None
        self.error: BaseException | None = None


class SingleFlight(Generic[V]):
    """``run(key, compute)``: the first caller of a key computes; callers arriving while it runs get its value
    (or its exception, re-raised) without computing; the next caller after it lands computes afresh."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._flights: dict[Hashable, _Flight[V]] = {}

    def run(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``compute()``, shared with every concurrent caller of the same ``key``."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
            else:
                flight.followers += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value  # type: ignore[return-value]
        try:
            flight.value = compute()
        except BaseException as error:
            flight.error = error
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        return flight.value

    def followers(self, key: Hashable) -> int:
        """How many callers wait for the computation of ``key`` under way (0 when none is; for tests)."""
        with self._lock:
            flight = self._flights.get(key)
            return 0 if flight is None else flight.followers
