"""The command table's building blocks: what a command is, who calls it, and what it answers.

A :class:`Command` is a small named object: a Polish name with English aliases, a help line and a usage line
(message ids), the role it needs, and a handler. Every front-end (console, Telegram, e-mail, CLI) turns its
input into an :class:`Invocation` and sends back the :class:`~bot.replies.Reply` objects the handler returns. The core
returns replies; adapters send them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.domain import Channel, RoleName
from bot.i18n import Translator
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.services import Services

__all__ = ["Caller", "Command", "Handler", "Invocation"]


@dataclass(frozen=True)
class Caller:
    """Who is speaking, on which channel, in which language, with which global roles, and which organisations'
    processes they moderate (``moderates``: slugs; a global moderator or an admin moderates every process)."""

    person_id: int
    channel: Channel
    address: str
    language: str
    roles: frozenset[RoleName] = frozenset()
    # The client says it reads none of our languages (a Telegram language_code other than pl/en/uk, or none):
    # the first /start asks which language to use before anything else.
    language_unknown: bool = False
    moderates: frozenset[str] = frozenset()

    @property
    def is_moderator(self) -> bool:
        """Global moderators and admins moderate every process (and see every draft)."""
        return bool(self.roles & {RoleName.MODERATOR, RoleName.ADMIN})

    @property
    def may_moderate(self) -> bool:
        """Whether moderator commands are open to the caller at all: globally, or for some organisation (each
        command then checks the organisation of the process it acts on, :meth:`moderates_organisation`)."""
        return self.is_moderator or bool(self.moderates)

    def moderates_organisation(self, organisation: str | None) -> bool:
        """Whether the caller moderates the processes of ``organisation`` (None: a process of no organisation,
        which only global moderators and admins run)."""
        return self.is_moderator or (organisation is not None and organisation in self.moderates)

    @property
    def is_admin(self) -> bool:
        """Only admins grant and revoke roles."""
        return RoleName.ADMIN in self.roles


@dataclass(frozen=True)
class Invocation:
    """One call of a command: the caller, the argument text, an attached file, and the core to act on."""

    services: Services
    caller: Caller
    t: Translator
    command: str
    args: str = ""
    attachment: bytes | None = None
    attachment_name: str | None = None
    group: str | None = None  # the group chat the command was typed in; None in a private conversation
    process: str | None = None
    """The process the channel already knows the command is about (an e-mail reply's token names it): the
    command takes it as named, without reading a name from ``args`` or remembering it for a next command."""
    role: RoleName | None = None  # the role the command needs (a moderator command checks the process's organisation)

    @property
    def words(self) -> list[str]:
        """The arguments split on white space."""
        return self.args.split()


Handler = Callable[[Invocation], Sequence[Reply]]


@dataclass(frozen=True)
class Command:
    """A named command. ``summary`` and ``usage`` are message ids; ``role`` None means everyone.

    ``on_text`` answers plain text (not a command) while this command waits for it — a step of a guided flow
    (:mod:`bot.commands.pending`). ``in_groups`` commands may also be typed in a group chat, by those whose
    role allows them; every other command works only in a private conversation.
    """

    name: str
    handler: Handler
    summary: str
    usage: str
    aliases: tuple[str, ...] = ()
    role: RoleName | None = None
    channels: frozenset[Channel] = field(default_factory=lambda: frozenset(Channel))
    on_text: Handler | None = None
    in_groups: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The Polish name first, then the aliases."""
        return (self.name, *self.aliases)

    def name_in(self, language: str) -> str:
        """The name a person reading ``language`` is shown: the Polish name in Polish, the English alias
        otherwise (Telegram command names are Latin letters only, so Ukrainian uses the English ones)."""
        if language == "pl" or not self.aliases:
            return self.name
        return self.aliases[0]
