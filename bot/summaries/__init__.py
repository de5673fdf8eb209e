"""Result summaries: text that respects a chat's message limit, HTML for e-mail, a chart with a caption in words,
and the personal "your projects" message. Pure functions of a process, its results and a translator."""

from __future__ import annotations

from bot.summaries.chart import Bar, Chart, summary_chart
from bot.summaries.html import text_to_html
from bot.summaries.personal import chosen_items, your_projects_text
from bot.summaries.split import TELEGRAM_LIMIT, split_text
from bot.summaries.text import SectionOpinions, summary_text, support_text

__all__ = [
    "TELEGRAM_LIMIT",
    "Bar",
    "Chart",
    "SectionOpinions",
    "chosen_items",
    "split_text",
    "summary_chart",
    "summary_text",
    "support_text",
    "text_to_html",
    "your_projects_text",
]
