"""Reminders before a consultation's meetings ([notice] meetings): a day before each, to everyone the
consultation concerns (remark sent or not), once per person, meeting and offset across restarts and a second bot
process; a meeting after the consultation has closed is not reminded about."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.definition import load_definition_file
from bot.domain import Channel
from bot.scheduling import JobKind, Scheduler
from bot.services.eligibility import RosterRow
from tests.conftest import EXAMPLES


def test_each_meeting_is_reminded_of_once_a_day_before_even_after_a_restart(
    services, policy, scheduler, clock, outbox, at
):
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    clock.set(definition.opens_at + timedelta(hours=1))
    services.processes.import_definition(definition)
    slug = definition.slug
    services.processes.open(slug)
    services.eligibility.import_roster(
        slug, [RosterRow(Channel.EMAIL, "fundacja@example.org"), RosterRow(Channel.EMAIL, "kolo@example.org")]
    )
    fundacja = services.people.identify(Channel.EMAIL, "fundacja@example.org").person_id
    services.opinions.submit(slug, fundacja, "Więcej małych grantów.", Channel.EMAIL, section="§3")  # still invited
    planned = [job for job in scheduler.pending(clock.now()) if job.kind is JobKind.MEETING]
    assert [(job.id, job.at) for job in planned] == [
        (f"meeting:{slug}:20270928T1500Z/1d", at("2027-09-27 17:00")),
        (f"meeting:{slug}:20271005T1600Z/1d", at("2027-10-04 18:00")),
    ]

    clock.set(at("2027-09-27 17:01"))
    scheduler.tick()
    first = outbox("meeting")
    assert sorted(m.key for m in first) == [
        f"meeting:{slug}:20270928T1500Z:1d:address:kolo@example.org",  # on the roster, never wrote
        f"meeting:{slug}:20270928T1500Z:1d:person:{fundacja}",
    ]
    mail = next(m for m in first if m.person_id == fundacja).payload
    assert mail["headers"]["Content-Language"] == "pl"  # like every other reminder, it says its language
    assert mail["subject"].startswith("Spotkanie konsultacyjne: Konsultacje projektu „Programu współpracy")
    assert mail["text"].startswith(
        "Przypominamy o spotkaniu konsultacyjnym w sprawie:\nKonsultacje projektu „Programu współpracy Gminy "
        "Wieliczka z organizacjami pozarządowymi na 2027 rok”\n\n28.09.2027, 17:00 — Urząd Miasta i Gminy "
        "Wieliczka, sala obrad, Rynek Górny 1\n\nNa spotkaniu można zgłosić uwagi ustnie; pisemne przyjmujemy do "
        "końca konsultacji."
    ), mail["text"]

    restarted = Scheduler(services, policy)  # a new bot process: nothing in memory
    restarted.tick()
    Scheduler(services, policy).tick()  # and a second one at the same moment
    assert len(outbox("meeting")) == 2
    clock.set(at("2027-10-04 18:05"))
    restarted.tick()
    assert len(outbox("meeting")) == 4
    assert Counter(m.key for m in outbox()).most_common(1)[0][1] == 1


def test_a_meeting_after_closing_or_of_a_closed_consultation_is_not_reminded_of(
    services, policy, scheduler, clock, outbox, at
):
    definition = load_definition_file(EXAMPLES / "konsultacje-program-wspolpracy-2027.toml")
    clock.set(definition.opens_at + timedelta(hours=1))
    assert definition.notice is not None
    late = definition.notice.meetings[1].model_copy(update={"at": definition.closes_at + timedelta(days=2)})
    notice = definition.notice.model_copy(update={"meetings": [definition.notice.meetings[0], late]})
    services.processes.import_definition(definition.model_copy(update={"notice": notice}))
    services.processes.open(definition.slug)
    services.eligibility.import_roster(definition.slug, [RosterRow(Channel.EMAIL, "kolo@example.org")])
    assert [job.id for job in scheduler.pending(clock.now()) if job.kind is JobKind.MEETING] == [
        f"meeting:{definition.slug}:20270928T1500Z/1d"
    ]
    services.processes.close(definition.slug)  # closed early: the first meeting is not reminded of either
    clock.set(at("2027-09-27 17:01"))
    scheduler.tick()
    assert outbox("meeting") == []
