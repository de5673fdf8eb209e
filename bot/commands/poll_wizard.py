"""``/nowa_ankieta`` (``/new_poll``): a moderator creates a simple poll by answering one question at a time.

The steps: title → question → options → closing time → results visibility → a summary with Confirm / Cancel.
Each answer is plain text (or a button); the step waiting for it is kept in the store
(:mod:`bot.commands.pending`), so the wizard continues where it was after a restart. A bad answer (empty,
too long, a closing time in the past, a single option …) gets a translated reason and the same question again.
Nothing is stored as a process until the moderator confirms; ``/anuluj`` drops it all.

Options come one per message (then "gotowe" / "done", or the button, when there are enough), or several in
one message — one per line, or separated by commas — which is then the whole list: 2 to 10 options of at most
100 characters. The closing time is local (Europe/Warsaw): ``2026-12-01 18:00``, ``01.12.2026 18:00``, a date
alone (23:59 that day), or a number of days from now.

The poll becomes a draft ``vote`` process: one pool whose ballot is ``one_of`` (pick one option) counted by
plurality, open to everybody, secret, with the results visibility chosen, under a slug made from the title
(``-2``, ``-3`` … when taken). ``/otworz SLUG`` opens it.

Buttons send ``/nowa_ankieta FLOW:STEP VALUE``; a button from another run or an earlier step is answered as
stale and changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from bot.commands.args import own_organisation, parse_local_datetime
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.commands.pending import Pending, forget, new_flow_id, pending, wait_for
from bot.definition import ProcessDefinition
from bot.definition.model import BallotRule, CountingRule, Eligibility, Item, LocalizedText, Pool
from bot.domain import (
    MAIN_POOL,
    BallotRuleKind,
    CountingRuleKind,
    EligibilityMode,
    ItemKind,
    ProcessKind,
    ResultsVisibility,
)
from bot.errors import InputError, NotFound
from bot.replies import Button, Reply

__all__ = [
    "COMMAND",
    "MAX_DAYS",
    "MAX_OPTION",
    "MAX_OPTIONS",
    "MAX_QUESTION",
    "MAX_TITLE",
    "MIN_OPTIONS",
    "cmd_new_poll",
    "on_text",
    "poll_slug",
]

COMMAND = "nowa_ankieta"
MAX_TITLE = 200
MAX_QUESTION = 1000
MAX_OPTION = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_DAYS = 366
_SLUG_BASE = 30  # leaves room for a "-NN" suffix under the definition's 40 characters
_SLUG_ATTEMPTS = 5  # slugs taken by others between choosing one and creating the draft, before giving up


class ExistsError(Exception):
    """The slug chosen for the poll was taken by another process in the meantime."""


_BUTTON = re.compile(r"^([0-9a-f]{6}):([a-z]+)(?:\s+(.*))?$", re.DOTALL)
_DONE = {"gotowe", "koniec", "done", "ok"}
_YES = {"tak", "potwierdz", "potwierdź", "yes", "confirm"}
_NO = {"nie", "anuluj", "no", "cancel"}
_VISIBILITIES = (ResultsVisibility.LIVE, ResultsVisibility.AFTER_CLOSE, ResultsVisibility.AFTER_PUBLISH)
_POLISH = str.maketrans({"ł": "l", "Ł": "L"})  # ł has no decomposition to strip


def cmd_new_poll(inv: Invocation) -> Sequence[Reply]:
    """Start the wizard (text after the command is taken as the title), or take a button's answer."""
    match = _BUTTON.match(inv.args)
    if match is not None:
        step = pending(inv.services, inv.caller)
        if step is None or step.command != COMMAND or (step.flow, step.step) != match.group(1, 2):
            return [Reply(inv.t("flows.poll.stale"))]
        return _answer(inv, step, match.group(3) or "")
    own_organisation(inv)  # a moderator of several organisations is told how to make one's poll before step 1
    step = Pending(COMMAND, new_flow_id(), "title", {})
    if inv.args.strip():
        return _answer(inv, step, inv.args)
    wait_for(inv.services, inv.caller, step)
    return [Reply(inv.t("flows.poll.intro")), _ask(inv, step)]


def on_text(inv: Invocation) -> Sequence[Reply]:
    """Plain text while the wizard waits: the answer to the pending step."""
    step = pending(inv.services, inv.caller)
    if step is None or step.command != COMMAND:
        return [Reply(inv.t("error.not_a_command"))]
    return _answer(inv, step, inv.args)


def _answer(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    """Run the step's handler; a refusal is explained and the same question asked again."""
    try:
        return _STEPS[step.step](inv, step, text.strip())
    except InputError as refusal:
        return [Reply(inv.t(refusal.key, **refusal.params)), _ask(inv, step)]


def _advance(inv: Invocation, step: Pending, next_step: str, **data: object) -> Pending:
    moved = Pending(step.command, step.flow, next_step, {**step.data, **data})
    wait_for(inv.services, inv.caller, moved)
    return moved


def _text(text: str, limit: int) -> str:
    if not text:
        raise InputError("flows.poll.empty")
    if len(text) > limit:
        raise InputError("flows.poll.too_long", max=limit, length=len(text))
    return text


def _title(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    return [_ask(inv, _advance(inv, step, "question", title=_text(text, MAX_TITLE)))]


def _question(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    return [_ask(inv, _advance(inv, step, "options", question=_text(text, MAX_QUESTION)))]


def _options(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    options: list[str] = list(step.data.get("options", []))
    if text.casefold() in _DONE:
        if len(options) < MIN_OPTIONS:
            raise InputError("flows.poll.options_too_few", min=MIN_OPTIONS)
        return [_ask(inv, _advance(inv, step, "closes"))]
    # One per line keeps commas inside an option; a single line is split on commas.
    parts = [part.strip() for part in (text.splitlines() if "\n" in text else text.split(","))]
    parts = [part for part in parts if part]
    if not parts:
        raise InputError("flows.poll.empty")
    seen = {option.casefold() for option in options}
    for part in parts:
        if len(part) > MAX_OPTION:
            raise InputError("flows.poll.option_too_long", max=MAX_OPTION, option=part[:40] + "…")
        if part.casefold() in seen:
            raise InputError("flows.poll.option_twice", option=part)
        seen.add(part.casefold())
    options += parts
    if len(options) > MAX_OPTIONS:
        raise InputError("flows.poll.options_too_many", max=MAX_OPTIONS)
    complete = (len(parts) > 1 and len(options) >= MIN_OPTIONS) or len(options) == MAX_OPTIONS
    moved = _advance(inv, step, "closes" if complete else "options", options=options)
    if complete:
        return [_ask(inv, moved)]
    return [Reply(inv.t("flows.poll.option_added", count=len(options))), _ask(inv, moved)]


def _closes(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    now = inv.services.context.clock.now()
    zone = inv.services.context.zone
    if text.isdigit():
        days = int(text)
        if not 1 <= days <= MAX_DAYS:
            raise InputError("flows.poll.days_range", max=MAX_DAYS)
        closes = (now + timedelta(days=days)).astimezone(zone).replace(second=0, microsecond=0)
    else:
        try:
            closes = parse_local_datetime(text, zone)
        except InputError as error:
            raise InputError("flows.poll.bad_date", value=text[:40]) from error
    if closes <= now:
        raise InputError("flows.poll.date_past", when=closes)
    return [_ask(inv, _advance(inv, step, "visibility", closes_at=closes.isoformat()))]


def _visibility(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    wanted = text.casefold()
    for number, visibility in enumerate(_VISIBILITIES, start=1):
        names = {str(number), visibility.value, inv.t("flows.poll.visibility." + visibility.value).casefold()}
        if wanted in names:
            return [_ask(inv, _advance(inv, step, "confirm", results=visibility.value))]
    raise InputError("flows.poll.visibility_unknown")


def _confirm(inv: Invocation, step: Pending, text: str) -> list[Reply]:
    wanted = text.casefold()
    if wanted in _NO:
        forget(inv.services, inv.caller)
        return [Reply(inv.t("flows.cancel.done"))]
    if wanted not in _YES:
        raise InputError("flows.poll.confirm_which")
    data = step.data
    for _attempt in range(_SLUG_ATTEMPTS):
        # Create-only: a moderator saving a poll of the same title at the same moment takes the next number
        # instead of overwriting this draft (or this one theirs).
        with suppress(ExistsError):
            return _create(inv, data, poll_slug(inv, str(data["title"])))
    raise InputError("process.exists", slug=poll_slug(inv, str(data["title"])))


def _create(inv: Invocation, data: dict[str, Any], slug: str) -> list[Reply]:
    """Create the poll's draft as ``slug`` (:class:`ExistsError` when the slug was taken meanwhile)."""
    definition = ProcessDefinition(
        slug=slug,
        kind=ProcessKind.VOTE,
        organisation=own_organisation(inv),
        title=LocalizedText(pl=str(data["title"])),
        description=LocalizedText(pl=str(data["question"])),
        secret=True,
        results=ResultsVisibility(str(data["results"])),
        closes_at=datetime.fromisoformat(str(data["closes_at"])),
        eligibility=Eligibility(mode=EligibilityMode.OPEN),
        pools=[
            Pool(
                key=MAIN_POOL,
                ballot=BallotRule(rule=BallotRuleKind.ONE_OF),
                counting=CountingRule(rule=CountingRuleKind.PLURALITY),
            )
        ],
        items=[
            Item(key=str(number), kind=ItemKind.OPTION, title=LocalizedText(pl=str(option)))
            for number, option in enumerate(data["options"], start=1)
        ],
    )
    try:
        info = inv.services.processes.import_definition(definition, actor_id=inv.caller.person_id, replace=False)
    except InputError as error:
        if error.key == "process.exists":
            raise ExistsError from error
        raise
    forget(inv.services, inv.caller)
    return [
        Reply(
            inv.t("flows.poll.created", slug=info.slug, title=info.title(inv.t.language)),
            buttons=((Button(inv.t("button.open"), f"{command_in('otworz', inv.t.language)} {info.slug}"),),),
        )
    ]


_STEPS: dict[str, Callable[[Invocation, Pending, str], list[Reply]]] = {
    "title": _title,
    "question": _question,
    "options": _options,
    "closes": _closes,
    "visibility": _visibility,
    "confirm": _confirm,
}


def _ask(inv: Invocation, step: Pending) -> Reply:
    """The question of ``step`` (with its buttons)."""
    t, data = inv.t, step.data

    def button(label: str, value: str) -> Button:
        return Button(label, f"/{COMMAND} {step.flow}:{step.step} {value}")

    if step.step == "title":
        return Reply(t("flows.poll.ask_title", max=MAX_TITLE))
    if step.step == "question":
        return Reply(t("flows.poll.ask_question", title=data["title"], max=MAX_QUESTION))
    if step.step == "options":
        options = list(data.get("options", []))
        if not options:
            return Reply(t("flows.poll.ask_options", min=MIN_OPTIONS, max=MAX_OPTIONS, chars=MAX_OPTION))
        done = ((button(t("flows.poll.button_done"), "gotowe"),),) if len(options) >= MIN_OPTIONS else ()
        listed = "\n".join(f"{number}. {option}" for number, option in enumerate(options, start=1))
        return Reply(t("flows.poll.ask_more_options", options=listed, min=MIN_OPTIONS, max=MAX_OPTIONS), done)
    if step.step == "closes":
        example = (inv.services.context.clock.now() + timedelta(days=7)).astimezone(inv.services.context.zone)
        return Reply(t("flows.poll.ask_closes", example=example.strftime("%Y-%m-%d 18:00"), max=MAX_DAYS))
    if step.step == "visibility":
        rows = tuple(
            (button(t("flows.poll.visibility." + visibility.value), visibility.value),) for visibility in _VISIBILITIES
        )
        return Reply(t("flows.poll.ask_visibility"), rows)
    listed = "\n".join(f"{number}. {option}" for number, option in enumerate(data["options"], start=1))
    summary = t(
        "flows.poll.summary",
        title=data["title"],
        question=data["question"],
        options=listed,
        closes=datetime.fromisoformat(str(data["closes_at"])),
        visibility=t("flows.poll.visibility." + str(data["results"])),
    )
    return Reply(
        summary, ((button(t("flows.poll.button_confirm"), "tak"), button(t("flows.poll.button_cancel"), "nie")),)
    )


def poll_slug(inv: Invocation, title: str) -> str:
    """A slug made from ``title`` (ASCII, dashes), unique among the processes: ``-2``, ``-3`` … when taken."""
    ascii_title = unicodedata.normalize("NFKD", title.translate(_POLISH)).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:_SLUG_BASE].strip("-")
    if len(base) < 2:
        base = "ankieta"
    candidate, number = base, 1
    while True:
        try:
            inv.services.processes.get(candidate)
        except NotFound:
            return candidate
        number += 1
        candidate = f"{base}-{number}"
