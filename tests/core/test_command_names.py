"""A reader of English or Ukrainian is never told to type a Polish command: every ``/name`` in the en and uk
catalogues is the name the command table gives that language (``/vote``, not ``/glosuj``)."""

from __future__ import annotations

import re

import pytest

from bot.commands.registry import COMMANDS
from bot.i18n import _catalogue

_SLASHED = re.compile(r"(?<![\w/.:])/([a-z_]+)\b")


@pytest.mark.parametrize("language", ["en", "uk"])
def test_catalogues_name_commands_in_their_own_language(language: str) -> None:
    wrong = []
    for message in _catalogue(language):
        if not message.id:
            continue
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            for name in _SLASHED.findall(text or ""):
                command = COMMANDS.find(name)
                if command is not None and name == command.name != command.name_in(language):  # the Polish name
                    wrong.append((message.id, f"/{name} → /{command.name_in(language)}"))
    assert wrong == []
