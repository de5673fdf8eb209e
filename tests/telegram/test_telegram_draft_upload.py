"""A moderator sends a draft (DOCX, ODT, Markdown, text) to the bot in Telegram and it is imported as a
consultation draft, as ``glos process import-document`` does; residents, oversized and unreadable files and a
missing slug are refused in plain words. Through python-telegram-bot, the emulator's documents and getFile."""

from __future__ import annotations

import io

import docx

from bot.domain import ItemKind, Phase
from bot.services import Services
from handlers.emulator.harness import Harness
from tests.core.test_consultation_documents import REGULATION

MODERATOR = 900


def _regulation_docx() -> bytes:
    document = docx.Document()
    for kind, text in REGULATION:
        document.add_paragraph(text, style="Title" if kind == "title" else None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def test_a_moderator_uploads_a_docx_draft_with_its_slug_as_the_caption(
    telegram: Harness, services: Services
) -> None:
    answer = await telegram.upload(MODERATOR, "regulamin.docx", _regulation_docx(), caption="regulamin-obiektow")
    assert answer.startswith("regulamin-obiektow: projekt konsultacji „UCHWAŁA NR XXX/300/2027 RADY GMINY"), answer
    assert "\n§ 2 — Obiekty są czynne codziennie w godzinach 8.00–22.00.\n" in answer
    assert "\n  § 2 ust. 1 — Obiekty są czynne codziennie w godzinach 8.00–22.00.\n" in answer
    assert "Sprawdź projekt" in answer  # the button that shows the draft
    info = services.processes.get("regulamin-obiektow")
    assert info.phase is Phase.DRAFT
    numbers = [item.number for item in info.definition.items if item.kind is ItemKind.SECTION]
    assert numbers[:4] == ["§ 1", "§ 2", "§ 2 ust. 1", "§ 2 ust. 2"] and "§ 2 ust. 2 pkt 2 lit. b" in numbers


async def test_a_markdown_draft_with_the_command_as_caption_and_the_refusals(
    telegram: Harness, services: Services
) -> None:
    text = "# Regulamin\n\n§ 1. Regulamin określa zasady.\n\n§ 2. Wchodzi w życie po ogłoszeniu.\n"
    answer = await telegram.upload(MODERATOR, "regulamin.md", text.encode(), caption="/projekt regulamin-md")
    assert "2 jednostki redakcyjne" in answer, answer
    assert services.processes.get("regulamin-md").phase is Phase.DRAFT
    refusals = [
        (101, "regulamin.md", text.encode(), "regulamin-mieszkanca", "tylko dla moderatorów"),
        (MODERATOR, "regulamin.md", text.encode(), None, "Podpisz plik nazwą konsultacji"),
        (MODERATOR, "regulamin.md", text.encode(), "Regulamin 2027!", "Podpisz plik nazwą konsultacji"),
        (MODERATOR, "zepsuty.docx", b"PK\x03\x04 not a zip", "zepsuty", "zepsuty.docx"),
        (MODERATOR, "pusty.txt", b"Tylko tekst bez paragrafow.", "pusty", "pusty.txt"),
        (MODERATOR, "duzy.txt", b"x" * (2 * 1024 * 1024 + 1), "duzy", "Plik jest za duży"),
    ]
    for user, name, content, caption, expected in refusals:
        answer = await telegram.upload(user, name, content, caption=caption)
        assert expected in answer, (name, caption, answer)
    assert services.processes.find("regulamin-mieszkanca") is None and services.processes.find("duzy") is None
