"""The emulator refuses what Telegram refuses and accepts what Telegram accepts, over HTTP, case by case.

Each case is one the emulator used to get wrong (issue #17): parse modes were ignored, a malformed keyboard crashed
it into a 500, lengths were counted before parsing, ``"false"`` read as true, 101 buttons passed, ``getChat`` gave
no ``ChatFullInfo``, ``attach://`` uploads were refused, a markup edit wiped a caption, and a kicked bot, a
migrated group or a user who never started the bot could not be produced.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from handlers.emulator import Emulator, EmulatorServer


@pytest.fixture
def api(emulator: Emulator) -> Iterator[httpx.Client]:
    """An HTTP client whose base URL is the emulator's ``/bot<token>/``."""
    server = EmulatorServer(emulator).start()
    try:
        with httpx.Client(base_url=f"{server.base_url}{emulator.token}/") as client:
            yield client
    finally:
        server.stop()


def _refused(response: httpx.Response, code: int = 400) -> str:
    body = response.json()
    assert response.status_code == code and body["ok"] is False and body["error_code"] == code, body
    return str(body["description"])


def _ok(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True, body
    return body["result"]


def _keyboard(rows: Any) -> str:
    return json.dumps({"inline_keyboard": rows})


def _buttons(count: int) -> list[dict[str, str]]:
    return [{"text": f"b{n}", "callback_data": f"d{n}"} for n in range(count)]


@pytest.mark.parametrize(
    ("parse_mode", "text", "description"),
    [
        ("HTML", "<b>gruba", "can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("HTML", "zażółć <blink>x</blink>", 'can\'t parse entities: Unsupported start tag "blink" at byte offset 11'),
        ("HTML", "<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("HTML", "a</b>", "can't parse entities: Unexpected end tag at byte offset 1"),
        ("MarkdownV2", "Głosowanie trwa do 30.06.", "Character '.' is reserved and must be escaped"),
        ("MarkdownV2", "*pogrubione", "can't parse entities: Can't find end of Bold entity at byte offset 0"),
        ("Markdown", "ok _kursywa", "Can't find end of the entity starting at byte offset 3"),
        ("BBCode", "[b]x[/b]", "Bad Request: unsupported parse_mode"),
    ],
)
def test_a_text_that_does_not_parse_is_refused_when_sent_and_when_edited(
    api: httpx.Client, parse_mode: str, text: str, description: str
) -> None:
    sent = api.post("sendMessage", data={"chat_id": 101, "text": text, "parse_mode": parse_mode})
    assert description in _refused(sent)
    assert _refused(sent).startswith("Bad Request: ")
    message = _ok(api.post("sendMessage", data={"chat_id": 101, "text": "przed"}))
    edit = {"chat_id": 101, "message_id": message["message_id"], "text": text, "parse_mode": parse_mode}
    assert description in _refused(api.post("editMessageText", data=edit))


def test_formatted_text_becomes_entities_and_length_counts_after_parsing(api: httpx.Client) -> None:
    html = _ok(
        api.post(
            "sendMessage",
            data={
                "chat_id": 101,
                "text": '<b>Głos</b> &amp; <i>wynik</i> 🗳 <a href="https://example.org">tu</a>',
                "parse_mode": "HTML",
            },
        )
    )
    assert html["text"] == "Głos & wynik 🗳 tu"
    assert html["entities"] == [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "italic", "offset": 7, "length": 5},
        {"type": "text_link", "offset": 16, "length": 2, "url": "https://example.org"},  # 🗳 is 2 UTF-16 units
    ]
    v2 = _ok(
        api.post("sendMessage", json={"chat_id": 101, "text": "*Wynik:* 30\\.06 ||tajne||", "parse_mode": "MarkdownV2"})
    )
    assert v2["text"] == "Wynik: 30.06 tajne"
    assert [e["type"] for e in v2["entities"]] == ["bold", "spoiler"]
    bold = "<b>" + "x" * 4096 + "</b>"
    assert _ok(api.post("sendMessage", data={"chat_id": 101, "text": bold, "parse_mode": "HTML"}))["text"] == "x" * 4096
    over = "<b>" + "x" * 4097 + "</b>"
    assert _refused(api.post("sendMessage", data={"chat_id": 101, "text": over, "parse_mode": "HTML"})) == (
        "Bad Request: message is too long"
    )
    trimmed = _ok(api.post("sendMessage", data={"chat_id": 101, "text": "\n  wcięte\n"}))
    assert trimmed["text"] == "wcięte"  # Telegram trims the whitespace around a text
    assert (
        _refused(api.post("sendMessage", data={"chat_id": 101, "text": " \n "})) == "Bad Request: message text is empty"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"reply_markup": _keyboard([{"text": "x", "callback_data": "d"}])},  # a row that is not an array
        {"reply_markup": _keyboard("wiersz")},
        {"reply_markup": _keyboard([["x"]])},  # a button that is not an object
        {"reply_markup": _keyboard([[{"text": 5, "callback_data": "d"}]])},
        {"reply_markup": _keyboard([[{"text": "x", "callback_data": 7}]])},
        {"reply_markup": _keyboard([[{"text": "x"}]])},  # no action
        {"reply_markup": _keyboard([[{"text": "x", "callback_data": "d", "url": "https://example.org"}]])},
        {"reply_markup": "{nie json"},
        {"reply_markup": "[1, 2]"},
        {"chat_id": "abc"},
        {"chat_id": "1.5e3"},
        {"entities": "5"},
        {"parse_mode": "HTML", "text": "<a>bez adresu</a>"},
    ],
)
def test_a_malformed_parameter_is_400_never_500(api: httpx.Client, fields: dict[str, str]) -> None:
    data = {"chat_id": "101", "text": "Wybierz", **fields}
    description = _refused(api.post("sendMessage", data=data))
    assert description.startswith("Bad Request: ")


@pytest.mark.parametrize(
    "body",
    [
        {"chat_id": 101, "text": ["lista"]},
        {"chat_id": 101, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": None}]]}},
        {"chat_id": True, "text": "x"},
        {"chat_id": 101, "text": "x", "reply_markup": {"inline_keyboard": None}},
        {"chat_id": 101, "text": "x", "reply_markup": 17},
    ],
)
def test_wrong_types_in_a_json_body_are_400(api: httpx.Client, body: dict[str, Any]) -> None:
    assert _refused(api.post("sendMessage", json=body)).startswith("Bad Request: ")


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b'"tekst"'])
def test_a_json_body_that_is_no_object_is_400(api: httpx.Client, body: bytes) -> None:
    refused = api.post("sendMessage", content=body, headers={"content-type": "application/json"})
    assert _refused(refused) == "Bad Request: can't parse JSON object"


def test_a_multipart_body_that_does_not_parse_is_400(api: httpx.Client) -> None:
    broken = api.post(
        "sendMessage",
        content=b"--xyz\r\nContent-Disposition: form-data\r\n\r\nbez nazwy\r\n--xyz--\r\n",
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code == 400 and broken.json()["ok"] is False
    no_boundary = api.post("sendMessage", content=b"x", headers={"content-type": "multipart/form-data"})
    assert no_boundary.status_code == 400 and no_boundary.json()["ok"] is False


def test_edits_with_a_malformed_message_id_are_400(api: httpx.Client) -> None:
    assert _refused(api.post("editMessageText", data={"chat_id": 101, "message_id": "pierwsza", "text": "x"}))
    assert _refused(api.post("editMessageText", data={"chat_id": 101, "text": "x"})) == (
        "Bad Request: message identifier is not specified"
    )
    assert _refused(api.post("getUpdates", data={"offset": "jutro"})).startswith("Bad Request: ")


def test_keyboard_sizes_are_telegrams(api: httpx.Client) -> None:
    def send(rows: Any) -> httpx.Response:
        return api.post("sendMessage", data={"chat_id": 101, "text": "?", "reply_markup": _keyboard(rows)})

    assert _ok(send([_buttons(8)]))
    assert _refused(send([_buttons(9)])) == "Bad Request: BUTTONS_TOO_MUCH"
    assert _ok(send([[button] for button in _buttons(100)]))
    assert _refused(send([[button] for button in _buttons(101)])) == "Bad Request: BUTTONS_TOO_MUCH"


def test_command_menus_need_commands_a_language_code_and_a_known_scope(api: httpx.Client, emulator: Emulator) -> None:
    commands = json.dumps([{"command": "pomoc", "description": "co umiem"}])

    def menu(**fields: str) -> httpx.Response:
        return api.post("setMyCommands", data={"commands": commands, **fields})

    assert _ok(menu(language_code="pl"))
    assert _ok(menu(language_code=""))
    assert _ok(menu(scope=json.dumps({"type": "chat", "chat_id": 900})))
    assert emulator.commands({"type": "chat", "chat_id": 900}) == [("pomoc", "co umiem")]
    assert _refused(menu(language_code="polski")) == "Bad Request: invalid language code specified"
    assert _refused(menu(language_code="PL")) == "Bad Request: invalid language code specified"
    assert _refused(menu(scope=json.dumps({"type": "everyone"}))) == "Bad Request: unsupported bot command scope type"
    assert "chat_id" in _refused(menu(scope=json.dumps({"type": "chat"})))
    assert "user_id" in _refused(menu(scope=json.dumps({"type": "chat_member", "chat_id": 900})))
    assert _refused(api.post("setMyCommands", data={"commands": "[]"})) == "Bad Request: commands must be non-empty"
    assert _refused(api.post("getMyCommands", data={"language_code": "polski"}))
    assert _refused(api.post("deleteMyCommands", data={"scope": json.dumps({"type": "nowhere"})}))


def test_the_text_of_a_media_message_cannot_be_edited_and_a_markup_edit_keeps_its_caption(api: httpx.Client) -> None:
    sent = _ok(
        api.post(
            "sendDocument",
            data={
                "chat_id": 101,
                "caption": "Raport",
                "reply_markup": _keyboard([[{"text": "a", "callback_data": "a"}]]),
            },
            files={"document": ("raport.csv", b"a;b\n", "text/csv")},
        )
    )
    where = {"chat_id": 101, "message_id": sent["message_id"]}
    assert _refused(api.post("editMessageText", data={**where, "text": "nowy"})) == (
        "Bad Request: there is no text in the message to edit"
    )
    edited = _ok(api.post("editMessageReplyMarkup", data={**where, "reply_markup": _keyboard([])}))
    assert edited["caption"] == "Raport" and "text" not in edited
    recaptioned = _ok(
        api.post("editMessageCaption", data={**where, "caption": "<b>Raport</b> 2", "parse_mode": "HTML"})
    )
    assert recaptioned["caption"] == "Raport 2" and recaptioned["caption_entities"][0]["type"] == "bold"
    text = _ok(api.post("sendMessage", data={"chat_id": 101, "text": "tekst"}))
    assert _refused(
        api.post("editMessageCaption", data={"chat_id": 101, "message_id": text["message_id"], "caption": "x"})
    )


@pytest.mark.parametrize(("value", "alert"), [("false", False), ("0", False), ("true", True), ("1", True)])
def test_booleans_in_form_fields_read_as_telegram_reads_them(
    api: httpx.Client, emulator: Emulator, value: str, alert: bool
) -> None:
    message = _ok(
        api.post(
            "sendMessage",
            data={"chat_id": 101, "text": "?", "reply_markup": _keyboard([[{"text": "a", "callback_data": "a"}]])},
        )
    )
    emulator.tap_data(101, message["message_id"], "a")
    query = emulator.callback_answers()[-1]["id"]
    assert _ok(api.post("answerCallbackQuery", data={"callback_query_id": query, "text": "ok", "show_alert": value}))
    assert emulator.callback_answers()[-1]["show_alert"] is alert


def test_a_boolean_that_is_not_one_is_refused(api: httpx.Client, emulator: Emulator) -> None:
    message = _ok(
        api.post(
            "sendMessage",
            data={"chat_id": 101, "text": "?", "reply_markup": _keyboard([[{"text": "a", "callback_data": "a"}]])},
        )
    )
    emulator.tap_data(101, message["message_id"], "a")
    query = emulator.callback_answers()[-1]["id"]
    refused = api.post("answerCallbackQuery", data={"callback_query_id": query, "show_alert": "może"})
    assert _refused(refused) == 'Bad Request: field "show_alert" must be of type Boolean'
    assert _refused(api.post("answerCallbackQuery", data={"callback_query_id": query, "text": "x" * 201}))


def test_get_chat_returns_chat_full_info(api: httpx.Client, emulator: Emulator) -> None:
    emulator.group(-100, "Rada osiedla", [101], kind="supergroup")
    private = _ok(api.post("getChat", data={"chat_id": 101}))
    assert {"id", "type", "accent_color_id", "max_reaction_count", "accepted_gift_types"} <= set(private)
    assert private["type"] == "private" and private["first_name"] == "Ania"
    group = _ok(api.post("getChat", data={"chat_id": -100}))
    assert group["title"] == "Rada osiedla" and group["type"] == "supergroup"
    assert _refused(api.post("getChat", data={"chat_id": 424242})) == "Bad Request: chat not found"


def test_a_document_sent_as_attach_name_is_accepted(api: httpx.Client, emulator: Emulator) -> None:
    sent = _ok(
        api.post(
            "sendDocument",
            data={"chat_id": 101, "document": "attach://plik1", "caption": "Lista"},
            files={"plik1": ("lista.csv", b"email\n", "text/csv")},
        )
    )
    assert sent["document"]["file_name"] == "lista.csv" and sent["caption"] == "Lista"
    assert emulator.received(101)[-1].document is not None
    photo = _ok(
        api.post(
            "sendPhoto",
            data={"chat_id": 101, "photo": "attach://zdj"},
            files={"zdj": ("a.png", b"\x89PNG", "image/png")},
        )
    )
    assert photo["photo"][0]["file_id"]
    missing = api.post("sendDocument", data={"chat_id": 101, "document": "attach://brak"}, files={"inny": ("a", b"a")})
    assert _refused(missing).startswith("Bad Request: ")


def test_a_kicked_bot_gets_my_chat_member_and_403(api: httpx.Client, emulator: Emulator) -> None:
    emulator.group(-5, "Rada", [101, 900])
    assert _ok(api.post("sendMessage", data={"chat_id": -5, "text": "Dzień dobry"}))
    emulator.kick(-5, by_user=900)
    update = _ok(api.post("getUpdates", data={"timeout": 0}))[-1]
    change = update["my_chat_member"]
    assert change["chat"]["id"] == -5 and change["from"]["id"] == 900
    assert change["old_chat_member"]["status"] == "member" and change["new_chat_member"]["status"] == "kicked"
    refused = api.post("sendMessage", data={"chat_id": -5, "text": "Jest tu kto?"})
    assert _refused(refused, 403) == "Forbidden: bot was kicked from the group chat"


def test_a_group_upgraded_to_a_supergroup_answers_with_migrate_to_chat_id(
    api: httpx.Client, emulator: Emulator
) -> None:
    emulator.group(-7, "Sąsiedzi", [101, 900])
    emulator.migrate(-7, -1007, by_user=900)
    updates = _ok(api.post("getUpdates", data={"timeout": 0}))
    assert updates[-2]["message"]["migrate_to_chat_id"] == -1007
    assert (
        updates[-1]["message"]["migrate_from_chat_id"] == -7 and updates[-1]["message"]["chat"]["type"] == "supergroup"
    )
    refused = api.post("sendMessage", data={"chat_id": -7, "text": "Ogłoszenie"})
    assert _refused(refused) == "Bad Request: group chat was upgraded to a supergroup chat"
    assert refused.json()["parameters"] == {"migrate_to_chat_id": -1007}
    assert _ok(api.post("sendMessage", data={"chat_id": -1007, "text": "Ogłoszenie"}))["chat"]["id"] == -1007


def test_a_user_who_never_started_the_bot_cannot_be_written_to_first(api: httpx.Client, emulator: Emulator) -> None:
    emulator.stranger(300, "Jan")
    refused = api.post("sendMessage", data={"chat_id": 300, "text": "Zaproszenie"})
    assert _refused(refused, 403) == "Forbidden: bot can't initiate conversation with a user"
    emulator.send_text(300, "/start")
    assert _ok(api.post("sendMessage", data={"chat_id": 300, "text": "Witaj"}))["text"] == "Witaj"


def test_get_file_refuses_a_file_a_bot_may_not_download(api: httpx.Client, emulator: Emulator) -> None:
    """Bots download files of up to 20 MB (Bot API, getFile); above that the server answers 400 "file is too big"
    and the bot must say so itself, without the file."""
    emulator.upload(101, "projekt.docx", b"x" * (20 * 1024 * 1024))
    emulator.upload(101, "duzy.docx", b"x" * (20 * 1024 * 1024 + 1))
    small, large = (update["message"]["document"] for update in _ok(api.post("getUpdates", data={"timeout": 0})))
    assert _ok(api.post("getFile", data={"file_id": small["file_id"]}))["file_size"] == 20 * 1024 * 1024
    assert _refused(api.post("getFile", data={"file_id": large["file_id"]})) == "Bad Request: file is too big"
