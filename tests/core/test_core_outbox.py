"""The outbox: one message per key, leases that expire, retries with backoff, giving up, statistics."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.domain import Channel
from bot.replies import Button, Document, Reply
from bot.services import Services
from bot.services.outbox import MAX_ATTEMPTS, payload_reply, reply_payload


def _queue(services: Services, key: str, **extra: object) -> bool:
    return services.outbox.enqueue(
        key=key,
        channel=Channel.TELEGRAM,
        address="123",
        purpose="reminder",
        payload={"text": key},
        **extra,  # type: ignore[arg-type]
    )


def test_a_key_is_queued_once(services: Services) -> None:
    assert _queue(services, "reminder:bo2027:3d:person:1")
    assert not _queue(services, "reminder:bo2027:3d:person:1")
    assert services.outbox.stats().unsent == 1


def test_claim_lease_expiry_and_sent(services: Services, clock: FakeClock) -> None:
    for n in range(3):
        _queue(services, f"m{n}")
    _queue(services, "later", not_before=clock.now() + timedelta(hours=1))
    first = services.outbox.claim(Channel.TELEGRAM, worker="a", limit=2)
    assert [m.key for m in first] == ["m0", "m1"]
    assert [m.key for m in services.outbox.claim(Channel.TELEGRAM, worker="b")] == ["m2"]
    assert services.outbox.claim(Channel.EMAIL, worker="c") == []
    services.outbox.mark_sent(first[0].id, worker="a")
    clock.advance(timedelta(seconds=61))  # worker a died: its lease on m1 runs out
    again = services.outbox.claim(Channel.TELEGRAM, worker="c")
    assert [m.key for m in again] == ["m1", "m2"]
    assert services.outbox.stats().unsent == 3
    for message in again:
        services.outbox.mark_sent(message.id, worker="c")
    clock.advance(timedelta(hours=1))
    assert [m.key for m in services.outbox.claim(Channel.TELEGRAM, worker="c")] == ["later"]
    assert services.outbox.stats().unsent == 1


def test_failures_back_off_and_are_given_up(services: Services, clock: FakeClock) -> None:
    _queue(services, "flaky")
    message = services.outbox.claim(Channel.TELEGRAM, worker="a")[0]
    assert services.outbox.mark_failed(message.id, "429 Too Many Requests", retry_after=timedelta(seconds=30))
    assert services.outbox.claim(Channel.TELEGRAM, worker="a") == []  # not before 30 s
    clock.advance(timedelta(seconds=31))
    for attempt in range(2, MAX_ATTEMPTS + 1):
        message = services.outbox.claim(Channel.TELEGRAM, worker="a")[0]
        assert message.attempts == attempt - 1
        kept = services.outbox.mark_failed(message.id, "403 Forbidden: bot was blocked by the user")
        clock.advance(timedelta(hours=2))
        assert kept is (attempt < MAX_ATTEMPTS)
    assert services.outbox.claim(Channel.TELEGRAM, worker="a") == []
    stats = services.outbox.stats()
    assert (stats.unsent, stats.given_up) == (0, 1)


def test_replies_round_trip_through_the_payload() -> None:
    reply = Reply("Cześć", ((Button("Tak", "/glosuj TAK"),),), Document("a.txt", b"\x00\x01", "text/plain"))
    assert payload_reply(reply_payload(reply)) == reply
