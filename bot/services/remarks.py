"""A consultation's remarks counted per unit of the draft, as the summary, the page and the report count them.

One rule, so that the figures agree wherever they are shown: a unit's count is the remarks the report
publishes (approved in moderation). The others are counted apart and never attributed to a unit: remarks not
yet reviewed (``pending`` — their text was not checked, so it is not published), remarks rejected in moderation
(listed in the report with the reason) and remarks withdrawn by their authors (listed with that status).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from bot.domain import ItemKind, ModerationStatus
from storage.models import Item, Opinion

__all__ = ["RemarkTally", "UnitRemarks", "remark_tally"]

_ITEM = Item.__table__  # type: ignore[attr-defined]
_OPINION = Opinion.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class UnitRemarks:
    """One unit of the draft (in document order) and the number of its published remarks."""

    key: str
    number: str | None
    title: dict[str, str]
    published: int

    def title_in(self, language: str) -> str:
        """The unit's title in ``language``, falling back to Polish."""
        return str(self.title.get(language) or self.title.get("pl", ""))


@dataclass(frozen=True)
class RemarkTally:
    """Published remarks per unit and on the whole document, and those not published, by why."""

    units: list[UnitRemarks] = field(default_factory=list)
    general: int = 0  # published remarks on the document as a whole
    pending: int = 0
    rejected: int = 0
    withdrawn: int = 0

    @property
    def published(self) -> int:
        """All published remarks: the report's ``approved``."""
        return self.general + sum(unit.published for unit in self.units)


def remark_tally(connection: Connection, process_id: int) -> RemarkTally:
    """Count the remarks of a process in two queries (module docstring for the rule)."""
    rows = connection.execute(
        select(_OPINION.c.item_id, _OPINION.c.status).where(_OPINION.c.process_id == process_id)
    ).all()
    published = Counter(item for item, status in rows if status == ModerationStatus.APPROVED.value)
    statuses = Counter(str(status) for _, status in rows)
    units = connection.execute(
        select(_ITEM.c.id, _ITEM.c.key, _ITEM.c.number, _ITEM.c.title)
        .where(_ITEM.c.process_id == process_id, _ITEM.c.kind == ItemKind.SECTION.value)
        .order_by(_ITEM.c.position)
    ).all()
    return RemarkTally(
        units=[
            UnitRemarks(key, number, dict(title or {}), published.get(item_id, 0))
            for item_id, key, number, title in units
        ],
        general=published.get(None, 0),
        pending=statuses[ModerationStatus.PENDING.value],
        rejected=statuses[ModerationStatus.REJECTED.value],
        withdrawn=statuses[ModerationStatus.WITHDRAWN.value],
    )
