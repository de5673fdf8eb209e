"""A consultation's notice (*ogłoszenie o konsultacjach*): who runs it, on what legal basis, and its meetings.

In a definition it is the ``[notice]`` table::

    [notice]
    organiser = "Burmistrz Miasta i Gminy Wieliczka"
    legal_basis = "art. 5a ust. 1 ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego …"
    meeting_reminders = ["1d"]           # before each meeting, to those who asked for reminders

    [[notice.meetings]]
    at = 2027-09-28T17:00:00+02:00
    place = "Urząd Miasta i Gminy Wieliczka, sala nr 12, Rynek Górny 1"
    link = "https://meet.example.pl/program-2027"

The organiser given here is shown when the process belongs to no organisation record (one with a name takes
precedence). The deadline is the process's ``closes_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.definition.localized import LocalizedText

__all__ = ["Meeting", "Notice"]

_Link = Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s<>\"]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Meeting(_Strict):
    """One consultation meeting: when (with its offset), where, or a link to join it online (or both)."""

    at: datetime
    place: LocalizedText | None = None
    link: _Link | None = None

    @model_validator(mode="after")
    def _check(self) -> Meeting:
        if self.at.tzinfo is None:
            raise ValueError("a meeting's 'at' needs a time zone offset, e.g. 2027-09-28T17:00:00+02:00")
        if self.place is None and self.link is None:
            raise ValueError("a meeting needs a place, a link or both")
        return self


class Notice(_Strict):
    """The notice of a consultation (module docstring)."""

    organiser: LocalizedText | None = None
    legal_basis: LocalizedText | None = None
    meetings: list[Meeting] = Field(default_factory=list, max_length=20)
    meeting_reminders: list[str] = Field(default_factory=lambda: ["1d"], max_length=3)

    @field_validator("meeting_reminders")
    @classmethod
    def _offsets(cls, value: list[str]) -> list[str]:
        for offset in value:
            if not offset[:-1].isdigit() or offset[-1] not in "dhm" or int(offset[:-1]) <= 0:
                raise ValueError(f"meeting reminder {offset!r} must look like 1d, 12h or 30m")
        return value

    @field_validator("meetings")
    @classmethod
    def _in_order(cls, value: list[Meeting]) -> list[Meeting]:
        return sorted(value, key=lambda meeting: meeting.at)
