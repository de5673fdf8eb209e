"""Reminders on a fake clock: once per person and slot across restarts, coalesced after downtime, deferred in
quiet hours, following a changed process, steady across daylight saving, and never to someone who took part."""

from __future__ import annotations

from collections import Counter

from bot.domain import Channel, Phase
from bot.scheduling import JobKind, Scheduler


def _slots(outbox, person_id: int) -> list[str]:
    return [m.key.split(":")[2] for m in outbox("reminder") if m.person_id == person_id]


def test_a_restart_between_two_reminders_neither_repeats_nor_skips(
    services, policy, scheduler, clock, make_process, resident, outbox, drive, at
):
    make_process()
    ania = resident("ania")
    drive(scheduler, clock, at("2027-06-10 20:10"))
    assert _slots(outbox, ania) == ["3d"]

    restarted = Scheduler(services, policy)  # a new bot process: nothing in memory
    restarted.tick()
    assert _slots(outbox, ania) == ["3d"]
    drive(restarted, clock, at("2027-06-12 20:10"))
    assert _slots(outbox, ania) == ["3d", "1d"]
    # A second bot process ticking at the same moment adds nothing either.
    assert Scheduler(services, policy).tick().outcomes.keys().isdisjoint({"remind:bo:1d:20270613T1800Z"})
    assert Counter(m.key for m in outbox()).most_common(1)[0][1] == 1


def test_after_downtime_missed_reminders_are_sent_once_as_the_latest(
    services, policy, scheduler, clock, make_process, resident, outbox, drive, at
):
    make_process()
    ania = resident("ania")
    drive(scheduler, clock, at("2027-06-08 12:00"))
    clock.set(at("2027-06-13 10:00"))  # the bot was down over the 3d and 1d reminders
    report = Scheduler(services, policy).tick()
    assert _slots(outbox, ania) == ["1d"]
    assert report.outcomes["remind:bo:3d:20270613T1800Z"] == ("skipped", "coalesced")
    drive(scheduler, clock, at("2027-06-13 19:00"))
    assert _slots(outbox, ania) == ["1d", "2h"]


def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(
    services, policy, scheduler, clock, make_process, resident, outbox, drive, at
):
    # Closing Tuesday 10:00: "12h" is Monday 22:00, in quiet hours → Tuesday 08:00.
    make_process(closes_at="2027-06-15T10:00:00+02:00", reminders=("12h",))
    ania = resident("ania")
    drive(scheduler, clock, at("2027-06-14 23:00"))
    assert _slots(outbox, ania) == []
    # Even a tick in the night (a restart at 03:00) leaves it for the morning.
    clock.set(at("2027-06-15 03:00"))
    scheduler.tick()
    assert _slots(outbox, ania) == []
    assert scheduler.next_wake(clock.now()) == at("2027-06-15 08:00")
    drive(scheduler, clock, at("2027-06-15 08:01"))
    assert _slots(outbox, ania) == ["12h"]
    assert outbox("reminder")[0].not_before == at("2027-06-15 08:00")


def test_a_process_changed_while_scheduled_follows_the_new_times(
    services, scheduler, clock, make_process, resident, outbox, drive, at
):
    make_process()
    ania = resident("ania")
    drive(scheduler, clock, at("2027-06-11 12:00"))
    assert _slots(outbox, ania) == ["3d"]
    services.processes.extend("bo", at("2027-06-20 20:00"))  # a moderator extends by a week

    drive(scheduler, clock, at("2027-06-14 12:00"))
    assert services.processes.get("bo").phase is Phase.OPEN  # the old closing time did nothing
    assert _slots(outbox, ania) == ["3d"]  # the old 1d and 2h were not sent; 3d is not sent again
    drive(scheduler, clock, at("2027-06-19 20:30"))
    assert _slots(outbox, ania) == ["3d", "1d"]
    drive(scheduler, clock, at("2027-06-20 20:30"))
    assert _slots(outbox, ania) == ["3d", "1d", "2h"]
    assert services.processes.get("bo").phase is Phase.PUBLISHED


def test_a_draft_changed_before_opening_opens_at_the_new_time(services, scheduler, clock, make_process, drive, at):
    make_process()
    make_process(opens_at="2027-06-08T08:00:00+02:00")  # re-imported draft: opens a day later
    drive(scheduler, clock, at("2027-06-07 12:00"))
    assert services.processes.get("bo").phase is Phase.DRAFT
    drive(scheduler, clock, at("2027-06-08 08:00"))
    assert services.processes.get("bo").phase is Phase.OPEN


def test_daylight_saving_changes_neither_shift_nor_double_a_reminder(
    services, scheduler, clock, make_process, resident, outbox, drive, at
):
    # Open across the last Sunday of March 2027 and, in another process, the last Sunday of October.
    clock.set(at("2027-03-20 07:00"))
    make_process(
        slug="wiosna",
        opens_at="2027-03-22T08:00:00+01:00",
        closes_at="2027-03-30T20:00:00+02:00",
        reminders=("3d", "1d"),
    )
    make_process(
        slug="jesien",
        opens_at="2027-10-25T08:00:00+02:00",
        closes_at="2027-11-02T20:00:00+01:00",
        reminders=("3d", "1d"),
    )
    spring, autumn = resident("ania", "wiosna"), resident("bartek", "jesien")
    drive(scheduler, clock, at("2027-03-31 12:00"))
    clock.set(at("2027-10-25 07:00"))  # the summer in one jump: only that day's digest is planned after it
    drive(scheduler, clock, at("2027-11-03 12:00"))
    sent = {(m.person_id, m.key.split(":")[2]): m.not_before for m in outbox("reminder")}
    assert sent == {
        (spring, "3d"): at("2027-03-27 20:00"),  # Saturday 20:00 CET
        (spring, "1d"): at("2027-03-29 20:00"),  # Monday 20:00 CEST
        (autumn, "3d"): at("2027-10-30 20:00"),  # Saturday 20:00 CEST
        (autumn, "1d"): at("2027-11-01 20:00"),  # Monday 20:00 CET
    }
    digests = [job for job in scheduler.runs.latest(1000) if job.kind == JobKind.DIGEST.value]
    assert len({job.job_id for job in digests}) == len(digests)
    assert {"digest:2027-03-28", "digest:2027-10-31"} <= {job.job_id for job in digests}


def test_who_votes_between_planning_and_sending_is_not_reminded(
    services, scheduler, clock, make_process, resident, outbox, drive, at
):
    make_process()
    ania, bartek = resident("ania"), resident("bartek")
    drive(scheduler, clock, at("2027-06-10 19:00"))
    assert any(
        job.kind is JobKind.REMIND and job.at == at("2027-06-10 20:00") for job in scheduler.pending(clock.now())
    )
    clock.set(at("2027-06-10 19:59"))
    services.voting.cast("bo", ania, {"main": ["1"]}, Channel.TELEGRAM)
    drive(scheduler, clock, at("2027-06-10 20:01"))
    assert [m.person_id for m in outbox("reminder")] == [bartek]


def test_withdrawn_votes_and_opt_outs_decide_who_is_reminded(
    services, scheduler, clock, make_process, resident, outbox, drive, at, console, talk
):
    make_process()
    make_process(slug="inny")
    withdrew, plain = resident("wanda"), resident("piotr")
    tomek, ola = console("tomek"), console("ola")
    for number, person in enumerate((tomek, ola), start=1):
        services.people.link(person.person_id, Channel.TELEGRAM, str(number))
        for slug in ("bo", "inny"):
            services.eligibility.declare_district(slug, person.person_id, "centrum")
    drive(scheduler, clock, at("2027-06-08 12:00"))
    services.voting.cast("bo", withdrew, {"main": ["1"]}, Channel.TELEGRAM)
    services.voting.withdraw("bo", withdrew, Channel.TELEGRAM)

    talk(tomek, [("/nie_przypominaj bo", ["Dobrze, nie będę już przypominać o „Budżet bo”."])])
    talk(ola, [("/dont_remind all", ["Dobrze, nie będę już wysyłać żadnych przypomnień."])])
    drive(scheduler, clock, at("2027-06-10 20:30"))
    reminded = sorted((m.key.split(":")[1], m.person_id) for m in outbox("reminder"))
    assert reminded == sorted(
        [("bo", withdrew), ("bo", plain), ("inny", tomek.person_id)]
    )  # ola: nowhere; tomek: only about the other process; the withdrawn vote does not count as taking part


def test_people_the_bot_cannot_write_to_are_left_out(services, scheduler, clock, make_process, outbox, drive, at):
    make_process()
    person = services.people.identify(Channel.CONSOLE, "only-console").person_id
    services.eligibility.declare_district("bo", person, "centrum")
    drive(scheduler, clock, at("2027-06-10 20:30"))
    assert outbox("reminder") == []
    runs = {run.job_id: run for run in scheduler.runs.latest()}
    assert runs["remind:bo:3d:20270613T1800Z"].detail == "0 queued of 0 selected"


def test_two_bot_processes_ticking_at_once_run_each_job_once(
    services, policy, clock, make_process, resident, outbox, at
):
    from concurrent.futures import ThreadPoolExecutor

    make_process()
    people = [resident(f"osoba{n}") for n in range(20)]
    clock.set(at("2027-06-10 20:00"))  # open, 3d reminder and two digests are all due
    schedulers = [Scheduler(services, policy) for _ in range(2)]
    ran: list[str] = []
    for _ in range(2):  # a reminder found "not open yet" while the other process opens is taken at the next tick
        with ThreadPoolExecutor(2) as pool:
            reports = list(pool.map(lambda scheduler: scheduler.tick(), schedulers))
        ran += [job for report in reports for job, (outcome, _) in report.outcomes.items() if outcome != "skipped"]
    assert sorted(ran) == sorted(set(ran))  # no job ran twice
    assert "remind:bo:3d:20270613T1800Z" in ran and "open:bo:20270607T0600Z" in ran
    assert sorted(m.person_id for m in outbox("reminder")) == sorted(people)
