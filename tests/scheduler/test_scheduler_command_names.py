"""The buttons of scheduled messages name commands as the command table does in each language."""

from __future__ import annotations

from bot.commands.registry import build_table
from bot.scheduling.messages import scheduled_command


def test_scheduled_buttons_use_the_command_tables_names() -> None:
    table = build_table()
    for name in ("proces", "nie_przypominaj"):
        command = table.find(name)
        assert command is not None
        for language in ("pl", "en", "uk"):
            assert scheduled_command(name, language) == "/" + command.name_in(language)
    assert scheduled_command("nie_przypominaj", "en") == "/dont_remind"
