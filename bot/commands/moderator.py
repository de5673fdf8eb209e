"""Moderator and admin commands: import, open, close, extend, publish, turnout, opinions, codes, paper
ballots, exports and roles. The command table marks each with the role it needs; the dispatcher checks it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ballot_text import parse_ballot_text
from bot.commands.args import (
    confirm_remembered,
    ensure_moderates,
    parse_local_datetime,
    parse_positive_int,
    refuse_other_organisation,
    take_named_process,
    take_process,
)
from bot.commands.base import Invocation
from bot.commands.names import command_in
from bot.commands.verification import paper_resident
from bot.definition import load_definition
from bot.domain import Channel, ModerationStatus, ResponseStatus, RoleName
from bot.errors import InputError
from bot.exports import export_process
from bot.replies import Button, Document, Reply
from bot.rosters import read_roster
from bot.views.process import district_name, process_line
from bot.views.turnout import turnout_lines

__all__ = [
    "cmd_approve",
    "cmd_close",
    "cmd_codes",
    "cmd_export",
    "cmd_extend",
    "cmd_grant",
    "cmd_import",
    "cmd_open",
    "cmd_opinions",
    "cmd_paper",
    "cmd_publish",
    "cmd_reject",
    "cmd_respond",
    "cmd_revoke",
    "cmd_roster",
    "cmd_turnout",
]

MAX_DEFINITION_BYTES = 512_000

_RESPONSES = {
    "uwzgledniono": ResponseStatus.ACCEPTED,
    "uwzględniono": ResponseStatus.ACCEPTED,
    "accepted": ResponseStatus.ACCEPTED,
    "czesciowo": ResponseStatus.PARTIAL,
    "częściowo": ResponseStatus.PARTIAL,
    "partial": ResponseStatus.PARTIAL,
    "nie_uwzgledniono": ResponseStatus.REJECTED,
    "nie_uwzględniono": ResponseStatus.REJECTED,
    "rejected": ResponseStatus.REJECTED,
}


def _slug(inv: Invocation, *, more: bool = True) -> tuple[str, str]:
    slug, rest = take_process(inv, more=more)
    assert slug is not None
    return slug, rest


def _named(inv: Invocation, *, more: bool = True) -> tuple[str, str, Reply | None]:
    """The process a state-changing command acts on; when it was not named, the question that confirms the
    remembered one (the command then does nothing until a button or a named command says so)."""
    slug, rest, named = take_named_process(inv, more=more)
    assert slug is not None
    return slug, rest, None if named else confirm_remembered(inv, slug, rest)


def cmd_import(inv: Invocation) -> Sequence[Reply]:
    """Create or replace a draft process from a TOML definition sent as a file."""
    if inv.attachment is None:
        raise InputError("import.needs_file")
    if len(inv.attachment) > MAX_DEFINITION_BYTES:
        raise InputError("import.too_large", max=MAX_DEFINITION_BYTES)
    try:
        text = inv.attachment.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("import.not_utf8") from exc
    definition = load_definition(text, inv.attachment_name or "definition.toml")
    # a moderator of some organisations imports only their processes, and replaces only their drafts
    if not inv.caller.moderates_organisation(definition.organisation):
        refuse_other_organisation(inv)
    if inv.services.processes.find(definition.slug) is not None:
        ensure_moderates(inv, definition.slug)
    info = inv.services.processes.import_definition(definition, actor_id=inv.caller.person_id)
    return [
        Reply(
            inv.t("import.done", slug=info.slug, title=info.title(inv.t.language)),
            buttons=((Button(inv.t("button.open"), f"{command_in('otworz', inv.t.language)} {info.slug}"),),),
        )
    ]


def cmd_open(inv: Invocation) -> Sequence[Reply]:
    """Open a draft process for voting and opinions."""
    slug, _, confirm = _named(inv, more=False)
    if confirm is not None:
        return [confirm]
    info = inv.services.processes.open(slug, actor_id=inv.caller.person_id)
    return [Reply(inv.t("process.opened", line=process_line(info, inv.t)))]


def cmd_close(inv: Invocation) -> Sequence[Reply]:
    """Close an open process now."""
    slug, _, confirm = _named(inv, more=False)
    if confirm is not None:
        return [confirm]
    info = inv.services.processes.close(slug, actor_id=inv.caller.person_id)
    return [
        Reply(
            inv.t("process.closed", line=process_line(info, inv.t)),
            buttons=((Button(inv.t("button.publish"), f"{command_in('opublikuj', inv.t.language)} {slug}"),),),
        )
    ]


def cmd_extend(inv: Invocation) -> Sequence[Reply]:
    """Move the closing time: ``/przedluz SLUG 2027-07-07 23:59``."""
    slug, rest, confirm = _named(inv)
    if not rest.strip():
        raise InputError("extend.which")
    if confirm is not None:
        return [confirm]
    when = parse_local_datetime(rest, inv.services.context.zone)
    info = inv.services.processes.extend(slug, when, actor_id=inv.caller.person_id)
    return [Reply(inv.t("process.extended", line=process_line(info, inv.t)))]


def cmd_publish(inv: Invocation) -> Sequence[Reply]:
    """Publish the results of a closed process."""
    slug, _, confirm = _named(inv, more=False)
    if confirm is not None:
        return [confirm]
    info = inv.services.processes.publish(slug, actor_id=inv.caller.person_id)
    return [Reply(inv.t("process.published", line=process_line(info, inv.t)))]


def cmd_turnout(inv: Invocation) -> Sequence[Reply]:
    """How many took part, by channel and district."""
    slug, _ = _slug(inv, more=False)
    turnout = inv.services.results.turnout(slug)
    info = inv.services.processes.get(slug)
    title = info.title(inv.t.language)  # the process by its title, as every reply names it
    lines = [inv.t("turnout.total", title=title, count=turnout.participants, eligible=turnout.eligible_known)]
    number = inv.t.number  # "4 200", as every other figure
    lines += [f"  {inv.t('channel.' + channel)}: {number(count)}" for channel, count in turnout.by_channel.items()]
    lines += turnout_lines(turnout.by_kind, {}, inv.t)  # a consultation's authors: NGOs and residents
    if turnout.by_district:
        definition = info.definition
        municipal = definition.eligibility.area == "municipality"  # an index's areas are not districts
        lines.append(inv.t("turnout.by_municipality" if municipal else "turnout.by_district"))
        lines += [
            f"  {district_name(definition, district, inv.t.language)}: {number(count)}"
            for district, count in sorted(turnout.by_district.items())
        ]
    return [Reply("\n".join(lines))]


def cmd_opinions(inv: Invocation) -> Sequence[Reply]:
    """Opinions waiting for moderation (``/opinie SLUG wszystkie`` lists all)."""
    slug, rest = _slug(inv)
    show_all = rest.strip().lower() in ("wszystkie", "all")
    status = None if show_all else ModerationStatus.PENDING
    opinions = inv.services.opinions.list(slug, status=status)
    if not opinions:
        return [Reply(inv.t("opinions.none", slug=slug))]
    replies = []
    for opinion in opinions:
        where = (opinion.section_number or f"§{opinion.section}") if opinion.section else inv.t("opinion.general")
        text = inv.t(
            "opinions.item",
            id=opinion.id,
            where=where,
            status=inv.t("moderation." + opinion.status.value),
            text=opinion.text,
            channel=inv.t("channel." + opinion.channel.value),
        )
        buttons: tuple[tuple[Button, ...], ...] = ()
        if opinion.status is ModerationStatus.PENDING:
            buttons = (
                (
                    Button(inv.t("button.approve"), f"{command_in('zatwierdz', inv.t.language)} {opinion.id}"),
                    Button(inv.t("button.reject"), f"{command_in('odrzuc', inv.t.language)} {opinion.id}"),
                ),
            )
        replies.append(Reply(text, buttons=buttons))
    return replies


def _opinion(inv: Invocation, text: str) -> int:
    """The opinion id in ``text``, once the caller is known to moderate its process's organisation."""
    opinion_id = parse_positive_int(text, what="id")
    ensure_moderates(inv, inv.services.opinions.process_of(opinion_id))
    return opinion_id


def _moderate(inv: Invocation, status: ModerationStatus) -> Sequence[Reply]:
    opinion_id = _opinion(inv, inv.args)
    view = inv.services.opinions.moderate(opinion_id, status, actor_id=inv.caller.person_id)
    return [Reply(inv.t("opinion.moderated", id=view.id, status=inv.t("moderation." + status.value)))]


def cmd_approve(inv: Invocation) -> Sequence[Reply]:
    """Approve an opinion for the report."""
    return _moderate(inv, ModerationStatus.APPROVED)


def cmd_reject(inv: Invocation) -> Sequence[Reply]:
    """Reject an opinion (it stays in the store, not in the public report)."""
    return _moderate(inv, ModerationStatus.REJECTED)


def cmd_respond(inv: Invocation) -> Sequence[Reply]:
    """The authority's position: ``/odpowiedz ID uwzgledniono|czesciowo|nie_uwzgledniono justification``."""
    parts = inv.args.split(maxsplit=2)
    if len(parts) < 3 or parts[1].lower() not in _RESPONSES:
        raise InputError("respond.usage")
    opinion_id = _opinion(inv, parts[0])
    status = _RESPONSES[parts[1].lower()]
    view = inv.services.opinions.respond(opinion_id, status, parts[2], actor_id=inv.caller.person_id)
    return [Reply(inv.t("opinion.responded", id=view.id, status=inv.t("response." + status.value)))]


def cmd_codes(inv: Invocation) -> Sequence[Reply]:
    """Issue invite codes: ``/kody SLUG 50``; they come back as a text file (shown once, stored hashed)."""
    slug, rest, confirm = _named(inv)
    if confirm is not None:
        return [confirm]
    count = parse_positive_int(rest or "", what="count")
    codes = inv.services.eligibility.issue_codes(slug, count, actor_id=inv.caller.person_id)
    content = ("\n".join(codes) + "\n").encode()
    return [
        Reply(
            inv.t("codes.issued", count=count, slug=slug, title=inv.services.processes.get(slug).title(inv.t.language)),
            document=Document(f"{slug}-kody.txt", content, "text/plain"),
        )
    ]


def cmd_roster(inv: Invocation) -> Sequence[Reply]:
    """Add people to a process's roster from an attached CSV: e-mail addresses, Telegram ids or @usernames."""
    slug, _ = _slug(inv, more=False)
    if inv.attachment is None:
        raise InputError("roster.needs_file")
    try:
        text = inv.attachment.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = inv.attachment.decode("cp1250", errors="replace")  # Excel in Polish Windows saves CSV so
    roster = read_roster(text)
    added = inv.services.eligibility.import_roster(slug, roster.rows, actor_id=inv.caller.person_id)
    # a member named by e-mail and Telegram id together is one person with one ballot from the start
    inv.services.linking.pair_roster(roster.pairs, language=inv.services.people.default_language)
    return [Reply(inv.t("roster.imported", count=added, slug=slug, skipped=roster.skipped))]


def cmd_paper(inv: Invocation) -> Sequence[Reply]:
    """Enter a paper ballot: ``/papierowy SLUG [dzielnica=KEY] [[name, address] | pesel=NUMBER] ballot``.

    Where residents are verified the voter's name and address (in brackets) or PESEL comes before the ballot.
    """
    slug, rest = _slug(inv)
    resident, rest = paper_resident(rest)
    district = None
    words = rest.split(maxsplit=1)
    if words and words[0].lower().startswith(("dzielnica=", "district=")):
        district = words[0].split("=", 1)[1]
        rest = words[1] if len(words) > 1 else ""
    if resident is None:
        resident, rest = paper_resident(rest)
    info = inv.services.processes.get(slug)
    ballot = parse_ballot_text(info.definition, rest, district=district)
    receipt = inv.services.voting.cast_paper(
        slug, ballot, district=district, actor_id=inv.caller.person_id, resident=resident
    )
    return [Reply(inv.t("paper.accepted", slug=slug, receipt=receipt))]


def cmd_export(inv: Invocation) -> Sequence[Reply]:
    """Export a process: ``/eksport SLUG csv|json|pb`` (results only once they are visible to moderators)."""
    slug, rest, confirm = _named(inv)
    if confirm is not None:
        return [confirm]
    fmt = (rest.strip().lower() or "csv").lstrip(".")
    document = export_process(inv.services, slug, fmt)
    title = inv.services.processes.get(slug).title(inv.t.language)
    return [Reply(inv.t("export.ready", slug=slug, title=title, format=fmt), document=document)]


def _target(inv: Invocation) -> tuple[Channel, str, RoleName, str | None]:
    """``ADDRESS ROLE [ORGANISATION]`` of ``/nadaj_role`` and ``/odbierz_role``."""
    parts = inv.args.split()
    if len(parts) not in (2, 3):
        raise InputError("roles.usage")
    address, role_name = parts[:2]
    organisation = parts[2].lower() if len(parts) == 3 else None
    roles = {"moderator": RoleName.MODERATOR, "admin": RoleName.ADMIN, "administrator": RoleName.ADMIN}
    if role_name.lower() not in roles:
        raise InputError("roles.usage")
    role = roles[role_name.lower()]
    channel_name, sep, value = address.partition(":")
    channels = {"telegram": Channel.TELEGRAM, "email": Channel.EMAIL, "console": Channel.CONSOLE}
    if sep and channel_name.lower() in channels:
        return channels[channel_name.lower()], value, role, organisation
    if "@" in address:
        return Channel.EMAIL, address, role, organisation
    if address.isdigit():
        return Channel.TELEGRAM, address, role, organisation
    raise InputError("roles.usage")


def cmd_grant(inv: Invocation) -> Sequence[Reply]:
    """Give a role: ``/nadaj_role telegram:123 moderator [ORGANISATION]`` (admins only); with an organisation the
    moderator acts on that organisation's processes only."""
    channel, address, role, organisation = _target(inv)
    inv.services.people.grant(inv.caller.person_id, channel, address, role, organisation=organisation)
    who = f"{channel.value}:{address}"
    if organisation is not None:
        name = inv.services.organisations.get(organisation).name
        return [Reply(inv.t("roles.granted_organisation", who=who, role=role.value, organisation=name))]
    return [Reply(inv.t("roles.granted", who=who, role=role.value))]


def cmd_revoke(inv: Invocation) -> Sequence[Reply]:
    """Take a role away (admins only): for one organisation, or with no organisation every grant of it."""
    channel, address, role, organisation = _target(inv)
    done = inv.services.people.revoke(inv.caller.person_id, channel, address, role, organisation=organisation)
    who = f"{channel.value}:{address}"
    if organisation is not None:
        name = inv.services.organisations.get(organisation).name
        key = "roles.revoked_organisation" if done else "roles.not_held_organisation"
        return [Reply(inv.t(key, who=who, role=role.value, organisation=name))]
    key = "roles.revoked" if done else "roles.not_held"
    return [Reply(inv.t(key, who=who, role=role.value))]
