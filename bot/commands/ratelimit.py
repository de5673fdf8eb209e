"""Per-person rate limiting for every channel: one person flooding the bot does not slow anybody else.

A token bucket per (channel, address): ``burst`` commands at once, refilled at ``rate`` per second. Over the
limit the command is not run; the first refusal in a burst is answered (``error.slow_down``), the rest are
dropped silently so that the bot does not flood the flooder back. The buckets live in memory: after a restart
everybody starts with a full bucket, which is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock

__all__ = ["RateLimiter", "Verdict"]


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


@dataclass(frozen=True)
class Verdict:
    """Whether the command may run, and whether to tell the sender to slow down."""

    allowed: bool
    warn: bool = False


@dataclass
class RateLimiter:
    """Token buckets keyed by sender; ``clock`` returns seconds (monotonic by default, a fake in tests)."""

    rate: float = 3.0
    burst: int = 20
    clock: Callable[[], float] = time.monotonic
    max_senders: int = 100_000
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def check(self, channel: str, address: str) -> Verdict:
        """Take one token for this sender."""
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get((channel, address))
            if bucket is None:
                if len(self._buckets) >= self.max_senders:
                    self._forget_idle(now)
                bucket = self._buckets[(channel, address)] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                bucket.warned = False
                return Verdict(True)
            warn = not bucket.warned
            bucket.warned = True
            return Verdict(False, warn)

    def _forget_idle(self, now: float) -> None:
        full = [key for key, bucket in self._buckets.items() if now - bucket.updated > self.burst / self.rate]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]
