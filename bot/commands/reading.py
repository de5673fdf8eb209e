"""Reading a consultation's draft unit by unit, and a remark on the unit being read.

``/czytaj SLUG [N [P]]`` (``/read``) shows unit N (1 = the first, in the document's order) with its text — part P
of it when the text is longer than a chat message takes (:data:`PAGE_CHARS`, well under Telegram's 4,096
characters with the heading) — and three buttons: the previous and the next part or unit, and "Zgłoś uwagę do
§ N", which runs ``/uwaga_do SLUG KEY`` (``/remark_on``). That one waits for the person's next message
(:mod:`bot.commands.pending`: the wait is stored, so it survives a restart) and sends it as a remark on that unit,
exactly as ``/opinia SLUG § N treść`` would; ``/anuluj`` gives up.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.args import take_process
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.commands.pending import Pending, forget, new_flow_id, pending, wait_for
from bot.definition import Item, ProcessDefinition
from bot.domain import Phase, ProcessKind
from bot.errors import GlosError, InputError
from bot.replies import Button, Reply
from bot.summaries.split import split_text

__all__ = ["PAGE_CHARS", "READ", "REMARK", "cmd_read", "cmd_remark_on", "on_remark_text"]

READ = "czytaj"
REMARK = "uwaga_do"
_WRITE_AGAIN = ("opinion.empty", "opinion.too_long")  # the person may write the remark again, shorter
PAGE_CHARS = 3500  # a part of a unit's text; the heading and the part's number stay under 4,096 with it


def _units(inv: Invocation, slug: str) -> tuple[ProcessDefinition, list[Item]]:
    info = inv.services.processes.get(slug)
    if info.phase is Phase.DRAFT and not inv.caller.is_moderator:
        raise InputError("process.not_found", slug=slug)
    if info.kind is not ProcessKind.CONSULTATION:
        raise InputError("reading.not_a_document", slug=slug)
    return info.definition, info.definition.sections()


def _position(words: list[str], count: int) -> tuple[int, int]:
    """(unit index from 0, part from 1) out of ``N [P]``; the first unit when none is given."""
    try:
        unit = int(words[0]) if words else 1
        part = int(words[1]) if len(words) > 1 else 1
    except ValueError as error:
        raise InputError("reading.which", count=count) from error
    if not 1 <= unit <= count or part < 1:
        raise InputError("reading.which", count=count)
    return unit - 1, part


def _pages(item: Item, language: str) -> list[str]:
    text = item.text.get(language) if item.text else ""
    return split_text(text, PAGE_CHARS) if text else [""]


def cmd_read(inv: Invocation) -> Sequence[Reply]:
    """One unit of the draft (or one part of a long one) with the buttons to move on and to remark on it."""
    slug, rest = take_process(inv)
    assert slug is not None
    definition, units = _units(inv, slug)
    index, part = _position(rest.split(), len(units))
    t, language = inv.t, inv.t.language
    item = units[index]
    pages = _pages(item, language)
    part = min(part, len(pages))
    number = item.number or str(index + 1)
    title = item.title.get(language)
    lines = [
        t("reading.header", title=definition.title.get(language), unit=index + 1, count=len(units)),
        f"{number} — {title}" if title and title != number else number,
    ]
    if pages[part - 1]:
        lines += ["", pages[part - 1]]
    if len(pages) > 1:
        lines += ["", t("reading.part", part=part, parts=len(pages))]
    read = command_in(READ, language)
    moves: list[Button] = []
    if part > 1:
        moves.append(Button(t("reading.previous"), f"{read} {slug} {index + 1} {part - 1}"))
    elif index > 0:
        last = len(_pages(units[index - 1], language))
        moves.append(Button(t("reading.previous"), f"{read} {slug} {index}" + (f" {last}" if last > 1 else "")))
    if part < len(pages):
        moves.append(Button(t("reading.next"), f"{read} {slug} {index + 1} {part + 1}"))
    elif index + 1 < len(units):
        moves.append(Button(t("reading.next"), f"{read} {slug} {index + 2}"))
    remark = Button(t("reading.remark_on", unit=number), f"{command_in(REMARK, language)} {slug} {item.key}")
    return [Reply("\n".join(lines), buttons=(tuple(moves), (remark,)) if moves else ((remark,),))]


def cmd_remark_on(inv: Invocation) -> Sequence[Reply]:
    """``/uwaga_do SLUG KEY``: the person's next message is their remark on that unit."""
    slug, rest = take_process(inv)
    assert slug is not None
    _, units = _units(inv, slug)
    key = rest.strip()
    item = next((unit for unit in units if unit.key == key), None)
    if item is None:
        raise InputError("opinion.unknown_section", section=key)
    context = inv.services.context
    with context.reading() as connection:  # refused now, not after the person has written the remark
        state = context.state(connection, slug)
    inv.services.voting.require_open(state, context.clock.now())
    number = item.number or item.key
    wait_for(inv.services, inv.caller, Pending(REMARK, new_flow_id(), "text", {"slug": slug, "unit": item.key}))
    return [Reply(inv.t("reading.write_remark", unit=number))]


def on_remark_text(inv: Invocation) -> Sequence[Reply]:
    """The awaited message: a remark on the unit ``/uwaga_do`` named, sent as ``/opinia`` sends one."""
    step = pending(inv.services, inv.caller)
    assert step is not None and step.command == REMARK
    slug, unit = str(step.data.get("slug", "")), str(step.data.get("unit", ""))
    try:
        opinion_id = inv.services.opinions.submit(
            slug, inv.caller.person_id, inv.args, inv.caller.channel, section=unit
        )
    except GlosError as refusal:
        if refusal.key not in _WRITE_AGAIN:  # closed meanwhile, not eligible: waiting on would refuse every message
            forget(inv.services, inv.caller)
        raise
    forget(inv.services, inv.caller)
    definition = inv.services.processes.get(slug).definition
    number = next((item.number for item in definition.sections() if item.key == unit), unit)
    title = definition.title
    return [Reply(inv.t("opinion.accepted_unit", id=opinion_id, unit=number or unit, slug=slug, title=title))]
