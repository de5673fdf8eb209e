"""A whole process on a fake clock: draft → open on time → reminders only to those who have not voted → closed
on time and counted → published automatically → summary to the chat (text, then chart) and "your projects"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain import Channel, Phase
from bot.scheduling import JobKind
from storage.models import AuditEntry


def test_whole_timeline_from_draft_to_published_summary(
    services, scheduler, clock, make_process, resident, outbox, drive, at, engine
):
    slug = make_process()
    ania, bartek, celina = resident("ania"), resident("bartek"), resident("celina", channel=Channel.EMAIL)

    drive(scheduler, clock, at("2027-06-07 09:00"))
    assert services.processes.get(slug).phase is Phase.OPEN
    assert services.processes.get(slug).opens_at == at("2027-06-07 08:00")

    services.voting.cast(slug, ania, {"main": ["1", "2"]}, Channel.TELEGRAM)
    drive(scheduler, clock, at("2027-06-10 20:30"))  # 3 days before Sunday 20:00: Thursday 20:00
    reminders = outbox("reminder")
    assert sorted((r.person_id, r.key) for r in reminders) == [
        (bartek, f"reminder:bo:3d:person:{bartek}"),
        (celina, f"reminder:bo:3d:person:{celina}"),
    ]
    assert all(r.not_before == at("2027-06-10 20:00") for r in reminders)
    by_person = {r.person_id: r for r in reminders}
    assert by_person[bartek].channel == "telegram" and "13.06.2027, 20:00" in by_person[bartek].payload["text"]
    assert by_person[bartek].payload["buttons"][1][0]["command"] == "/nie_przypominaj bo"
    assert by_person[celina].channel == "email" and by_person[celina].payload["subject"] == "Przypomnienie: Budżet bo"
    assert "STOP" in by_person[celina].payload["text"] and "<p>" in by_person[celina].payload["html"]

    services.voting.cast(slug, bartek, {"main": ["1", "2"]}, Channel.TELEGRAM)
    drive(scheduler, clock, at("2027-06-13 19:00"))  # the 1d (Saturday 20:00) and 2h (Sunday 18:00) reminders
    assert sorted(r.key for r in outbox("reminder")) == sorted(
        [
            f"reminder:bo:3d:person:{bartek}",
            f"reminder:bo:3d:person:{celina}",
            f"reminder:bo:1d:person:{celina}",
            f"reminder:bo:2h:person:{celina}",
        ]
    )
    assert services.processes.get(slug).phase is Phase.OPEN

    drive(scheduler, clock, at("2027-06-13 20:05"))
    assert services.processes.get(slug).phase is Phase.PUBLISHED
    with engine.connect() as connection:
        actions = connection.execute(select(AuditEntry.action).where(AuditEntry.actor == "system")).scalars().all()
    assert [a for a in actions if a.startswith("process.")] == [
        "process.import",
        "process.open",
        "process.close",
        "process.count",
        "process.publish",
    ]

    summary = outbox("summary")
    assert [m.key for m in summary] == ["summary:bo:chat:-100123:part:1", "summary:bo:chat:-100123:chart"]
    text = summary[0].payload["text"].replace("\xa0", " ")
    assert "Wyniki: Budżet bo" in text and "Udział wzięły 2 osoby." in text
    assert "✅ 1. Park: 2 głosy · 60 000 zł" in text and "✅ 2. Ławki: 2 głosy · 30 000 zł" in text
    assert "Próg: co najmniej 2 głosy." in text and "90 000 zł" in text
    assert "https://glos.example/p/bo" in text
    chart = summary[1].payload
    assert chart["document"]["mime_type"] == "image/png"
    assert "Park (2)" in chart["text"] and "Wybrane (zielone): Park, Ławki" in chart["text"]

    yours = {m.person_id: m.payload["text"] for m in outbox("yours")}
    assert set(yours) == {ania, bartek}
    assert "✅ Park — wybrany do realizacji" in yours[ania] and "✅ Ławki — wybrany do realizacji" in yours[ania]

    # Nothing more happens for this process; ticking again queues nothing new.
    before = len(outbox())
    clock.advance(timedelta(hours=1))
    report = scheduler.tick()
    assert not [job for job in report.outcomes if not job.startswith(JobKind.DIGEST.value)]
    assert len(outbox()) == before
