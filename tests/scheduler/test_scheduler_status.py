"""What moderators see: /status lists every planned job with its next run and the last outcome, shows when the
scheduler stopped ticking, and a failing job is reported to them while the other jobs go on."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Channel, Phase


def test_status_lists_jobs_next_runs_and_last_outcomes(
    services, scheduler, clock, make_process, console, talk, drive, at
):
    make_process()
    moderator = console("moderator")
    talk(moderator, [("/status", ["Harmonogram jeszcze ani razu nie działał na tej bazie.", "otwarcie bo"])])
    drive(scheduler, clock, at("2027-06-10 20:30"))
    (answer,) = talk(
        moderator,
        [
            (
                "/status",
                [
                    "Harmonogram działał ostatnio 10.06.2027, 20:00.",
                    "• 12.06.2027, 20:00 — przypomnienie bo 1d — ostatnio: wykonane 10.06.2027, 20:00 "
                    "0 przypomnień w kolejce (wybrano osób: 0)",
                    "• 13.06.2027, 18:00 — przypomnienie bo 2h",
                    "• 13.06.2027, 20:00 — zamknięcie bo",
                    "• 11.06.2027, 08:30 — podsumowanie dla moderatorów",
                ],
            )
        ],
    )
    assert "otwarcie" not in answer  # it ran; nothing is planned for it any more
    clock.advance(timedelta(hours=1))
    talk(
        moderator,
        [
            (
                "/status",
                [
                    "Harmonogram chyba stoi — sprawdź, czy bot działa.",
                    "W kolejce do wysłania: 0 wiadomości (porzucone po błędach: 0).",
                ],
            )
        ],
    )
    talk(console("ania"), [("/status", ["Polecenie /status jest tylko dla moderatorów."])])


def test_a_failing_job_is_reported_and_the_others_still_run(
    services, scheduler, clock, make_process, console, talk, outbox, at
):
    moderator = console("moderator")
    services.people.link(moderator.person_id, Channel.TELEGRAM, "999")
    make_process(
        slug="spozniony", opens_at="2027-06-07T08:00:00+02:00", closes_at="2027-06-07T09:00:00+02:00", reminders=()
    )
    make_process(slug="zdrowy", opens_at="2027-06-07T08:00:00+02:00")
    clock.set(at("2027-06-07 10:00"))  # the bot was down while "spozniony" should have opened and closed
    report = scheduler.tick()
    assert report.outcomes["open:spozniony:20270607T0600Z"][0] == "failed"
    assert report.outcomes["open:zdrowy:20270607T0600Z"] == ("ok", "opened")
    assert services.processes.get("zdrowy").phase is Phase.OPEN
    (alert,) = outbox("alert")
    assert alert.address == "999" and alert.person_id == moderator.person_id
    assert "open:spozniony:20270607T0600Z" in alert.payload["text"]
    assert "Termin zakończenia procesu spozniony" in alert.payload["text"]
    scheduler.tick()
    assert len(outbox("alert")) == 1  # reported once, not at every tick
    talk(
        moderator,
        [
            (
                "/status",
                ["Ostatnie nieudane zadania:", "— open:spozniony:20270607T0600Z: Termin zakończenia procesu spozniony"],
            )
        ],
    )


def test_the_digest_tells_moderators_about_pending_opinions_and_turnout(
    services, scheduler, clock, make_process, resident, console, outbox, drive, at
):
    moderator = console("moderator", language="en")
    services.people.link(moderator.person_id, Channel.EMAIL, "mod@example.org")
    make_process()
    ania = resident("ania")
    drive(scheduler, clock, at("2027-06-08 09:00"))
    services.voting.cast("bo", ania, {"main": ["1"]}, Channel.TELEGRAM)
    drive(scheduler, clock, at("2027-06-09 09:00"))
    digests = outbox("digest")
    assert [m.key for m in digests] == [
        f"digest:2027-06-07:person:{moderator.person_id}",
        f"digest:2027-06-08:person:{moderator.person_id}",
        f"digest:2027-06-09:person:{moderator.person_id}",
    ]
    latest = digests[-1].payload
    assert latest["subject"] == "Daily digest for moderators"
    assert "Took part: 1 person (known eligible: 1)." in latest["text"]
    assert "0 opinions await moderation." in latest["text"]


def test_status_shows_when_queued_messages_are_not_being_sent(
    services, scheduler, clock, make_process, resident, console, talk, drive, at
):
    make_process()
    resident("ania")
    drive(scheduler, clock, at("2027-06-10 20:01"))  # a reminder is queued, and no sender takes it
    moderator = console("moderator", language="en")
    talk(moderator, [("/status", ["Waiting to be sent: 1 message (given up after errors: 0)."])])
    clock.advance(timedelta(hours=1))
    scheduler.tick()
    talk(moderator, [("/status", ["The oldest unsent message has waited since 10.06.2027, 20:00"])])
