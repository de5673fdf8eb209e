"""The emulator speaks the Bot API wire format over HTTP, with Telegram's limits and flood control."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from handlers.emulator import Emulator, EmulatorServer, FloodLimits


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    """An HTTP client whose base URL is the emulator's ``/bot<token>/``."""
    server = EmulatorServer(emulator).start()
    try:
        with httpx.Client(base_url=f"{server.base_url}{emulator.token}/") as client:
            client.headers["x-file-base"] = f"{server.base_file_url}{emulator.token}/"
            yield client
    finally:
        server.stop()


def _keyboard(data: str) -> str:
    return json.dumps({"inline_keyboard": [[{"text": "Tak", "callback_data": data}]]})


def test_envelopes_and_status_codes(api: httpx.Client, emulator: Emulator) -> None:
    me = api.get("getMe").json()
    assert me["ok"] and me["result"]["is_bot"] and me["result"]["username"]
    assert api.post("getme", json={}).json()["ok"]  # method names are case-insensitive; JSON bodies work
    wrong = httpx.post(str(api.base_url).replace(emulator.token, "1:WRONG") + "getMe")
    assert wrong.status_code == 401 and wrong.json()["error_code"] == 401
    missing = api.post("sendCarrierPigeon")
    assert missing.status_code == 404 and missing.json()["ok"] is False
    unknown_chat = api.post("sendMessage", data={"chat_id": 424242, "text": "x"})
    assert unknown_chat.status_code == 400 and "chat not found" in unknown_chat.json()["description"]


def test_telegrams_limits(api: httpx.Client, emulator: Emulator) -> None:
    too_long = api.post("sendMessage", data={"chat_id": 101, "text": "x" * 4097})
    assert too_long.status_code == 400 and "too long" in too_long.json()["description"]
    assert api.post("sendMessage", data={"chat_id": 101, "text": "x" * 4096}).json()["ok"]
    fat_button = api.post("sendMessage", data={"chat_id": 101, "text": "?", "reply_markup": _keyboard("é" * 33)})
    assert fat_button.status_code == 400 and "BUTTON_DATA_INVALID" in fat_button.json()["description"]
    sent = api.post("sendMessage", data={"chat_id": 101, "text": "?", "reply_markup": _keyboard("a" * 64)}).json()
    message_id = sent["result"]["message_id"]
    same = api.post(
        "editMessageText",
        data={"chat_id": 101, "message_id": message_id, "text": "?", "reply_markup": _keyboard("a" * 64)},
    )
    assert same.status_code == 400 and "message is not modified" in same.json()["description"]
    changed = api.post("editMessageText", data={"chat_id": 101, "message_id": message_id, "text": "!"})
    assert changed.json()["ok"] and emulator.received(101)[-1].text == "!"
    caption = api.post(
        "sendDocument",
        data={"chat_id": 101, "caption": "c" * 1025},
        files={"document": ("a.csv", b"a;b\n", "text/csv")},
    )
    assert caption.status_code == 400 and "caption is too long" in caption.json()["description"]
    emulator.block(101)
    blocked = api.post("sendMessage", data={"chat_id": 101, "text": "hej"})
    assert blocked.status_code == 403 and blocked.json()["description"] == "Forbidden: bot was blocked by the user"


@pytest.mark.parametrize(
    "limits", [FloodLimits(overall_per_second=100, overall_burst=100, chat_per_second=1, chat_burst=3)]
)
def test_flood_control_answers_429_with_retry_after(api: httpx.Client) -> None:
    statuses = [api.post("sendMessage", data={"chat_id": 101, "text": f"m{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # a burst of three in one chat, then wait
    refused = api.post("sendMessage", data={"chat_id": 101, "text": "again"}).json()
    assert refused["error_code"] == 429 and refused["parameters"]["retry_after"] >= 1
    assert api.post("sendMessage", data={"chat_id": 102, "text": "another chat"}).status_code == 200


def test_updates_long_poll_acknowledge_and_files(api: httpx.Client, emulator: Emulator) -> None:
    assert api.post("getUpdates", data={"timeout": 0}).json()["result"] == []
    first = emulator.send_text(101, "/start bo2027")
    emulator.upload(101, "lista.csv", b"email\na@example.org\n", caption="/lista bo2027")
    updates = api.post("getUpdates", data={"timeout": 1}).json()["result"]
    assert [u["update_id"] for u in updates] == [first, first + 1]
    command = updates[0]["message"]
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    document = updates[1]["message"]["document"]
    path = api.post("getFile", data={"file_id": document["file_id"]}).json()["result"]["file_path"]
    assert httpx.get(api.headers["x-file-base"] + path).content == b"email\na@example.org\n"
    assert api.post("getUpdates", data={"offset": first + 2, "timeout": 0}).json()["result"] == []
    assert emulator.pending_updates() == 0
    api.post("setWebhook", data={"url": "https://example.org/hook"})
    assert api.post("getUpdates").status_code == 409
