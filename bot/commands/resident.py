"""Commands for everybody: start, help, language, reading processes, eligibility, voting, opinions, results.

Each handler turns an :class:`~bot.commands.base.Invocation` into replies through the services; the decisions
(eligible? valid? open?) are the services'. Commands that concern a process take its slug as the first word,
or use the process the person last named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace

from bot.commands.args import take_process
from bot.commands.base import Invocation
from bot.commands.linking import is_link_token, link_from_start
from bot.commands.names import command_in
from bot.documents.citation import take_citation
from bot.domain import EligibilityMode, Phase, ProcessKind
from bot.errors import BallotError, InputError, NotEligible
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, translator
from bot.replies import Button, Document, Reply, Said, said
from bot.views.ballot import ballot_in_a_line, ballot_lines, readable
from bot.views.examples import example_ballot
from bot.views.labels import label
from bot.views.process import district_name, process_line, process_text
from bot.views.results import results_text

__all__ = [
    "cmd_code",
    "cmd_district",
    "cmd_erase",
    "cmd_language",
    "cmd_my_data",
    "cmd_my_vote",
    "cmd_opinion",
    "cmd_process",
    "cmd_processes",
    "cmd_receipt",
    "cmd_results",
    "cmd_start",
    "cmd_vote",
    "cmd_withdraw",
]

_ROUND = re.compile(r"^(?:runda|round|раунд)\s*[=:]?\s*(\d)\s+", re.IGNORECASE)


# Dialogue state: the language question was asked (or a language chosen), and the /start it interrupted.
_LANGUAGE_ASKED = "language_asked"
_START_AFTER_LANGUAGE = "start_after_language"


def cmd_start(inv: Invocation) -> Sequence[Reply]:
    """Welcome; with a slug (deep link), remember the process and show it with the next step.

    A first ``/start`` from a client whose language is none of ours asks for a language first (buttons, the
    question in each language); the choice (:func:`cmd_language`) then answers this ``/start`` in it.
    """
    if inv.caller.language_unknown:
        state = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel)
        if not state.get(_LANGUAGE_ASKED):
            inv.services.dialogue.update(
                inv.caller.person_id, inv.caller.channel, **{_LANGUAGE_ASKED: True, _START_AFTER_LANGUAGE: inv.args}
            )
            question = "\n".join(translator(code)("language.choose") for code in LANGUAGES)
            return [Reply(question, buttons=language_buttons(command_in("jezyk", inv.t.language)))]
    return _start(inv)


def _start(inv: Invocation) -> list[Reply]:
    t = inv.t
    welcome = t("start.welcome", name=inv.services.context.bot_name)
    if not inv.args:
        return [Reply(welcome + "\n" + t("start.choose_process")), *cmd_processes(inv)]
    if is_link_token(inv.args.strip()):  # an e-mail invitation's "vote in Telegram" link
        return [Reply(welcome), *link_from_start(inv, inv.args.strip())]
    slug, _ = take_process(inv)
    assert slug is not None
    return [Reply(welcome), *cmd_process(inv), *_next_step(inv, slug)]


MAX_DISTRICTS = 30  # district buttons shown at most (one per row)


def _next_step(inv: Invocation, slug: str) -> list[Reply]:
    """What the person must do before taking part, if anything."""
    info = inv.services.processes.get(slug)
    if info.phase is not Phase.OPEN:
        return []
    try:
        inv.services.eligibility.check(slug, inv.caller.person_id)
    except NotEligible as refusal:
        mode = info.definition.eligibility.mode
        buttons: tuple[tuple[Button, ...], ...] = ()
        # A button per district, unless the list is long (a survey of every municipality of a region): Telegram
        # takes at most 100 buttons, and the refusal's text names every district with the command to type.
        if mode is EligibilityMode.DECLARED_DISTRICT and len(info.definition.eligibility.districts) <= MAX_DISTRICTS:
            buttons = tuple(
                (
                    Button(
                        district_name(info.definition, key, inv.t.language),
                        f"{command_in('dzielnica', inv.t.language)} {slug} {key}",
                    ),
                )
                for key in info.definition.eligibility.districts
            )
        return [Reply(inv.t(refusal.key, **refusal.params), buttons=buttons)]
    verify = info.definition.eligibility.verify
    if not inv.services.verification.is_verified(slug, inv.caller.person_id):
        button = Button(inv.t("verify.button"), f"{command_in('mieszkaniec', inv.t.language)} {slug}")
        return [Reply(inv.t(f"verify.needed.{verify.value}", slug=slug), buttons=((button,),))]
    return []


def language_buttons(command: str = "/jezyk") -> tuple[tuple[Button, ...], ...]:
    """One row with a button per language, each named in itself (Polski, English, Українська)."""
    return (tuple(Button(LANGUAGE_NAMES[code], f"{command} {code}") for code in LANGUAGES),)


def cmd_language(inv: Invocation) -> Sequence[Reply]:
    """Switch the person's language (pl, en, uk); without one (or with an unknown one), offer buttons."""
    wanted = inv.args.strip().lower()[:2]
    if not wanted:
        return [Reply(inv.t("language.choose"), buttons=language_buttons(command_in("jezyk", inv.t.language)))]
    if wanted not in LANGUAGES:
        return [
            Reply(
                inv.t("language.unknown", languages=", ".join(LANGUAGES)),
                buttons=language_buttons(command_in("jezyk", inv.t.language)),
            )
        ]
    inv.services.people.set_language(inv.caller.person_id, wanted)
    state = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel)
    started = state.get(_START_AFTER_LANGUAGE)
    inv.services.dialogue.update(
        inv.caller.person_id, inv.caller.channel, **{_LANGUAGE_ASKED: True, _START_AFTER_LANGUAGE: None}
    )
    done = Reply(translator(wanted)("language.set"))
    if not isinstance(started, str):
        return [done]
    # The /start that asked for the language, answered now in the language chosen.
    chosen = replace(
        inv, caller=replace(inv.caller, language=wanted), t=translator(wanted, inv.t.timezone), args=started
    )
    return [done, *_start(chosen)]


def cmd_processes(inv: Invocation) -> Sequence[Reply]:
    """Processes one can take part in or read results of."""
    listed = inv.services.processes.list((Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED))
    if inv.caller.may_moderate:  # and the drafts of what they moderate
        listed = [
            info
            for info in inv.services.processes.list()
            if info.phase is not Phase.DRAFT or inv.caller.moderates_organisation(info.organisation)
        ]
    if not listed:
        return [Reply(inv.t("processes.none"))]
    lines = [inv.t("processes.header")] + [f"• {process_line(info, inv.t)}" for info in listed]
    buttons = tuple(
        (Button(label("", info.title(inv.t.language)), f"{command_in('proces', inv.t.language)} {info.slug}"),)
        for info in listed[:8]
    )
    return [Reply("\n".join(lines), buttons=buttons)]


def cmd_process(inv: Invocation) -> Sequence[Reply]:
    """The process described: dates, pools and projects, sections or questions, how to take part."""
    slug, _ = take_process(inv, more=False)
    assert slug is not None
    info = inv.services.processes.get(slug)
    if info.phase is Phase.DRAFT and not inv.caller.moderates_organisation(info.organisation):
        raise InputError("process.not_found", slug=slug)
    district = None
    with suppress(NotEligible):
        district = inv.services.eligibility.check(slug, inv.caller.person_id).district
    if info.kind is ProcessKind.CONSULTATION:  # the draft is read unit by unit, with a remark button on each
        read = Button(inv.t("reading.start"), f"{command_in('czytaj', inv.t.language)} {slug}")
        return [Reply(process_text(info, inv.t, district=district), buttons=((read,),))]
    return [Reply(process_text(info, inv.t, district=district))]


def cmd_district(inv: Invocation) -> Sequence[Reply]:
    """Declare one's district (one district per voter)."""
    slug, rest = take_process(inv)
    assert slug is not None
    info = inv.services.processes.get(slug)
    area = info.definition.eligibility.area
    if not rest.strip():
        raise InputError("district.which_" + area, slug=slug)
    key = inv.services.eligibility.declare_district(slug, inv.caller.person_id, rest)
    name = district_name(info.definition, key, inv.t.language)
    pools = any(pool.district is not None for pool in info.definition.pools)
    saved = said(inv.t, "district.set" if pools else "district.set_plain", district=name, slug=slug)
    return [saved, Reply(process_text(info, inv.t, district=key))]


def cmd_code(inv: Invocation) -> Sequence[Reply]:
    """Redeem an invite code."""
    slug, rest = take_process(inv)
    assert slug is not None
    if not rest.strip():
        raise InputError("code.which")
    title = inv.services.processes.get(slug).definition.title  # read before the write: no extra statement
    inv.services.eligibility.redeem_code(slug, inv.caller.person_id, rest.strip())
    return [said(inv.t, "code.accepted", slug=slug, title=title)]


def cmd_vote(inv: Invocation) -> Sequence[Reply]:
    """Cast or change a ballot written as text (``city: 1, 2; wesola: 12``, ``TAK``, ``3 > 1 > 2`` …)."""
    slug, rest = take_process(inv)
    assert slug is not None
    round_no = 1
    match = _ROUND.match(rest)
    if match:
        round_no, rest = int(match.group(1)), rest[match.end() :]
    info = inv.services.processes.get(slug)
    if info.kind is ProcessKind.CONSULTATION:
        raise InputError("vote.consultation", slug=slug)
    if not rest.strip():
        district = None  # the example shows the voter's own district's pool
        if info.phase is Phase.OPEN:
            district = inv.services.eligibility.check(slug, inv.caller.person_id).district
        raise InputError("vote.empty", slug=slug, example=example_ballot(info.definition, inv.t.language, district))
    # the text is read as a ballot by the voting service, with the voter's district (one rule for every channel)
    try:
        result = inv.services.voting.cast(slug, inv.caller.person_id, rest, inv.caller.channel, round_no=round_no)
    except BallotError as refusal:
        raise readable(info.definition, refusal) from None
    key = "vote.changed" if result.replaced else "vote.accepted"
    summary = ballot_lines(info.definition, result.ballot, inv.t)
    # the ballot in one line, by titles (never "1: TAK"), for a channel that lists it as one line (e-mail)
    written = ballot_in_a_line(info.definition, result.ballot, inv.t)
    title = info.definition.title
    return [said(inv.t, key, slug=slug, title=title, ballot=summary, written=written, receipt=result.receipt)]


def cmd_my_vote(inv: Invocation) -> Sequence[Reply]:
    """Show the person's counted ballot."""
    slug, _ = take_process(inv, more=False)
    assert slug is not None
    info = inv.services.processes.get(slug)
    ballots = [
        (round_no, inv.services.voting.current_ballot(slug, inv.caller.person_id, round_no=round_no))
        for round_no in range(1, info.definition.rounds + 1)
    ]
    shown = [
        inv.t("myvote.round", round=round_no, ballot=ballot_lines(info.definition, ballot, inv.t))
        if info.definition.rounds > 1
        else ballot_lines(info.definition, ballot, inv.t)
        for round_no, ballot in ballots
        if ballot
    ]
    if not shown:
        return [Reply(inv.t("myvote.none", slug=slug, title=info.definition.title))]
    return [Reply(inv.t("myvote.ballot", slug=slug, title=info.definition.title, ballot="\n".join(shown)))]


def cmd_withdraw(inv: Invocation) -> Sequence[Reply]:
    """Withdraw the ballot (it stops being counted; one may vote again until closing)."""
    slug, _ = take_process(inv, more=False)
    assert slug is not None
    title = inv.services.processes.get(slug).definition.title  # read before the write: no extra statement
    inv.services.voting.withdraw(slug, inv.caller.person_id, inv.caller.channel)
    return [Reply(inv.t("vote.withdrawn", slug=slug, title=title))]


def cmd_opinion(inv: Invocation) -> Sequence[Reply]:
    """Send an opinion on the whole process or on a unit: ``/opinia §3 text``, ``/opinia § 3 ust. 2 pkt 1: text``."""
    slug, rest = take_process(inv)
    assert slug is not None
    section, rest = take_citation(rest.strip(), loose=True)
    # read before the opinion is written: the unit still has the process take_process read (a write forgets it)
    title = inv.services.processes.get(slug).definition.title
    opinion_id = inv.services.opinions.submit(slug, inv.caller.person_id, rest, inv.caller.channel, section=section)
    if section is None:
        return [said(inv.t, "opinion.accepted", id=opinion_id, slug=slug, title=title)]
    if section[:1].isdigit() or "." not in section:  # "§3" or a section key, as before units
        return [said(inv.t, "opinion.accepted_section", id=opinion_id, section=section, slug=slug, title=title)]
    return [said(inv.t, "opinion.accepted_unit", id=opinion_id, unit=section, slug=slug, title=title)]


def cmd_results(inv: Invocation) -> Sequence[Reply]:
    """The results, when they are visible."""
    slug, _ = take_process(inv, more=False)
    assert slug is not None
    info = inv.services.processes.get(slug)
    results = inv.services.results.results(slug, moderator=inv.caller.moderates_organisation(info.organisation))
    tally = inv.services.report.tally(slug) if info.kind is ProcessKind.CONSULTATION else None
    return [Reply(results_text(info, results, inv.t, tally=tally))]


def cmd_receipt(inv: Invocation) -> Sequence[Reply]:
    """Check that a receipt is among the counted ballots (it never shows the ballot)."""
    slug, rest = take_process(inv)
    assert slug is not None
    if not rest.strip():
        raise InputError("receipt.which")
    counted = inv.services.voting.verify_receipt(slug, rest.strip())
    return [Reply(inv.t("receipt.counted" if counted else "receipt.unknown", slug=slug))]


def cmd_my_data(inv: Invocation) -> Sequence[Reply]:
    """Everything the bot holds about the caller, as a JSON file."""
    data = inv.services.privacy.export(inv.caller.person_id)
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return [Reply(inv.t("privacy.export"), document=Document("moje-dane.json", content, "application/json"))]


def cmd_erase(inv: Invocation) -> Sequence[Reply]:
    """Erase the caller's personal data; asks for confirmation first (``/usun_dane TAK``)."""
    if inv.args.strip().lower() not in ("tak", "yes", "так"):
        # the word privacy.confirm asks for in the reader's language ("/delete_my_data YES")
        word = {"en": "YES", "uk": "ТАК"}.get(inv.t.language, "TAK")
        button = Button(inv.t("privacy.confirm_button"), f"{command_in('usun_dane', inv.t.language)} {word}")
        # said: e-mail words the question its own way (which line to write back, mail/wording.py)
        return [Reply(inv.t("privacy.confirm"), buttons=((button,),), said=Said("privacy.confirm"))]
    t = inv.t
    inv.services.privacy.erase(inv.caller.person_id)
    return [said(t, "privacy.erased")]
