"""A consultation's notice in words: who runs it and its meetings (when, where, the link to join) — the same
lines on the chat card, in the e-mail invitation, on the page, and in the reminder before a meeting."""

from __future__ import annotations

from bot.definition import Meeting, ProcessDefinition
from bot.i18n import Translator

__all__ = ["meeting_line", "notice_lines"]


def meeting_line(meeting: Meeting, t: Translator) -> str:
    """``28.09.2027, 17:00 — Urząd …, sala nr 12 — https://…`` (the place or the link left out when absent)."""
    parts = [t.datetime(meeting.at)]
    if meeting.place is not None:
        parts.append(meeting.place.get(t.language))
    if meeting.link:
        parts.append(meeting.link)
    return " — ".join(parts)


def notice_lines(definition: ProcessDefinition, t: Translator) -> list[str]:
    """The organiser (as the definition names it) and the meetings, one line each; none without a notice."""
    notice = definition.notice
    if notice is None:
        return []
    lines = []
    if notice.organiser is not None:
        lines.append(t("notice.organiser", organiser=notice.organiser.get(t.language)))
    if notice.meetings:
        lines.append(t("notice.meetings", count=len(notice.meetings)))
        lines += [f"  • {meeting_line(meeting, t)}" for meeting in notice.meetings]
    return lines
