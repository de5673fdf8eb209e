""" "Your projects": what happened to the projects a voter chose, after a budget vote is published.

Only the running bot can find a person's ballot (:meth:`bot.services.context.ServiceContext.ballot_key`); this
module only turns that ballot and the results into words.
"""

from __future__ import annotations

from typing import Any

from bot.counting.pool import PoolResult
from bot.i18n import Translator
from bot.services import ProcessInfo, ProcessResults
from bot.services.context import strip_meta

__all__ = ["chosen_items", "your_projects_text"]


def chosen_items(content: dict[str, Any]) -> dict[str, list[str]]:
    """Per pool, the items a ballot names (with any points or score), in ballot order."""
    chosen: dict[str, list[str]] = {}
    for pool, vote in strip_meta(content).items():
        if isinstance(vote, list):
            chosen[pool] = [str(item) for item in vote]
        elif isinstance(vote, dict):
            chosen[pool] = [str(item) for item, value in vote.items() if value not in (0, "no", "abstain")]
    return chosen


def your_projects_text(info: ProcessInfo, results: ProcessResults, content: dict[str, Any], t: Translator) -> str:
    """The personal message for one voter: each chosen project, selected or not and why."""
    titles = {item.key: item.title.get(t.language) for item in info.definition.items}
    pools: dict[str, PoolResult] = results.rounds[0]
    lines = [t("summary.yours.header", title=info.title(t.language))]
    for pool_key, items in chosen_items(content).items():
        result = pools.get(pool_key)
        for item in items:
            title = titles.get(item, item)
            row = None
            if result is not None:
                try:
                    row = result.row(item)
                except KeyError:
                    row = None
            if row is not None and row.selected:
                lines.append("✅ " + t("summary.yours.selected", title=title))
            elif row is not None and row.reason:
                lines.append(
                    "❌ "
                    + t("summary.yours.not_selected_because", title=title, reason=t("counting.reason." + row.reason))
                )
            else:
                lines.append("❌ " + t("summary.yours.not_selected", title=title))
    return "\n".join(lines)
