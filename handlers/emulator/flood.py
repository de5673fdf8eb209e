"""Telegram's flood control, emulated: token buckets overall, per chat and per group.

Telegram's FAQ: about 30 messages per second overall for bulk messages, about one per second in one chat (short
bursts pass), 20 per minute in one group. Past them the Bot API answers 429 with ``retry_after`` (whole
seconds). Each limit can be switched off (None) or scaled for tests; the clock is injectable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["FloodControl", "FloodLimits"]


@dataclass(frozen=True)
class FloodLimits:
    """Rates in messages per second (groups per minute); ``*_burst`` is how many may go at once."""

    overall_per_second: float | None = 30.0
    overall_burst: int = 30
    chat_per_second: float | None = 1.0
    chat_burst: int = 5
    group_per_minute: float | None = 20.0
    group_burst: int = 20

    @classmethod
    def off(cls) -> FloodLimits:
        """No flood control at all (conversation tests)."""
        return cls(None, 1, None, 1, None, 1)


class _Bucket:
    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate = rate
        self.capacity = float(max(1, capacity))
        self.tokens = self.capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class FloodControl:
    """Decides whether one more message may go to ``chat_id`` now; not thread-safe (the emulator locks)."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._overall: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}

    def admit(self, chat_id: int, *, group: bool) -> int:
        """0 when the message may go (and it is counted), else the ``retry_after`` in whole seconds."""
        now = self.clock()
        limits = self.limits
        buckets: list[_Bucket] = []
        if limits.overall_per_second is not None:
            if self._overall is None:
                self._overall = _Bucket(limits.overall_per_second, limits.overall_burst, now)
            buckets.append(self._overall)
        rate, burst = (
            (limits.group_per_minute / 60, limits.group_burst)
            if group and limits.group_per_minute is not None
            else (limits.chat_per_second, limits.chat_burst)
        )
        if rate is not None and not (group and limits.group_per_minute is None):
            bucket = self._chats.get(chat_id)
            if bucket is None:
                bucket = self._chats[chat_id] = _Bucket(rate, burst, now)
            buckets.append(bucket)
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return 0
