"""The moderators' daily digest: opinions waiting for moderation and turnout, per open or closed process, and
the anti-abuse signals of the last day (:mod:`bot.services.abuse`) when there are any.

A moderator of some organisations only gets the lines of their organisations' processes, without the signals (they
are about the whole deployment), and nothing on a day when none of those is open or closed.

One message per moderator per local day (key ``digest:<date>:person:<id>``); nothing is sent on a day with no
open or closed process.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.domain import ModerationStatus, Phase
from bot.i18n import translator
from bot.scheduling.messages import payload_for
from bot.scheduling.recipients import moderators, organisation_moderators, recipients_of
from bot.services import Services
from bot.services.abuse import AbuseWatch, thresholds_for
from bot.views.signals import signal_lines
from storage.models import Opinion

__all__ = ["send_digest"]

_OPINION = Opinion.__table__  # type: ignore[attr-defined]


def send_digest(services: Services, day: date) -> int:
    """Queue the digest of ``day`` to every moderator; returns how many were queued now."""
    processes = services.processes.list((Phase.OPEN, Phase.CLOSED))
    if not processes:
        return 0
    with services.context.connection() as connection:
        pending: dict[int, int] = dict(
            connection.execute(
                select(_OPINION.c.process_id, func.count())
                .where(_OPINION.c.status == ModerationStatus.PENDING.value)
                .group_by(_OPINION.c.process_id)
            ).all()
        )
        people = moderators(connection)
        scoped = organisation_moderators(connection)
        people += recipients_of(connection, scoped)
    turnout = {info.slug: services.results.turnout(info.slug) for info in processes}
    thresholds = thresholds_for(services.context)
    signals = AbuseWatch(services.context, thresholds).recent(24)
    definitions = {info.slug: info.definition for info in processes}  # districts by their names
    queued = 0
    for person in people:
        organisations = scoped.get(person.person_id)
        theirs = [info for info in processes if organisations is None or info.organisation in organisations]
        if not theirs:
            continue
        t = translator(person.language, services.context.zone)
        lines = [t("scheduler.digest.header", day=day.strftime("%d.%m.%Y"))]
        for info in theirs:
            figures = turnout[info.slug]
            lines.append("")
            lines.append(f"{info.title(t.language)} ({info.slug}) — {t('phase.' + info.phase.value)}")
            lines.append(t("scheduler.digest.turnout", count=figures.participants, eligible=figures.eligible_known))
            lines.append(t("scheduler.digest.pending", count=int(pending.get(info.id, 0))))
        if signals and organisations is None:
            lines += ["", t("abuse.digest.header"), *signal_lines(signals, t, thresholds, definitions)]
        text = "\n".join(lines)
        queued += services.outbox.enqueue(
            key=f"digest:{day.isoformat()}:person:{person.person_id}",
            channel=person.channel,
            address=person.address,
            purpose="digest",
            person_id=person.person_id,
            payload=payload_for(person.channel, subject=t("scheduler.digest.subject"), text=text, language=t.language),
        )
    return queued
