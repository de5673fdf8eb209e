"""Sending a published result: the summary to the configured Telegram chats and the e-mail rosters, then the
chart with its caption, "your projects" to every voter of a budget, and, for a consultation, the authority's
answer to every author: one message per remark that has a position (``answer:<slug>:opinion:<id>``), on the
channel the remark came by (Telegram or e-mail), with the remark, the position and its justification.

Every message has its own outbox key (``summary:<slug>:…``, ``yours:<slug>:person:<id>``), so running this
twice — after a crash, or in two bot processes — queues each message once. Messages to one chat are queued in
reading order (the senders take a channel's messages oldest first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, select, true

from bot.domain import Channel, ModerationStatus, ProcessKind
from bot.i18n import translator
from bot.replies import Document, Reply
from bot.scheduling.messages import payload_for
from bot.scheduling.policy import SchedulePolicy
from bot.scheduling.recipients import recipients_of
from bot.services import Services
from bot.services.outbox import reply_payload
from bot.services.remarks import RemarkTally
from bot.services.sealing import open_ballot
from bot.summaries import Chart, SectionOpinions, split_text, summary_chart, summary_text, your_projects_text
from bot.summaries.index_map import index_map
from bot.views.index import places_of, ranking_text
from storage.models import Ballot, Identity, Item, Opinion, Participation, Person, ReminderOptOut, RosterEntry

__all__ = ["PublishReport", "section_opinions", "send_summary"]

_BALLOT = Ballot.__table__  # type: ignore[attr-defined]
_ITEM = Item.__table__  # type: ignore[attr-defined]
_OPINION = Opinion.__table__  # type: ignore[attr-defined]
_PARTICIPATION = Participation.__table__  # type: ignore[attr-defined]
_ROSTER = RosterEntry.__table__  # type: ignore[attr-defined]
_IDENTITY = Identity.__table__  # type: ignore[attr-defined]
_PERSON = Person.__table__  # type: ignore[attr-defined]
_OPT_OUT = ReminderOptOut.__table__  # type: ignore[attr-defined]
_ANSWERED_CHANNELS = (Channel.TELEGRAM.value, Channel.EMAIL.value)  # the console has no one to tell later
_QUOTE_CHARS = 300  # the remark is quoted in the answer, cut at a word


@dataclass(frozen=True)
class PublishReport:
    """How many messages were queued now, by kind."""

    chats: int
    emails: int
    personal: int
    answers: int = 0


def section_opinions(tally: RemarkTally, language: str) -> list[SectionOpinions]:
    """Published remarks per unit (in document order), then those on the document as a whole — as the report
    counts them (:mod:`bot.services.remarks`)."""
    t = translator(language)
    entries = [SectionOpinions(unit.number, unit.title_in(language), unit.published) for unit in tally.units]
    if tally.general:
        entries.append(SectionOpinions(None, t("summary.whole_document"), tally.general))
    return entries


def send_summary(services: Services, slug: str, policy: SchedulePolicy) -> PublishReport:
    """Queue the summary, the chart and the personal messages of the published process ``slug``."""
    info = services.processes.get(slug)
    results = services.results.results(slug, moderator=True)
    outbox = services.outbox
    link = policy.report_link(slug) if info.kind is ProcessKind.CONSULTATION else policy.link(slug)
    tally = services.report.tally(slug) if info.kind is ProcessKind.CONSULTATION else None

    def rendered(language: str) -> tuple[str, Chart]:
        """The summary and its chart in ``language``."""
        t = translator(language, services.context.zone)
        sections = section_opinions(tally, t.language) if tally is not None else None
        if info.definition.index is not None:
            # an index edition: its ranking (means with intervals and changes, nothing below min_responses), its map
            history = services.index.history(info.definition.index.key)
            edition = history.edition(info.definition.index.year)
            places = places_of(services)
            text = summary_text(info, results, t, link=link, ranking=ranking_text(history, edition, t, places))
            drawn = index_map(edition, t, places)
            return text, Chart(drawn.png, drawn.caption, ())
        text = summary_text(info, results, t, sections=sections, tally=tally, link=link)
        return text, summary_chart(info, results, t, sections=sections)

    text, chart = rendered(policy.language)  # the chats' language
    picture = Document(f"{slug}.png", chart.png, "image/png")
    chats = 0
    for chat in policy.chats:
        for number, part in enumerate(split_text(text), start=1):
            chats += outbox.enqueue(
                key=f"summary:{slug}:chat:{chat}:part:{number}",
                channel=Channel.TELEGRAM,
                address=str(chat),
                purpose="summary",
                payload=reply_payload(Reply(part)),
            )
        chats += outbox.enqueue(
            key=f"summary:{slug}:chat:{chat}:chart",
            channel=Channel.TELEGRAM,
            address=str(chat),
            purpose="summary",
            payload=reply_payload(Reply(chart.caption, document=picture)),
        )
    emails = 0
    with services.context.connection() as connection:
        # a member who answered STOP was promised no more messages about this process: not the summary either
        opted_out = (
            select(_OPT_OUT.c.person_id)
            .where(_OPT_OUT.c.process_id == info.id, _OPT_OUT.c.person_id == _IDENTITY.c.person_id)
            .correlate(_IDENTITY)
            .exists()
        )
        members = connection.execute(
            select(_ROSTER.c.address, _PERSON.c.language)
            .select_from(
                _ROSTER.outerjoin(
                    _IDENTITY,
                    (_IDENTITY.c.channel == Channel.EMAIL.value) & (_IDENTITY.c.address == _ROSTER.c.address),
                ).outerjoin(_PERSON, _PERSON.c.id == _IDENTITY.c.person_id)
            )
            .where(_ROSTER.c.process_id == info.id, _ROSTER.c.channel == Channel.EMAIL.value)
            .where(~opted_out)
            .order_by(_ROSTER.c.id)
        ).all()
        mails: dict[str, dict[str, Any]] = {}
        for address, language in members:
            language = language or policy.language  # each member reads it in their language
            if language not in mails:
                shown, drawn = (text, chart) if language == policy.language else rendered(language)
                t = translator(language, services.context.zone)
                mail = payload_for(
                    Channel.EMAIL,
                    subject=t("summary.subject", title=info.title(language)),
                    text=shown,
                    language=language,
                )
                mail["text"] += "\n\n" + drawn.caption
                mails[language] = mail
            emails += outbox.enqueue(
                key=f"summary:{slug}:email:{address}",
                channel=Channel.EMAIL,
                address=address,
                purpose="summary",
                payload=mails[language],
                connection=connection,
            )
    personal = _send_personal(services, info.id, slug) if info.kind is ProcessKind.BUDGET else 0
    answers = _send_answers(services, info.id, slug) if info.kind is ProcessKind.CONSULTATION else 0
    return PublishReport(chats, emails, personal, answers)


def _quote(text: str) -> str:
    return text if len(text) <= _QUOTE_CHARS else text[:_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


def _send_answers(services: Services, process_id: int, slug: str) -> int:
    """Queue the authority's position to the author of every remark that has one, once per remark."""
    info = services.processes.get(slug)
    ctx = services.context
    queued = 0
    with ctx.connection() as connection:
        rows = connection.execute(
            select(
                _OPINION.c.id,
                _OPINION.c.person_id,
                _OPINION.c.channel,
                _OPINION.c.text,
                _OPINION.c.response_status,
                _OPINION.c.response_text,
                _ITEM.c.number,
                _IDENTITY.c.address,
                _PERSON.c.language,
            )
            .select_from(_OPINION)
            .join(
                _IDENTITY, (_IDENTITY.c.person_id == _OPINION.c.person_id) & (_IDENTITY.c.channel == _OPINION.c.channel)
            )
            .join(_PERSON, _PERSON.c.id == _OPINION.c.person_id)
            .outerjoin(_ITEM, _ITEM.c.id == _OPINION.c.item_id)
            .where(
                _OPINION.c.process_id == process_id,
                _OPINION.c.response_status.is_not(None),
                _OPINION.c.status != ModerationStatus.WITHDRAWN.value,  # taken back: nothing to answer
                _OPINION.c.channel.in_(_ANSWERED_CHANNELS),
                _PERSON.c.erased_at.is_(None),
            )
            .order_by(_OPINION.c.id)
        ).all()
        for number, person_id, channel, text, status, justification, unit, address, language in rows:
            t = translator(language, ctx.zone)
            where = unit or t("answer.whole")  # "do całego dokumentu": the case the sentence needs
            body = t(
                "answer.text",
                number=number,
                title=info.title(t.language),
                unit=where,
                remark=_quote(text),
                position=t("response." + status),
                justification=justification or "",
            )
            queued += services.outbox.enqueue(
                key=f"answer:{slug}:opinion:{number}",
                channel=Channel(channel),
                address=address,
                purpose="answer",
                person_id=person_id,
                payload=payload_for(
                    Channel(channel),
                    subject=t("answer.subject", number=number, title=info.title(t.language)),
                    text=body,
                    language=t.language,
                ),
                connection=connection,
            )
    return queued


def _send_personal(services: Services, process_id: int, slug: str) -> int:
    info = services.processes.get(slug)
    results = services.results.results(slug, moderator=True)
    ctx = services.context
    queued = 0
    with ctx.connection() as connection:
        voters = connection.execute(
            select(_PARTICIPATION.c.person_id).where(
                _PARTICIPATION.c.process_id == process_id,
                _PARTICIPATION.c.round == 1,
                _PARTICIPATION.c.withdrawn == false(),
            )
        ).scalars()
        recipients = recipients_of(connection, voters)
        ballots = {
            row[0]: open_ballot(ctx.secret, row[1])
            for row in connection.execute(
                select(_BALLOT.c.ballot_key, _BALLOT.c.content).where(
                    _BALLOT.c.process_id == process_id,
                    _BALLOT.c.round == 1,
                    _BALLOT.c.is_current == true(),
                    _BALLOT.c.withdrawn == false(),
                )
            )
        }
        for recipient in recipients:
            # a verified resident's ballot is under the resident's key (bot/services/verification.py)
            content = ballots.get(services.verification.key_of(connection, process_id, recipient.person_id))
            if content is None:
                continue  # a paper ballot or a withdrawn vote: nothing personal to say
            t = translator(recipient.language, ctx.zone)
            text = your_projects_text(info, results, content, t)
            queued += services.outbox.enqueue(
                key=f"yours:{slug}:person:{recipient.person_id}",
                channel=recipient.channel,
                address=recipient.address,
                purpose="yours",
                person_id=recipient.person_id,
                payload=payload_for(
                    recipient.channel,
                    subject=t("summary.yours.subject", title=info.title(t.language)),
                    text=text,
                    language=t.language,
                ),
                connection=connection,
            )
    return queued
