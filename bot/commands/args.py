"""Argument helpers shared by the command handlers: which process a command is about, ids, dates."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.domain import Phase, RoleName
from bot.errors import InputError, NotAllowed, NotFound
from bot.replies import Button, Reply

__all__ = [
    "closest_processes",
    "confirm_remembered",
    "ensure_global_moderator",
    "ensure_moderates",
    "own_organisation",
    "parse_local_datetime",
    "parse_positive_int",
    "refuse_other_organisation",
    "take_named_process",
    "take_process",
    "unknown_process",
]


def take_process(inv: Invocation, *, required: bool = True, more: bool = True) -> tuple[str | None, str]:
    """Split the arguments into (process slug, the rest) — never guessing a process.

    The first word is the slug when a process of that name exists. A first word that is not one is refused
    (with the closest names) when the command takes nothing after the process (``more`` False: ``/zamknij
    indeks2027``), or when it is close to a process name (``/glosuj bo2028 city: 1``); otherwise it is the
    command's own argument (``/glosuj TAK``, ``/dzielnica wesola``) and the process the person last talked
    about (``/start SLUG`` remembers it) is meant. With ``required`` and no process known, the caller is told
    how to name one.
    """
    slug, rest, _named = take_named_process(inv, required=required, more=more)
    return slug, rest


def take_named_process(inv: Invocation, *, required: bool = True, more: bool = True) -> tuple[str | None, str, bool]:
    """:func:`take_process`, also saying whether the process was named (True) or remembered (False). A process
    the channel gave with the invocation (``inv.process``) is named, and the whole ``args`` are the rest.

    For a moderator command the caller must moderate the process's organisation (:func:`ensure_moderates`):
    every moderator command that names a process takes it here, so none can act on another organisation's.
    """
    if inv.process is not None:
        _check_organisation(inv, inv.process)
        return inv.process, inv.args, True
    words = inv.args.split(maxsplit=1)
    if words:
        candidate = words[0].lower()
        if inv.services.processes.find(candidate) is not None:
            _check_organisation(inv, candidate)  # before remembering it: a refused command leaves no trace
            inv.services.dialogue.remember(inv.caller.person_id, inv.caller.channel, process=candidate)
            return candidate, words[1] if len(words) > 1 else "", True
        close = closest_processes(inv, candidate)
        if close or (not more and _looks_like_a_name(words[0])):
            raise unknown_process(words[0], close)
    remembered = inv.services.dialogue.get(inv.caller.person_id, inv.caller.channel).get("process")
    if remembered is None and required:
        if words and _looks_like_a_name(words[0]) and not more:
            raise unknown_process(words[0], [])
        raise InputError("process.which", command=command_in(inv.command, inv.t.language)[1:])
    if remembered is not None:
        _check_organisation(inv, remembered)
    return remembered, inv.args, False


def _check_organisation(inv: Invocation, slug: str) -> None:
    if inv.role is RoleName.MODERATOR:
        ensure_moderates(inv, slug)


def ensure_moderates(inv: Invocation, slug: str) -> None:
    """Refuse (``error.other_organisation``, audited as ``command.refused``) a moderator command on a process of
    an organisation the caller does not moderate. Global moderators and admins moderate every process; a
    moderator of some organisations only theirs. The refusal names the caller's organisations, not the process's.
    """
    if inv.caller.is_moderator:
        return
    info = inv.services.processes.find(slug)
    if info is not None and inv.caller.moderates_organisation(info.organisation):
        return
    refuse_other_organisation(inv, process_id=info.id if info is not None else None)


def own_organisation(inv: Invocation) -> str | None:
    """The organisation a process the caller creates (a poll, an uploaded draft) belongs to: none for a global
    moderator or an admin (as before organisations), the caller's one organisation otherwise; a moderator of several
    is asked to import a definition naming one (``organisation.several``)."""
    if inv.caller.is_moderator or not inv.caller.moderates:
        return None
    if len(inv.caller.moderates) > 1:
        raise InputError("organisation.several", organisations=", ".join(sorted(inv.caller.moderates)))
    return next(iter(inv.caller.moderates))


def ensure_global_moderator(inv: Invocation) -> None:
    """Refuse a moderator command about the whole deployment (the scheduler and outbox status, the anti-abuse
    signals) to a moderator of some organisations only (``error.whole_deployment_only``, audited)."""
    if inv.caller.is_moderator:
        return
    with inv.services.context.transaction() as session:
        inv.services.context.audit(
            session, "command.refused", actor_person_id=inv.caller.person_id, command=inv.command, reason="deployment"
        )
    raise NotAllowed("error.whole_deployment_only", command=inv.command)


def refuse_other_organisation(inv: Invocation, *, process_id: int | None = None) -> NoReturn:
    """Audit the refusal of a moderator command outside the caller's organisations and raise it."""
    with inv.services.context.transaction() as session:
        inv.services.context.audit(
            session,
            "command.refused",
            actor_person_id=inv.caller.person_id,
            process_id=process_id,
            command=inv.command,
            reason="organisation",
        )
    names = []
    for slug in sorted(inv.caller.moderates):
        found = inv.services.organisations.find(slug)
        names.append(found.name if found is not None else slug)
    raise NotAllowed("error.other_organisation", command=inv.command, organisations=", ".join(names) or "-")


def _looks_like_a_name(word: str) -> bool:
    return len(word) < 41 and word.isascii() and word.replace("-", "").replace("_", "").isalnum()


def closest_processes(inv: Invocation, word: str) -> list[str]:
    """Up to three process names close to ``word`` (drafts only for moderators, who can see them)."""
    phases = None if inv.caller.is_moderator else (Phase.OPEN, Phase.CLOSED, Phase.PUBLISHED)
    slugs = [info.slug for info in inv.services.processes.list(phases)]
    folded = word.lower()
    close = difflib.get_close_matches(folded, slugs, n=3, cutoff=0.75)
    # "indeks2027" for "indeks-2027": the same name without its separators is a match whatever the ratio
    bare = folded.replace("-", "").replace("_", "")
    same = [slug for slug in slugs if slug.replace("-", "").replace("_", "") == bare and slug not in close]
    return same + close[: 3 - len(same)]


def unknown_process(word: str, close: list[str]) -> NotFound:
    """The refusal for a name that is no process, with the closest names when there are any."""
    shown = word[:40]
    if len(close) == 1:
        return NotFound("process.not_found_one", slug=shown, suggestion=close[0])
    if close:
        return NotFound("process.not_found_many", slug=shown, suggestions=", ".join(close))
    return NotFound("process.not_found", slug=shown)


_SHOWN_COMMAND = 200  # characters of the command a confirmation question quotes


def confirm_remembered(inv: Invocation, slug: str, rest: str) -> Reply:
    """Ask before a state-changing command acts on the remembered process: its name and title, and a button
    that sends the same command with the name written out. A long argument (an announcement's text) is shown
    shortened in the question — the button carries it whole — so the question stays within a chat message."""
    info = inv.services.processes.get(slug)
    command = f"{command_in(inv.command, inv.t.language)} {slug} {rest}".strip()
    shown = command if len(command) <= _SHOWN_COMMAND else command[: _SHOWN_COMMAND - 1].rstrip() + "…"
    return Reply(
        inv.t("process.confirm", slug=slug, title=info.title(inv.t.language), command=shown),
        buttons=((Button(inv.t("process.confirm_button", slug=slug), command),),),
    )


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
