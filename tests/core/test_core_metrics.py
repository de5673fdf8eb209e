"""The process's operational figures in Prometheus text format."""

from __future__ import annotations

from bot.metrics import Metrics


def test_counters_grow_and_gauges_are_set() -> None:
    metrics = Metrics()
    metrics.inc("glos_mail_messages_total", 3, doc="E-mail messages read.")
    metrics.inc("glos_mail_messages_total", 2)
    metrics.set("glos_scheduler_last_tick_timestamp_seconds", 1_800_000_000.5)
    lines = metrics.render()
    assert lines[:3] == [
        "# HELP glos_mail_messages_total E-mail messages read.",
        "# TYPE glos_mail_messages_total counter",
        "glos_mail_messages_total 5",
    ]
    assert "# TYPE glos_scheduler_last_tick_timestamp_seconds gauge" in lines
    assert "glos_scheduler_last_tick_timestamp_seconds 1800000000.5" in lines
    assert metrics.gauge("glos_scheduler_last_tick_timestamp_seconds") == 1_800_000_000.5
    assert metrics.gauge("never_set") is None
