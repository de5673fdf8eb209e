"""Plain text as a simple HTML e-mail body: escaped, paragraphs kept, lines kept, links clickable."""

from __future__ import annotations

import html
import re

__all__ = ["text_to_html"]

_URL = re.compile(r"https?://[^\s<>\"]+")


def _line(line: str) -> str:
    escaped = html.escape(line)
    return _URL.sub(lambda match: f'<a href="{match.group(0)}">{match.group(0)}</a>', escaped)


def text_to_html(text: str, *, title: str = "") -> str:
    """``text`` as an HTML document: blank lines separate paragraphs, single newlines become ``<br>``."""
    paragraphs = [block for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    body = "\n".join("<p>" + "<br>\n".join(_line(line) for line in block.splitlines()) + "</p>" for block in paragraphs)
    heading = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{heading}</head>\n'
        f'<body style="font-family: sans-serif">\n{body}\n</body></html>\n'
    )
