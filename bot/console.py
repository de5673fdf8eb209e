"""The console channel: the bot's commands and replies in a terminal (``glos chat``).

It is the terminal implementation of a channel: it identifies the speaker (channel ``console``, address =
the user name), sends each line through the same command table as Telegram and e-mail, and prints the
replies. Buttons are shown with the command they send; documents are saved, readable by the owner only, to a
folder (``exports/``, in ``.gitignore``). ``/importuj @path/to/file.toml`` attaches a file, like an upload in
Telegram. Dialogue tests drive :meth:`handle`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.commands.base import Caller
from bot.commands.dispatch import dispatch
from bot.commands.table import CommandTable
from bot.domain import Channel
from bot.i18n import translator
from bot.replies import Reply
from bot.services import Services
from bot.text import for_terminal

__all__ = ["ConsoleChannel", "render_reply"]


def render_reply(reply: Reply, saved: Path | None = None) -> str:
    """A reply as terminal text: the message, its buttons, and where its document was saved."""
    lines = [for_terminal(reply.text)]
    for row in reply.buttons:
        lines.append("  " + "   ".join(f"[{button.label} → {button.command}]" for button in row))
    if reply.document is not None and saved is not None:
        lines.append(f"  📎 {saved}")
    return "\n".join(lines)


class ConsoleChannel:
    """One terminal identity talking to the bot."""

    def __init__(
        self,
        services: Services,
        commands: CommandTable,
        user: str,
        *,
        downloads: Path | None = None,
        language: str | None = None,
    ) -> None:
        self.services = services
        self.commands = commands
        self.user = user
        self.downloads = downloads or Path("exports")
        person = services.people.identify(Channel.CONSOLE, user, display_name=user, language=language)
        if language is not None and person.language != language:
            services.people.set_language(person.person_id, language)
        self.person_id = person.person_id

    def caller(self) -> Caller:
        """The speaker as the dispatcher sees them (roles and language read fresh from the store)."""
        person = self.services.people.get(self.person_id)
        return Caller(
            person.person_id, Channel.CONSOLE, self.user, person.language, person.roles, moderates=person.moderates
        )

    def handle(self, line: str) -> list[str]:
        """Send one line; return the rendered replies."""
        text = line.strip()
        if not text:
            return []
        with self.services.context.unit():  # the line's unit of work: who is speaking, then the command
            return self._handle(text)

    def _handle(self, text: str) -> list[str]:
        attachment: bytes | None = None
        name: str | None = None
        words = text.split()
        if words[-1].startswith("@") and len(words[-1]) > 1:
            path = Path(words[-1][1:]).expanduser()
            if not path.is_file():
                caller = self.caller()
                return [translator(caller.language)("console.no_file", path=str(path))]
            attachment, name = path.read_bytes(), path.name
            text = " ".join(words[:-1])
        replies = dispatch(
            self.commands, self.services, self.caller(), text, attachment=attachment, attachment_name=name
        )
        return [render_reply(reply, self._save(reply)) for reply in replies]

    def _save(self, reply: Reply) -> Path | None:
        """Write the reply's document into :attr:`downloads` and return its path.

        Documents may be secret (invite codes, the voters of a roster), so the folder is made private (0700)
        and each file is created 0600; the default folder ``exports/`` is in ``.gitignore``. An earlier file
        of the same name is never overwritten (``bo2027-kody-2.txt``): a second batch of codes must not make
        the first one unreadable.
        """
        if reply.document is None:
            return None
        self.downloads.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = Path(reply.document.filename).name
        stem, suffix = Path(name).stem, Path(name).suffix
        for number in range(1, 10_000):
            target = self.downloads / (name if number == 1 else f"{stem}-{number}{suffix}")
            try:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(reply.document.content)
            return target
        raise OSError(f"too many files named {name} in {self.downloads}")

    def loop(self, read: Callable[[str], str] = input, write: Callable[[str], None] = print) -> None:
        """Read lines until end of input or ``/koniec`` (``/quit``), printing the replies."""
        t = translator(self.caller().language)
        write(t("console.banner", user=self.user))
        while True:
            try:
                line = read("> ")
            except (EOFError, KeyboardInterrupt):
                write("")
                return
            if line.strip().lower() in ("/koniec", "/quit", "/exit"):
                return
            for rendered in self.handle(line):
                write(rendered)

    def transcript(self, lines: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Run several lines; each with its replies (for demos and tests)."""
        return [(line, self.handle(line)) for line in lines]
