"""Verified residents: ``/mieszkaniec`` (a voter gives name and address, or a PESEL, once), the committee's
``/weryfikacja`` report and the register upload ``/rejestr``.

``/mieszkaniec SLUG Jan Kowalski, ul. Długa 12 m. 5`` verifies at once; ``/mieszkaniec SLUG`` alone asks for it
as a guided step (the next plain text answers; :mod:`bot.commands.pending`), so nothing personal has to be typed
after a command name. Only the process's slug is kept in the pending step, never the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.commands.args import take_process
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.commands.pending import Pending, forget, new_flow_id, pending, wait_for
from bot.domain import VerifyMode
from bot.errors import GlosError, InputError
from bot.replies import Button, Reply, said
from bot.views.verification import verification_lines

__all__ = [
    "COMMAND",
    "cmd_register",
    "cmd_resident",
    "cmd_verification_report",
    "on_text",
    "paper_resident",
]

COMMAND = "mieszkaniec"
MAX_REGISTER_BYTES = 200_000_000  # a city of a million residents is about 60 MB of CSV


def cmd_resident(inv: Invocation) -> Sequence[Reply]:
    """Verify as a resident: ``/mieszkaniec SLUG name, address`` or ``/pesel SLUG NUMBER``; alone, it asks."""
    slug, rest = take_process(inv)
    assert slug is not None
    info = inv.services.processes.get(slug)
    mode = info.definition.eligibility.verify
    if mode is VerifyMode.DECLARED:
        raise InputError("verify.not_needed", slug=slug)
    if not rest.strip():
        wait_for(inv.services, inv.caller, Pending(COMMAND, new_flow_id(), "resident", {"slug": slug}))
        return [Reply(inv.t(f"verify.ask.{mode.value}", slug=slug))]
    return _verify(inv, slug, rest)


def on_text(inv: Invocation) -> Sequence[Reply]:
    """The answer to the guided step: the name and address (or PESEL) typed as plain text."""
    step = pending(inv.services, inv.caller)
    if step is None or step.command != COMMAND:
        return [Reply(inv.t("error.not_a_command"))]
    slug = str(step.data.get("slug", ""))
    try:
        replies = _verify(inv, slug, inv.args)
    except GlosError as refusal:
        if refusal.key == "verify.too_many":
            forget(inv.services, inv.caller)
            raise
        # asked again: the person may correct a typo (attempts are limited by the service)
        return [Reply(inv.t(refusal.key, **refusal.params) + "\n" + inv.t("verify.again"))]
    forget(inv.services, inv.caller)
    return replies


def _verify(inv: Invocation, slug: str, text: str) -> list[Reply]:
    mode = inv.services.verification.verify(slug, inv.caller.person_id, inv.caller.channel, text)
    button = Button(inv.t("verify.vote_button"), f"{command_in('proces', inv.t.language)} {slug}")
    return [replace(said(inv.t, f"verify.done.{mode.value}", slug=slug), buttons=((button,),))]


def cmd_verification_report(inv: Invocation) -> Sequence[Reply]:
    """``/weryfikacja SLUG``: what the committee checks — failed attempts, shared residents, replacements."""
    slug, _ = take_process(inv)
    assert slug is not None
    report = inv.services.verification.report(slug)
    return [Reply("\n".join(verification_lines(report, inv.t)))]


def cmd_register(inv: Invocation) -> Sequence[Reply]:
    """``/rejestr SLUG`` with a CSV file attached: import the city's register (only HMACs are kept)."""
    slug, rest = take_process(inv)
    assert slug is not None
    if inv.attachment is None:
        raise InputError("register.needs_file")
    if len(inv.attachment) > MAX_REGISTER_BYTES:
        raise InputError("register.too_large")
    try:
        text = inv.attachment.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = inv.attachment.decode("cp1250", errors="replace")  # a CSV saved by Excel on Polish Windows
    replace = rest.strip().lower() in ("zastap", "zastąp", "replace")
    result = inv.services.verification.import_register(
        slug, iter(text.splitlines()), actor_id=inv.caller.person_id, replace=replace
    )
    return [
        Reply(
            inv.t("register.imported", count=result.read - result.skipped, slug=slug)
            + "\n"
            + inv.t("register.new", count=result.added)
            + ("\n" + inv.t("register.skipped", count=result.skipped) if result.skipped else "")
        )
    ]


def paper_resident(text: str) -> tuple[str | None, str]:
    """Split a paper ballot's ``[name, address]`` or ``pesel=NUMBER`` prefix from the ballot: (resident, rest)."""
    stripped = text.lstrip()
    if stripped.startswith("["):
        inside, bracket, rest = stripped[1:].partition("]")
        if bracket:
            return inside.strip(), rest
    words = stripped.split(maxsplit=1)
    if words and words[0].lower().startswith("pesel="):
        return words[0].split("=", 1)[1], words[1] if len(words) > 1 else ""
    return None, text
