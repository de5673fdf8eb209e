"""Argument helpers shared by the command handlers: which process a command is about, ids, dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.base import Invocation
from bot.errors import InputError, NotFound

__all__ = ["parse_local_datetime", "parse_positive_int", "take_process"]


def take_process(inv: Invocation, *, required: bool = True) -> tuple[str | None, str]:
    """Split the arguments into (process slug, the rest).

    The first word is the slug when a process of that name exists; otherwise the process the person last
    talked about (``/start SLUG`` remembers it) is used. With ``required`` and no process known, the caller is
    told how to name one.
    """
    words = inv.args.split(maxsplit=1)
    if words:
        candidate = words[0].lower()
        if inv.services.processes.find(candidate) is not None:
            inv.services.dialogue.remember(inv.caller.person_id, inv.caller.channel, process=candidate)
            return candidate, words[1] if len(words) > 1 else ""
    remembered = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("process")
    if remembered is None and required:
        if words and len(words[0]) < 41 and words[0].isascii() and words[0].replace("-", "").isalnum():
            raise NotFound("process.not_found", slug=words[0])
        raise InputError("process.which", command=inv.command)
    return remembered, inv.args


def parse_positive_int(text: str, *, what: str) -> int:
    """A positive whole number or :class:`InputError` (``input.not_a_number``)."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdigit() or int(cleaned) < 1:
        raise InputError("input.not_a_number", value=text[:40], what=what)
    return int(cleaned)


def parse_local_datetime(text: str, zone: ZoneInfo) -> datetime:
    """``2027-06-30 23:59``, ``2027-06-30T23:59`` or ``30.06.2027 23:59`` in local time (or with an offset)."""
    cleaned = text.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            moment = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        if "%H" not in pattern:
            moment = moment.replace(hour=23, minute=59)
        return moment.replace(tzinfo=zone)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError("input.bad_date", value=text[:40]) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
