"""A text in Polish with optional English and Ukrainian, as definitions write titles and descriptions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from bot.text import clean_text

__all__ = ["LocalizedText"]


class LocalizedText(BaseModel):
    """A text in Polish (required) and other languages (optional; Polish is the fallback)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pl: str
    en: str | None = None
    uk: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = {"pl": value}
        if isinstance(value, dict):  # titles and descriptions are shown everywhere: no control or bidi characters
            value = {key: clean_text(text) if isinstance(text, str) else text for key, text in value.items()}
        return value

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to Polish (a message parameter shows itself this way)."""
        text = getattr(self, language, None) if language in ("pl", "en", "uk") else None
        return text or self.pl
