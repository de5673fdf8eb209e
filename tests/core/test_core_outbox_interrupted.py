"""A message interrupted while being sent (the sender killed, or its store lost, between the transport and
mark_sent) is given up when its lease runs out, not sent a second time; a failure the sender saw releases it."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.domain import Channel
from bot.services import Services
from bot.services.outbox import INTERRUPTED
from storage.models import OutboxMessage


def _queue(services: Services, key: str) -> None:
    services.outbox.enqueue(key=key, channel=Channel.TELEGRAM, address="123", purpose="reminder", payload={"text": key})


def test_an_interrupted_send_is_not_repeated(services: Services, clock: FakeClock) -> None:
    for key in ("sending", "claimed", "failed"):
        _queue(services, key)
    sending, _claimed, failed = services.outbox.claim(Channel.TELEGRAM, worker="a", limit=3)
    services.outbox.mark_sending(sending.id, worker="a")  # handed to Telegram, then the process died
    services.outbox.mark_sending(failed.id, worker="a")
    services.outbox.mark_failed(failed.id, "NetworkError: Bad Gateway", retry_after=timedelta(0))
    [retried] = services.outbox.claim(Channel.TELEGRAM, worker="b")
    assert retried.key == "failed"  # released at once: tried again
    services.outbox.mark_sent(retried.id, worker="b")
    clock.advance(timedelta(seconds=61))  # a's lease runs out
    again = services.outbox.claim(Channel.TELEGRAM, worker="b")
    assert [m.key for m in again] == ["claimed"]  # claimed, never handed over: sent by b
    with services.context.transaction() as session:
        row = session.get(OutboxMessage, sending.id)
        assert row is not None and row.sent_at is None and row.last_error == INTERRUPTED
    stats = services.outbox.stats()
    assert (stats.unsent, stats.given_up) == (1, 1)


def test_a_sent_message_is_not_given_up(services: Services, clock: FakeClock) -> None:
    _queue(services, "ok")
    [message] = services.outbox.claim(Channel.TELEGRAM, worker="a")
    services.outbox.mark_sending(message.id, worker="a")
    services.outbox.mark_sent(message.id, worker="a")
    clock.advance(timedelta(hours=1))
    assert services.outbox.claim(Channel.TELEGRAM, worker="b") == []
    assert services.outbox.stats().given_up == 0
