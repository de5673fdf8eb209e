"""Per-person rate limiting: a flooder is slowed down, everybody else is not."""

from __future__ import annotations

from collections.abc import Callable

from bot.commands.base import Caller
from bot.commands.dispatch import dispatch
from bot.commands.ratelimit import RateLimiter
from bot.commands.registry import COMMANDS
from bot.console import ConsoleChannel
from bot.domain import Channel
from bot.services import Services


def test_a_flooder_is_told_once_to_slow_down_and_others_are_served(
    services: Services, console: Callable[..., ConsoleChannel]
) -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=5, clock=lambda: now[0])
    flooder = Caller(console("spamer").person_id, Channel.CONSOLE, "spamer", "pl")
    neighbour = Caller(console("sasiadka").person_id, Channel.CONSOLE, "sasiadka", "pl")
    answers = [dispatch(COMMANDS, services, flooder, "/procesy", limiter=limiter) for _ in range(100)]
    served = [reply for reply in answers if reply and "Za dużo wiadomości" not in reply[0].text]
    warned = [reply for reply in answers if reply and "Za dużo wiadomości" in reply[0].text]
    assert len(served) == 5 and len(warned) == 1  # the rest were dropped without an answer
    assert dispatch(COMMANDS, services, neighbour, "/procesy", limiter=limiter)[0].text.startswith("Nie ma")
    now[0] += 1.0  # two tokens later
    assert "Za dużo" not in dispatch(COMMANDS, services, flooder, "/procesy", limiter=limiter)[0].text


def test_idle_senders_are_forgotten_when_the_table_is_full() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: now[0], max_senders=10)
    for n in range(10):
        limiter.check("telegram", str(n))
    now[0] += 60
    assert limiter.check("telegram", "new").allowed
    assert len(limiter._buckets) <= 10
