"""Operational figures of one bot process for ``/metrics`` (Prometheus text format): counters that only grow
(updates handled, e-mail replies read) and gauges (when the scheduler last ticked, when the mailbox was last
read). Channels update them through ``services.context.metrics``; the web app renders them."""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock

__all__ = ["Metrics"]


@dataclass
class Metrics:
    """A small thread-safe registry; names follow Prometheus conventions (``glos_…_total`` for counters)."""

    help: dict[str, str] = field(default_factory=dict)
    _counters: dict[str, float] = field(default_factory=dict)
    _gauges: dict[str, float] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)

    def inc(self, name: str, amount: float = 1.0, *, doc: str = "") -> None:
        """Add ``amount`` to the counter ``name``."""
        with self._lock:
            self._counters[name] = self._counters.get(name, 0.0) + amount
            if doc:
                self.help.setdefault(name, doc)

    def set(self, name: str, value: float, *, doc: str = "") -> None:
        """Set the gauge ``name``."""
        with self._lock:
            self._gauges[name] = value
            if doc:
                self.help.setdefault(name, doc)

    def gauge(self, name: str) -> float | None:
        """The gauge's value, or None when never set."""
        with self._lock:
            return self._gauges.get(name)

    def render(self) -> list[str]:
        """The figures as Prometheus text lines."""
        with self._lock:
            lines = []
            for kind, values in (("counter", self._counters), ("gauge", self._gauges)):
                for name, value in sorted(values.items()):
                    if name in self.help:
                        lines.append(f"# HELP {name} {self.help[name]}")
                    lines += [f"# TYPE {name} {kind}", f"{name} {value:.17g}"]
            return lines
