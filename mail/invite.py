"""Invitations: one e-mail per roster member, with the ballot in plain text and a personal reply address.

:func:`invite_roster` queues, for every e-mail address on the process's roster, an invitation carrying a new
reply token (stored hashed, in the same transaction as the queued message). A member already invited is
skipped (the outbox key ``mail.invite:<slug>:<person>`` is unique), so running it again after adding people
to the roster invites only the new ones.
"""

from __future__ import annotations

from bot.ballot_text import item_number
from bot.definition import ProcessDefinition
from bot.domain import BallotRuleKind, Channel, EligibilityMode, ItemKind, VerifyMode
from bot.i18n import Translator, translator
from bot.services import Services
from bot.services.eligibility import area_names
from bot.services.outbox import mail_payload
from bot.views.examples import pool_example
from bot.views.notice import notice_lines
from mail.addressing import MailAddressing
from mail.compose import render
from mail.tokens import ReplyTokens, TokenOwner, issue_token, new_message_id

__all__ = ["invitation_rules", "invitation_text", "invite_roster"]


def invitation_rules(definition: ProcessDefinition, t: Translator, *, area_known: bool = False) -> list[str]:
    """How to answer each pool of ``definition``, with an example built from its own items and ballot rule
    (the same :func:`bot.views.examples.pool_example` the chat shows, which the parser accepts). ``area_known``:
    the member's roster line names their area (an NGO's municipality), so they are not asked for it."""
    rules: list[str] = []
    verify = definition.eligibility.verify
    if verify is not VerifyMode.DECLARED:  # the member proves residence once, in a line of the reply
        rules.append(t(f"mail.invite.rule.{verify.value}"))
    eligibility = definition.eligibility
    if eligibility.mode is EligibilityMode.DECLARED_DISTRICT and eligibility.districts and area_known:
        rules.append(t(f"mail.invite.rule.area_known.{eligibility.area}"))  # from the roster: nothing to write
    elif eligibility.mode is EligibilityMode.DECLARED_DISTRICT and eligibility.districts:
        # the member declares the area in a line of the reply, as /dzielnica does in chat
        # named as the member reads it (the parser takes any of its names), never by its key
        rules.append(t(f"mail.invite.rule.{eligibility.area}", example=area_names(definition)[0]))
    if eligibility.mode is EligibilityMode.INVITE_CODE:
        rules.append(t("mail.invite.rule.code"))
    if definition.rounds > 1:
        rules.append(t("mail.invite.rule.rounds"))
        # when round 2 takes answers: at the briefing's time, or once the organiser says it was held
        if definition.briefing_at is not None:
            rules.append(t("process.round2_at", when=definition.briefing_at))
        else:
            rules.append(t("process.round2_after_briefing"))
    for pool in definition.pools:
        if not definition.items_of(pool.key):
            continue
        example = pool_example(definition, pool, t.language)
        kind = pool.ballot.rule
        if kind is BallotRuleKind.YES_NO_ABSTAIN:
            rules.append(t("mail.invite.rule.yes_no", example=example))
        elif kind in (BallotRuleKind.CUMULATIVE, BallotRuleKind.SCORE):
            rules.append(t("mail.invite.rule.points", example=example))
        elif kind is BallotRuleKind.RANKING:
            rules.append(t("mail.invite.rule.ranking", example=example))
        else:
            rules.append(t("mail.invite.rule.choice", example=example))
    return rules


def invitation_text(
    definition: ProcessDefinition,
    t: Translator,
    bot: str,
    *,
    telegram_link: str = "",
    area_known: bool = False,
    page_link: str = "",
) -> tuple[str, str]:
    """(plain text, HTML) of the invitation to ``definition`` in ``t``'s language.

    The same for every member of a process who reads that language (nothing personal is in it: the reply token
    travels in the headers only), so what we sent can be rendered again to recognise it in a reply
    (:mod:`mail.sent`) without keeping anyone's copy. The one exception is ``telegram_link``, the member's own
    "vote in Telegram" deep link (:mod:`bot.services.linking`), which :mod:`mail.sent` renders as a wildcard, and
    ``area_known`` (the member's roster line names their area), which :mod:`mail.sent` renders both ways.
    ``page_link`` is the consultation's document page (every unit with its remarks, anchors per unit), when the
    web page is on; a consultation's notice (organiser, meetings) is part of it (:func:`bot.views.notice`).
    """
    items = [
        (item_number(definition, item.key), item.title.get(t.language))
        for item in definition.items
        if item.kind is not ItemKind.SECTION
    ]
    sections = [
        (item.number or item.key, item.title.get(t.language))
        for item in definition.items
        if item.kind is ItemKind.SECTION
    ]
    return render(
        "invitation",
        t,
        title=definition.title.get(t.language),
        description=definition.description.get(t.language) if definition.description else "",
        closes_at=t.datetime(definition.closes_at) if definition.closes_at else "",
        items=items,
        sections=sections,
        rules=invitation_rules(definition, t, area_known=area_known),
        bot=bot,
        telegram_link=telegram_link,
        notice=notice_lines(definition, t),
        page_link=page_link if sections else "",
    )


def invite_roster(services: Services, addressing: MailAddressing, slug: str, *, page_link: str = "") -> int:
    """Queue an invitation for each roster member (e-mail) of process ``slug`` not invited yet; returns how many.
    ``page_link`` is the consultation's document page (``…/p/SLUG/projekt``), "" when there is no web page."""
    info = services.processes.get(slug)
    queued = 0
    process_id = info.id
    tokens = ReplyTokens(services.context)
    for address, name, area in services.eligibility.roster_lines(process_id, Channel.EMAIL):
        person = services.people.identify(Channel.EMAIL, address, display_name=name or None)
        key = f"mail.invite:{info.slug}:{person.person_id}"
        if services.outbox.queued(key):
            continue
        # One unit per member: the reply token, the deep-link token and the queued invitation commit together.
        with services.context.unit():
            definition = info.definition
            t = translator(person.language, services.context.zone)
            owner = TokenOwner(process_id, person.person_id, address)
            message_id = new_message_id(addressing.reply_domain)
            now = services.context.clock.now()
            token = issue_token(tokens, services.context.secret, owner, now, message_id=message_id)
            title = definition.title.get(t.language)
            link = ""
            if services.context.telegram_username:
                # a one-time token, stored as an HMAC; the queued e-mail holds only its placeholder
                placeholder = services.linking.issue_token(person.person_id)
                link = f"https://t.me/{services.context.telegram_username}?start={placeholder}"
            text, html = invitation_text(
                definition,
                t,
                services.context.bot_name,
                telegram_link=link,
                area_known=area is not None,
                page_link=page_link,
            )
            headers = {
                "Message-ID": message_id,
                "Reply-To": addressing.reply_to(token),
                "List-Unsubscribe": addressing.unsubscribe(token),
            }
            services.outbox.enqueue(
                key=key,
                channel=Channel.EMAIL,
                address=address,
                purpose="mail.invitation",
                payload=mail_payload(
                    addressing.subject(t("mail.invite.subject", title=title), token),
                    text,
                    html,
                    headers,
                    language=t.language,
                ),
                person_id=person.person_id,
            )
            queued += 1
    return queued
