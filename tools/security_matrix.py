"""The "who may do what" table of ``docs/SECURITY.md``, rendered from the command table itself.

``python -m tools.security_matrix`` rewrites the part of ``docs/SECURITY.md`` between the two markers. The
rendering follows each command's ``role`` (:func:`bot.commands.table.allowed`); ``tests/core/test_core_roles.py``
runs every command for every role through the real dispatcher, checks that what happens is what this table says,
and checks that the file holds exactly this rendering — so the document cannot go stale when a command is added.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.commands.base import Caller, Command
from bot.commands.registry import build_table
from bot.commands.table import allowed
from bot.domain import Channel, RoleName

__all__ = [
    "BEGIN",
    "END",
    "ORGANISATION_HEADING",
    "ORGANISATION_SCOPE",
    "ROLES",
    "RoleColumn",
    "may_run",
    "organisation_cell",
    "render_matrix",
    "update_document",
]

BEGIN = "<!-- roles-matrix:begin (python -m tools.security_matrix) -->"
END = "<!-- roles-matrix:end -->"
DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "SECURITY.md"


@dataclass(frozen=True)
class RoleColumn:
    """One column of the table: who the caller is, on which channel, with which global roles."""

    key: str
    heading: str
    channel: Channel
    roles: frozenset[RoleName]


ROLES: tuple[RoleColumn, ...] = (
    RoleColumn("stranger", "stranger (new Telegram user)", Channel.TELEGRAM, frozenset()),
    RoleColumn("resident", "resident (Telegram)", Channel.TELEGRAM, frozenset()),
    RoleColumn("ngo_member", "NGO member (e-mail, on a roster)", Channel.EMAIL, frozenset()),
    RoleColumn("moderator", "moderator (global)", Channel.TELEGRAM, frozenset({RoleName.MODERATOR})),
    RoleColumn("admin", "admin", Channel.TELEGRAM, frozenset({RoleName.ADMIN})),
)


ORGANISATION_HEADING = "moderator of organisation A, on B's process"
ORGANISATION_SCOPE: dict[str, str] = {
    "importuj": "process",
    "projekt": "process",
    "nowa_ankieta": "own",
    "otworz": "process",
    "zamknij": "process",
    "przedluz": "process",
    "opublikuj": "process",
    "spotkanie_odbyte": "process",
    "frekwencja": "process",
    "opinie": "process",
    "zatwierdz": "opinion",
    "odrzuc": "opinion",
    "odpowiedz": "opinion",
    "kody": "process",
    "lista": "process",
    "rejestr": "process",
    "weryfikacja": "process",
    "papierowy": "process",
    "eksport": "process",
    "ogloszenie": "process",
    "udostepnij": "process",
    "status": "deployment",
    "sygnaly": "deployment",
}
"""What each moderator command acts on, for a moderator of one organisation (A): a process (named or remembered;
an imported definition's or an uploaded draft's slug), an opinion (its process), the whole deployment (refused:
only global moderators and admins), or something it creates (a poll of A).
``tests/core/test_core_roles_organisations.py`` runs every one against organisation B's process and fails on a
moderator command missing here."""


def organisation_cell(command: Command) -> str:
    """What a moderator of organisation A gets from ``command`` aimed at organisation B's process."""
    if command.role is None:
        return "yes"
    if command.role is RoleName.ADMIN:
        return "**refused**"
    scope = ORGANISATION_SCOPE[command.name]
    if scope == "deployment":
        return "**refused** (whole deployment)"
    if scope == "own":
        return "yes (the poll is A's)"
    return "**refused**"


def may_run(command: Command, column: RoleColumn) -> bool:
    """Whether a caller of ``column`` may run ``command`` (the dispatcher's own rule)."""
    caller = Caller(0, column.channel, "", "en", column.roles)
    return allowed(command, caller) and column.channel in command.channels


def render_matrix(commands: Iterable[Command]) -> str:
    """A Markdown table: one row per command (name and aliases), one column per role, and the last column for a
    moderator of one organisation acting on another organisation's process."""
    header = "| command | " + " | ".join(column.heading for column in ROLES) + f" | {ORGANISATION_HEADING} |"
    rule = "|---|" + "---|" * (len(ROLES) + 1)
    rows = [header, rule]
    for command in commands:
        names = " ".join(f"`/{name}`" for name in command.names)
        cells = ["yes" if may_run(command, column) else "**refused**" for column in ROLES]
        cells.append(organisation_cell(command))
        rows.append(f"| {names} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def update_document(text: str, matrix: str) -> str:
    """``text`` with the part between the markers replaced by ``matrix``."""
    head, found, rest = text.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are missing")
    return f"{head}{BEGIN}\n{matrix}\n{END}{tail}"


def main() -> int:
    """Rewrite the matrix in ``docs/SECURITY.md``; prints whether it changed."""
    old = DOCUMENT.read_text(encoding="utf-8")
    new = update_document(old, render_matrix(build_table()))
    if new != old:
        DOCUMENT.write_text(new, encoding="utf-8")
        print(f"{DOCUMENT}: matrix updated")
    else:
        print(f"{DOCUMENT}: matrix up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
