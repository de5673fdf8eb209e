"""Time as an injected dependency: the real clock in production, a clock tests move by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SystemClock"]


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)


@dataclass
class FakeClock:
    """A clock that stands still until a test moves it."""

    current: datetime = field(default_factory=lambda: datetime(2027, 6, 1, 10, 0, tzinfo=UTC))

    def now(self) -> datetime:
        """The time the test set."""
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move forward by ``delta``."""
        self.current += delta

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (must be timezone-aware)."""
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self.current = moment.astimezone(UTC)
