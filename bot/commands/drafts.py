"""A moderator's upload of a draft document: ``/projekt SLUG`` with a DOCX, ODT, Markdown or text file.

It does what ``glos process import-document FILE --slug SLUG`` does: the draft is split into its units
(:mod:`bot.documents`) and stored as a consultation draft — no dates, not open — for the moderator to review,
date and open. In Telegram the file's caption is the command (``/projekt program-wspolpracy-2028``), or only the
slug: a draft file with any other caption is taken for ``/projekt CAPTION`` (:mod:`handlers.adapter`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.args import ensure_moderates, own_organisation
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.documents import draft_definition, read_document_bytes
from bot.errors import InputError
from bot.replies import Button, Reply

__all__ = ["MAX_DRAFT_BYTES", "cmd_draft"]

MAX_DRAFT_BYTES = 2 * 1024 * 1024  # a 30-page draft is some 100 kB; Telegram's own limit for bots is 20 MB
_LISTED_UNITS = 40  # the reply lists this many units, then says how many more
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_\-]{1,39}$")


def cmd_draft(inv: Invocation) -> Sequence[Reply]:
    """Import the attached draft as consultation ``SLUG`` (module docstring)."""
    if inv.attachment is None:
        raise InputError("draft.needs_file")
    slug = inv.args.strip().lower()
    if not _SLUG.match(slug):
        raise InputError("draft.needs_slug")
    if inv.services.processes.find(slug) is not None:
        ensure_moderates(inv, slug)  # replacing another organisation's draft is refused before anything is read
    if len(inv.attachment) > MAX_DRAFT_BYTES:
        raise InputError("draft.too_large", max=MAX_DRAFT_BYTES // 1024)
    document = read_document_bytes(inv.attachment_name or "projekt.txt", inv.attachment)
    definition = draft_definition(document, slug).model_copy(update={"organisation": own_organisation(inv)})
    info = inv.services.processes.import_definition(definition, actor_id=inv.caller.person_id)
    lines = [inv.t("document.imported", slug=info.slug, title=info.title(inv.t.language), count=len(document.units))]
    # one section per unit, in order: the unit gives the depth, the section the title (its own or its text's start)
    for unit, item in list(zip(document.units, definition.sections(), strict=True))[:_LISTED_UNITS]:
        title = item.title.get(inv.t.language)
        lines.append(f"{'  ' * unit.depth}{item.number}{' — ' + title if title != item.number else ''}")
    if len(document.units) > _LISTED_UNITS:
        lines.append(inv.t("draft.more_units", count=len(document.units) - _LISTED_UNITS))
    show = f"{command_in('proces', inv.t.language)} {info.slug}"
    return [Reply("\n".join(lines), buttons=((Button(inv.t("draft.review"), show),),))]
