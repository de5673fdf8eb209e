"""Formatting options, as the Bot API documents them: ``parse_mode`` HTML, MarkdownV2 and Markdown turned into the
text a person sees and its ``MessageEntity`` list — or refused.

:func:`parse` returns ``(text, entities)`` with entity offsets and lengths in UTF-16 code units (as Telegram
counts them), or raises :class:`EntityError` whose message is what Telegram puts after "Bad Request: can't parse
entities: ", with the byte offset (UTF-8) of the fault where Telegram gives one. The rules followed
(core.telegram.org/bots/api#formatting-options):

* HTML: tags ``b strong i em u ins s strike del span class="tg-spoiler" tg-spoiler a href code pre
  blockquote [expandable] tg-emoji emoji-id``; the named entities ``&lt; &gt; &amp; &quot;`` and numeric ones;
  every tag closed in order; nothing nested inside ``code``/``pre`` except ``<pre><code class="language-…">``.
* MarkdownV2: ``*bold* _italic_ __underline__ ~strike~ ||spoiler|| [text](url) `code` ```pre```, ``>`` quotes;
  any character 1–126 may be escaped with ``\\``, and ``_ * [ ] ( ) ~ ` > # + - = | { } . !`` must be
  outside an entity's markup.
* Markdown (legacy): ``*bold* _italic_ [text](url) `code` ```pre```, no nesting; ``\\`` escapes ``_ * ` [``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityError", "parse", "utf16_length"]


class EntityError(ValueError):
    """The text does not parse in its ``parse_mode``; ``str(error)`` is Telegram's description of why."""


def utf16_length(text: str) -> int:
    """A length as Telegram counts entity offsets and lengths: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and its entities; ``parse_mode`` None or empty means plain text."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _Html(text).run()
    if mode == "markdownv2":
        return _MarkdownV2(text).run()
    if mode == "markdown":
        return _Markdown(text).run()
    raise EntityError(f"Unsupported parse_mode {parse_mode!r}")  # Telegram: "unsupported parse_mode"


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Builder:
    """The visible text as it grows, and the entities opened and closed on it."""

    parts: list[str] = field(default_factory=list)
    length: int = 0  # in UTF-16 code units
    entities: list[dict[str, Any]] = field(default_factory=list)

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.length += utf16_length(chunk)

    def close(self, kind: str, start: int, **extra: Any) -> None:
        if self.length > start:  # an empty entity is dropped, as Telegram does
            self.entities.append({"type": kind, "offset": start, "length": self.length - start, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        return "".join(self.parts), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))


# ----------------------------------------------------------------------------------------------------------- HTML

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class _Html:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        self.open: list[tuple[str, int, dict[str, Any], int]] = []  # tag, start, extra, byte offset

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "<":
                i = self._tag(i)
            elif char == "&":
                i = self._entity(i)
            elif char == ">":
                self.out.add(">")  # Telegram tolerates a lone '>'
                i += 1
            else:
                end = min((p for p in (text.find("<", i), text.find("&", i), text.find(">", i)) if p >= 0), default=-1)
                end = len(text) if end < 0 else end
                self.out.add(text[i:end])
                i = end
        if self.open:
            raise EntityError(f'Can\'t find end tag corresponding to start tag "{self.open[-1][0]}"')
        return self.out.result()

    def _entity(self, i: int) -> int:
        match = re.match(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});", self.text[i:])
        if match is None:
            self.out.add("&")  # an '&' that starts no entity is kept as it is
            return i + 1
        name = match.group(1)
        if name.startswith("#"):
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
            if not 0 < code < 0x110000:
                raise EntityError(f"Wrong HTML entity at byte offset {_byte(self.text, i)}")
            self.out.add(chr(code))
        elif name.lower() in _NAMED:
            self.out.add(_NAMED[name.lower()])
        else:
            self.out.add(html.unescape(match.group(0)) if name in ("nbsp",) else match.group(0))
        return i + len(match.group(0))

    def _tag(self, i: int) -> int:
        text, offset = self.text, _byte(self.text, i)
        end = text.find(">", i)
        if end < 0:
            raise EntityError(f"Unclosed start tag at byte offset {offset}")
        body = text[i + 1 : end]
        if body.startswith("/"):
            name = body[1:].strip().lower()
            if not self.open:
                raise EntityError(f"Unexpected end tag at byte offset {offset}")
            tag, start, opened, _ = self.open.pop()
            if name != tag:
                raise EntityError(f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", found "</{name}>"')
            self._close(tag, start, opened)
            return end + 1
        match = re.match(r"([a-zA-Z][a-zA-Z0-9-]*)", body)
        name = match.group(1).lower() if match else ""
        if name not in _HTML_TAGS:
            raise EntityError(f'Unsupported start tag "{name}" at byte offset {offset}')
        attributes: dict[str, str] = {}
        rest = body[len(name) :]
        for attribute in _ATTRIBUTE.finditer(rest):
            if attribute.group(1):
                value = next((g for g in attribute.groups()[1:] if g is not None), "")
                attributes[attribute.group(1).lower()] = html.unescape(value)
        if self.open and self.open[-1][0] in ("code", "pre") and not (name == "code" and self.open[-1][0] == "pre"):
            raise EntityError(f"Can't parse entities in a code or pre entity at byte offset {offset}")
        extra: dict[str, Any] = {}
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if name == "a":
            href = attributes.get("href", "")
            if not href:
                raise EntityError(f"Can't find href in an <a> tag at byte offset {offset}")
            extra = {"url": href}
        if name == "tg-emoji":
            if not attributes.get("emoji-id", "").isdigit():
                raise EntityError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}')
            extra = {"custom_emoji_id": attributes["emoji-id"]}
        if name == "blockquote" and "expandable" in attributes:
            extra = {"expandable": True}
        if name == "code" and attributes.get("class", "").startswith("language-"):
            extra = {"language": attributes["class"].removeprefix("language-")}
        self.open.append((name, self.out.length, extra, offset))
        return end + 1

    def _close(self, tag: str, start: int, extra: dict[str, Any]) -> None:
        kind = _HTML_TAGS[tag]
        if kind == "code" and self.open and self.open[-1][0] == "pre":
            if "language" in extra:  # <pre><code class="language-x">: the language goes on the pre entity
                self.open[-1][2]["language"] = extra["language"]
            return
        if kind == "blockquote" and extra.get("expandable"):
            kind, extra = "expandable_blockquote", {}
        self.out.close(kind, start, **extra)


# ----------------------------------------------------------------------------------------------------- MarkdownV2

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_MARKS = (("||", "spoiler"), ("__", "underline"), ("*", "bold"), ("_", "italic"), ("~", "strikethrough"))


class _MarkdownV2:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        self.open: list[tuple[str, str, int, int]] = []  # mark, kind, start, byte offset
        self.quote_start: int | None = None

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i = self.text, 0
        at_line_start = True
        while i < len(text):
            char = text[i]
            if at_line_start and char == ">":
                if self.quote_start is None:
                    self.quote_start = self.out.length
                i += 1
                at_line_start = False
                continue
            if at_line_start and self.quote_start is not None:
                self._end_quote()
            at_line_start = False
            if char == "\\":
                if i + 1 >= len(text) or not 0 < ord(text[i + 1]) < 127:
                    raise EntityError(
                        f"Character '\\' is reserved and must be escaped with the preceding '\\' at byte offset "
                        f"{_byte(text, i)}"
                    )
                self.out.add(text[i + 1])
                i += 2
                continue
            if char == "`":
                i = self._code(i)
                continue
            if char == "[":
                self.open.append(("[", "text_link", self.out.length, _byte(text, i)))
                i += 1
                continue
            if char == "]" and self.open and self.open[-1][0] == "[":
                i = self._link_end(i)
                continue
            marked = next(((m, k) for m, k in _V2_MARKS if text.startswith(m, i)), None)
            if marked is not None:
                i = self._mark(i, *marked)
                continue
            if char in _V2_RESERVED:
                raise EntityError(
                    f"Character '{char}' is reserved and must be escaped with the preceding '\\' at byte offset "
                    f"{_byte(text, i)}"
                )
            self.out.add(char)
            if char == "\n":
                at_line_start = True
            i += 1
        if self.quote_start is not None:
            self._end_quote()
        if self.open:
            _, kind, _, offset = self.open[-1]
            name = "TextUrl" if kind == "text_link" else kind.capitalize()
            raise EntityError(f"Can't find end of {name} entity at byte offset {offset}")
        return self.out.result()

    def _end_quote(self) -> None:
        assert self.quote_start is not None
        start, self.quote_start = self.quote_start, None
        # the newline that ended the quote is not part of it
        end = self.out.length - (1 if self.out.parts and self.out.parts[-1].endswith("\n") else 0)
        if end > start:
            self.out.entities.append({"type": "blockquote", "offset": start, "length": end - start})

    def _mark(self, i: int, mark: str, kind: str) -> int:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == mark:
                if depth != len(self.open) - 1:
                    inner = self.open[-1]
                    name = "TextUrl" if inner[1] == "text_link" else inner[1].capitalize()
                    raise EntityError(f"Can't find end of {name} entity at byte offset {inner[3]}")
                _, _, start, _ = self.open.pop()
                self.out.close(kind, start)
                return i + len(mark)
        self.open.append((mark, kind, self.out.length, _byte(self.text, i)))
        return i + len(mark)

    def _code(self, i: int) -> int:
        text, offset = self.text, _byte(self.text, i)
        fence = "```" if text.startswith("```", i) else "`"
        j, body, language = i + len(fence), [], ""
        if fence == "```":
            newline = text.find("\n", j)
            first_line = text[j:newline] if newline >= 0 else ""
            if newline >= 0 and first_line and re.fullmatch(r"[A-Za-z0-9_+#.-]+", first_line):
                language, j = first_line, newline + 1
            elif newline >= 0 and not first_line:
                j = newline + 1
        while j < len(text):
            if text[j] == "\\" and j + 1 < len(text):
                body.append(text[j + 1])
                j += 2
                continue
            if text.startswith(fence, j):
                content = "".join(body)
                start = self.out.length
                self.out.add(content)
                extra = {"language": language} if language else {}
                self.out.close("pre" if fence == "```" else "code", start, **extra)
                return j + len(fence)
            body.append(text[j])
            j += 1
        name = "Pre" if fence == "```" else "Code"
        raise EntityError(f"Can't find end of {name} entity at byte offset {offset}")

    def _link_end(self, i: int) -> int:
        text = self.text
        _, _, start, offset = self.open.pop()
        if not text.startswith("(", i + 1):
            raise EntityError(f"Can't find end of TextUrl entity at byte offset {offset}")
        j, url = i + 2, []
        while j < len(text) and text[j] != ")":
            if text[j] == "\\" and j + 1 < len(text):
                url.append(text[j + 1])
                j += 2
                continue
            url.append(text[j])
            j += 1
        if j >= len(text):
            raise EntityError(f"Can't find end of a URL at byte offset {_byte(text, i + 1)}")
        self.out.close("text_link", start, url="".join(url))
        return j + 1


# ------------------------------------------------------------------------------------------------------- Markdown

_V1_MARKS = {"*": "bold", "_": "italic"}


class _Markdown:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
                self.out.add(text[i + 1])
                i += 2
                continue
            if char in _V1_MARKS or char == "`" or char == "[":
                i = self._entity(i)
                continue
            self.out.add(char)
            i += 1
        return self.out.result()

    def _entity(self, i: int) -> int:
        text, offset = self.text, _byte(self.text, i)
        missing = EntityError(f"Can't find end of the entity starting at byte offset {offset}")
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise missing
            body, language = text[i + 3 : end], ""
            first, newline, rest = body.partition("\n")
            if newline and first and re.fullmatch(r"[A-Za-z0-9_+#.-]+", first):
                body, language = rest, first
            start = self.out.length
            self.out.add(body)
            self.out.close("pre", start, **({"language": language} if language else {}))
            return end + 3
        char = text[i]
        if char == "[":
            close = text.find("]", i + 1)
            if close < 0 or not text.startswith("(", close + 1) or text.find(")", close + 2) < 0:
                raise missing
            url_end = text.find(")", close + 2)
            start = self.out.length
            self.out.add(text[i + 1 : close])
            self.out.close("text_link", start, url=text[close + 2 : url_end])
            return url_end + 1
        end = text.find(char, i + 1)
        if end < 0:
            raise missing
        start = self.out.length
        self.out.add(text[i + 1 : end])
        self.out.close("code" if char == "`" else _V1_MARKS[char], start)
        return end + 1
