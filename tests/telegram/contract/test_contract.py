"""The emulator's contract, proven with two independent frameworks: python-telegram-bot and aiogram 3.

Every scenario runs once per client (the ``client`` fixture), and every object the emulator returned during it is
validated against aiogram's generated Bot API models (strict types, no unknown fields) — so the emulator is an
emulator of the Bot API, not of what one library happens to accept. ``python -m handlers.emulator`` serves the
same app for any other framework.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import aiogram.types
import pytest
import telegram
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.web.serve import ThreadedServer
from handlers.emulator import Emulator
from handlers.emulator.api import BotApi


async def test_messages_and_edits(client: Any, emulator: Emulator) -> None:
    message_id = await client.send(101, "Dzień dobry, <b>Aniu</b>", parse_mode="HTML")
    assert emulator.received(101)[-1].text == "Dzień dobry, Aniu"
    await client.edit_text(101, message_id, "Do widzenia")
    shown = emulator.received(101)[-1]
    assert (shown.text, shown.edits) == ("Do widzenia", 1)
    same = await client.refusal(client.edit_text(101, message_id, "Do widzenia"))
    assert same.kind == "bad_request" and same.said.startswith("message is not modified")
    v2 = await client.send(101, "*Wynik:* 30\\.06", parse_mode="MarkdownV2")
    assert emulator.received(101)[-1].text == "Wynik: 30.06" and v2 == message_id + 1


async def test_keyboards_and_callback_queries(client: Any, emulator: Emulator) -> None:
    buttons = [[("Tak", "vote:yes"), ("Nie", "vote:no")], [("Wstrzymuję się", "vote:abstain")]]
    message_id = await client.send(101, "Czy popierasz uchwałę?", buttons=buttons)
    assert emulator.received(101)[-1].labels == ["Tak", "Nie", "Wstrzymuję się"]
    update_id = emulator.tap(101, "Nie")
    assert (update_id, "callback_query") in await client.updates(0)
    query = emulator.callback_answers()[-1]["id"]
    await client.answer(query, "Zapisano: nie", alert=False)
    assert emulator.callback_answers()[-1] | {"id": query} == {
        "answered": True,
        "user_id": 101,
        "text": "Zapisano: nie",
        "show_alert": False,
        "id": query,
    }
    await client.edit_buttons(101, message_id, [[("Zmień głos", "vote:change")]])
    assert emulator.received(101)[-1].labels == ["Zmień głos"]
    too_wide = [[(f"{n}", f"d{n}") for n in range(9)]]
    refused = await client.refusal(client.send(101, "Za dużo", buttons=too_wide))
    assert (refused.kind, refused.said) == ("bad_request", "buttons_too_much")


async def test_documents_and_photos_multipart_and_attach(client: Any, emulator: Emulator) -> None:
    # python-telegram-bot uploads a file as the field itself; aiogram sends document=attach://NAME and a part NAME.
    message_id, file_id = await client.send_document(101, "wyniki.csv", b"projekt;glosy\n1;120\n", "Wyniki")
    shown = emulator.received(101)[-1]
    assert shown.text == "Wyniki" and shown.document is not None and shown.document.filename == "wyniki.csv"
    assert await client.download(file_id) == b"projekt;glosy\n1;120\n"
    await client.edit_buttons(101, message_id, [[("Pobierz ponownie", "again")]])
    assert emulator.received(101)[-1].text == "Wyniki"  # the caption stays
    await client.edit_caption(101, message_id, "Wyniki końcowe")
    assert emulator.received(101)[-1].text == "Wyniki końcowe"
    no_text = await client.refusal(client.edit_text(101, message_id, "tekst"))
    assert no_text.said == "there is no text in the message to edit"
    photo = await client.send_photo(101, b"\x89PNG\r\n")
    assert await client.download(photo) == b"\x89PNG\r\n"


async def test_get_chat_is_chat_full_info(client: Any, emulator: Emulator) -> None:
    emulator.group(-100200, "Rada osiedla Wawer", [101, 900], kind="supergroup")
    assert await client.chat(101) == ("private", None)
    assert await client.chat(-100200) == ("supergroup", "Rada osiedla Wawer")
    missing = await client.refusal(client.chat(424242))
    assert (missing.kind, missing.said) == ("bad_request", "chat not found")


async def test_commands_per_scope_and_language(client: Any, emulator: Emulator) -> None:
    await client.set_commands([("pomoc", "co umiem"), ("glosuj", "oddaj głos")], chat_id=None, language=None)
    await client.set_commands([("help", "what I can do")], chat_id=None, language="en")
    await client.set_commands([("procesy", "lista procesów")], chat_id=900, language=None)
    assert await client.commands(chat_id=None, language=None) == [("pomoc", "co umiem"), ("glosuj", "oddaj głos")]
    assert await client.commands(chat_id=None, language="en") == [("help", "what I can do")]
    assert await client.commands(chat_id=900, language=None) == [("procesy", "lista procesów")]
    await client.delete_commands(chat_id=900, language=None)
    assert await client.commands(chat_id=900, language=None) == []
    wrong = await client.refusal(client.set_commands([("pomoc", "co umiem")], chat_id=None, language="polski"))
    assert wrong.said == "invalid language code specified"
    empty = await client.refusal(client.set_commands([], chat_id=None, language=None))
    assert empty.kind == "bad_request"


async def test_updates_by_long_polling(client: Any, emulator: Emulator) -> None:
    first = emulator.send_text(101, "/start bo2027")
    emulator.upload(101, "lista.csv", b"email\n", caption="/lista bo2027")
    emulator.send_photo(102)
    emulator.group(-5, "Rada", [101, 900])
    emulator.kick(-5, by_user=900)
    emulator.group(-6, "Sąsiedzi", [101, 900])
    emulator.migrate(-6, -1006, by_user=900)
    emulator.edit_text(101, emulator.written_by(101)[0], "/start bo2028")
    kinds = await client.updates(0)
    assert [kind for _, kind in kinds] == [
        "message",
        "message",
        "message",
        "my_chat_member",
        "message",  # migrate_to_chat_id in the old group
        "message",  # migrate_from_chat_id in the new supergroup
        "edited_message",
    ]
    assert [update_id for update_id, _ in kinds] == list(range(first, first + 7))
    assert await client.updates(first + 7) == []
    assert emulator.pending_updates() == 0


async def test_webhook_with_the_secret_header(
    client: Any, emulator: Emulator, validate: Callable[[str, Any], Any]
) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: Request) -> Response:
        received.append((request.headers.get("x-telegram-bot-api-secret-token"), await request.json()))
        return Response(status_code=200)

    site = ThreadedServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])).start()
    try:
        await client.set_webhook(f"{site.url}/hook", "sekret-123")
        update_id = emulator.send_text(101, "/pomoc")
        for _ in range(200):  # the emulator delivers from its own thread
            if received:
                break
            await asyncio.sleep(0.01)
        await client.delete_webhook()
    finally:
        site.stop()
    secret, body = received[0]
    assert secret == "sekret-123" and body["update_id"] == update_id
    validate("getUpdates", [body])  # the delivered update is a valid Update, strictly
    parsed = aiogram.types.Update.model_validate(body)
    assert parsed.message is not None and parsed.message.text == "/pomoc"
    assert telegram.Update.de_json(body, None).message.text == "/pomoc"  # type: ignore[union-attr]
    assert emulator.deliveries == [(update_id, 200)]


async def test_errors_400_403_and_429_with_retry_after(client: Any, emulator: Emulator) -> None:
    bad = await client.refusal(client.send(101, "<b>bez końca", parse_mode="HTML"))
    assert (bad.kind, bad.said) == (
        "bad_request",
        "can't parse entities: can't find end tag corresponding to start tag \"b\"",
    )
    emulator.block(102)
    blocked = await client.refusal(client.send(102, "Przypomnienie"))
    assert (blocked.kind, blocked.said) == ("forbidden", "bot was blocked by the user")
    emulator.stranger(300)
    stranger = await client.refusal(client.send(300, "Zaproszenie"))
    assert (stranger.kind, stranger.said) == ("forbidden", "bot can't initiate conversation with a user")
    emulator.group(-7, "Sąsiedzi", [101, 900])
    emulator.migrate(-7, -1007, by_user=900)
    moved = await client.refusal(client.send(-7, "Ogłoszenie"))
    assert (moved.kind, moved.migrate_to_chat_id) == ("migrated", -1007)
    emulator.faults.force(429, 1, retry_after=3)
    flood = await client.refusal(client.send(101, "Za szybko"))
    assert (flood.kind, flood.retry_after) == ("retry_after", 3)
    emulator.kick(-1007, by_user=900)
    kicked = await client.refusal(client.send(-1007, "Jest tu kto?"))
    assert (kicked.kind, kicked.said) == ("forbidden", "bot was kicked from the supergroup chat")


def test_every_emulated_method_is_a_bot_api_method_with_a_typed_result(returning_types: dict[str, Any]) -> None:
    emulated = {name.removeprefix("_m_") for name in dir(BotApi) if name.startswith("_m_")} | {"getupdates"}
    assert emulated - set(returning_types) == set()


def test_the_validation_catches_a_wrong_type_a_missing_field_and_an_unknown_one(
    validate: Callable[[str, Any], Any],
) -> None:
    chat = {"id": 5, "type": "private", "accent_color_id": 0, "max_reaction_count": 11}
    gifts = {name: False for name in ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")}
    assert validate("getChat", {**chat, "accepted_gift_types": {**gifts, "gifts_from_channels": False}})
    with pytest.raises(ValidationError):
        validate("getChat", {"id": 5, "type": "private"})  # a plain Chat is not a ChatFullInfo
    with pytest.raises(ValidationError):
        validate("getMe", {"id": "5", "is_bot": True, "first_name": "Głos"})  # strict: an id is an Integer
    with pytest.raises(AssertionError, match="outside the Bot API"):
        validate("getMe", {"id": 5, "is_bot": True, "first_name": "Głos", "nickname": "x"})
