"""``reply_markup`` validated as Telegram does: its shape, its sizes and each button's one action.

An ``InlineKeyboardMarkup`` is an array of rows, each an array of buttons: at most 8 buttons in a row and 100 in
all; each button has a non-empty ``text`` and exactly one action (``callback_data`` of 1–64 bytes, an http(s) or
tg ``url``, or one of the others the emulator stores but does not act on). A ``ReplyKeyboardMarkup``,
``ReplyKeyboardRemove`` or ``ForceReply`` is checked for its shape. Anything else answers 400.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.emulator.state import MAX_CALLBACK_DATA, ApiError

__all__ = ["MAX_BUTTONS", "MAX_ROW", "inline_keyboard"]

MAX_BUTTONS = 100
MAX_ROW = 8
_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL = re.compile(r"^(https?|tg)://\S+$")


def inline_keyboard(value: Any) -> dict[str, Any] | None:
    """The markup as the message will keep it, or None for no markup; raises :class:`ApiError` 400."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        _inline(value["inline_keyboard"])
        return value
    if "keyboard" in value:
        rows = value["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise ApiError(400, "Bad Request: can't parse keyboard button: Text must be non-empty")
        return value
    if value.get("remove_keyboard") is True or value.get("force_reply") is True:
        return value
    raise ApiError(400, 'Bad Request: can\'t find field "inline_keyboard"')


def _inline(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > MAX_ROW for row in rows):
        raise ApiError(400, "Bad Request: BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            _button(button)


def _button(button: Any) -> None:
    if not isinstance(button, dict):
        raise ApiError(400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise ApiError(400, 'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
    actions = [name for name in _ACTIONS if name in button]
    if len(actions) != 1:
        raise ApiError(
            400, "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    data = button.get("callback_data")
    if "callback_data" in button and (not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA):
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in button and (not isinstance(url, str) or not _URL.match(url)):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
