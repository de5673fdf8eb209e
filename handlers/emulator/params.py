"""Reading a Bot API method's parameters as Telegram does, whatever way they arrived.

Parameters come as a query string, form fields or multipart parts (every value a string, nested objects as JSON)
or as a JSON body (values typed). :class:`Params` gives each one in the type the method expects and answers 400 —
never a crash, so never a 500 — when a value cannot be read: a boolean is true for ``true``/``1`` (JSON true or
the strings ``"true"``, ``"1"``), false for ``false``/``0``/empty; an integer is a JSON number or a string of
digits; an object or array is JSON (decoded from a string when it came as a form field).
"""

from __future__ import annotations

import json
from typing import Any

from handlers.emulator.state import ApiError, UploadedFile

__all__ = ["Params"]

_TRUE = {"true", "1", "True"}
_FALSE = {"false", "0", "", "False"}


class Params:
    """One call's parameters and uploaded files."""

    def __init__(self, raw: dict[str, Any], files: dict[str, UploadedFile] | None = None) -> None:
        self.raw = raw
        self.files = files or {}

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def string(self, name: str, default: str = "") -> str:
        """A string parameter (a number given for it reads as its digits, as Telegram does)."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, (bool, dict, list)):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type String')
        return str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter, or ``default`` when absent."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Integer')

    def number(self, name: str, default: float = 0.0) -> float:
        """A number (a long poll's timeout)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            if isinstance(value, bool):
                raise ValueError(name)
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type Number') from None

    def boolean(self, name: str, default: bool = False) -> bool:
        """A boolean: JSON true/false, or the form strings ``true``/``false``/``1``/``0``."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip() in _TRUE:
            return True
        if isinstance(value, str) and value.strip() in _FALSE:
            return False
        raise ApiError(400, f'Bad Request: field "{name}" must be of type Boolean')

    def json(self, name: str, what: str) -> Any:
        """A nested object or array (None when absent); ``what`` names it in the refusal ("reply keyboard
        markup")."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {what} JSON object") from None
        return value

    def chat_id(self) -> int | str:
        """``chat_id``: an integer, or a channel's ``@username``."""
        value = self.raw.get("chat_id")
        if isinstance(value, str) and value.startswith("@"):
            return value
        chat_id = self.integer("chat_id")
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        return chat_id

    def upload(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an uploaded part (sent as that field, or as ``attach://PART``), else the string given
        (a ``file_id`` or a URL); None when absent."""
        if name in self.files:
            return self.files[name]
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ApiError(400, f'Bad Request: field "{name}" must be of type String')
        if value.startswith("attach://"):
            part = self.files.get(value.removeprefix("attach://"))
            if part is None:
                raise ApiError(
                    400, f"Bad Request: file of {name} must be uploaded as {value.removeprefix('attach://')}"
                )
            return part
        return value
