"""Reading a process definition from TOML text, with errors that point at the file, line and key.

:func:`load_definition` parses the text with :mod:`tomllib` and validates it with
:class:`~bot.definition.model.ProcessDefinition`. Anything wrong becomes one
:class:`~bot.errors.DefinitionError` with the key ``definition.invalid`` and the parameters

* ``source`` — the file name (or ``"<definition>"``),
* ``line`` — the 1-based line of the offending key (always an ``int``: 1 when nothing better is known),
* ``key_path`` — the dotted key path, e.g. ``pools[1].ballot.max`` (not ``key``: that name is taken by the
  message key in ``GlosError(key, **params)`` and ``Translator.__call__(key, **params)``),
* ``reason`` — a short technical reason in English,
* ``errors`` — how many problems were found (only the first is described).

:mod:`tomllib` gives no positions, so :class:`_Positions` scans the text once more and records the line
where each key path is written (headers ``[pools.ballot]``, array tables ``[[pools]]``, dotted keys, inline
tables and arrays of inline tables). A missing key is reported at the line of its nearest written ancestor
(the ``[[pools]]`` header of a pool without ``ballot``), which is where the moderator has to add it.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

from pydantic import ValidationError

from bot.definition.model import InvalidAt, ProcessDefinition
from bot.errors import DefinitionError

__all__ = ["format_key_path", "load_definition", "load_definition_file"]

PathPart = str | int
KeyPath = tuple[PathPart, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_TOML_LINE = re.compile(r"at line (\d+)")
_TOML_REASON = re.compile(r"\s*\(at (?:line \d+, column \d+|end of document)\)\s*$")

# pydantic's default messages are long and aimed at programmers; these say the same in a few words.
_SHORT_REASONS = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
}


def format_key_path(path: KeyPath) -> str:
    """``("pools", 1, "ballot", "max")`` → ``"pools[1].ballot.max"``; keys that are not bare are quoted."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
            text += f".{shown}" if text else shown
    return text


def load_definition(text: str, source: str = "<definition>") -> ProcessDefinition:
    """Parse and validate a definition written in TOML.

    Returns the validated :class:`ProcessDefinition`; raises :class:`DefinitionError` (``definition.invalid``)
    for a TOML syntax error or any validation error, describing the first one (see the module docstring).
    A UTF-8 byte order mark, which Windows editors like to add, is ignored.
    """
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _syntax_error(text, source, error) from None
    try:
        return ProcessDefinition.model_validate(data)
    except ValidationError as error:
        raise _validation_error(text, source, error) from None


def load_definition_file(path: str | PathLike[str]) -> ProcessDefinition:
    """Read ``path`` (UTF-8) and :func:`load_definition` it with the path as the source name.

    A file that cannot be read or is not UTF-8 raises :class:`DefinitionError` with the key
    ``definition.unreadable`` (parameters ``source`` and ``reason``), so callers handle one error type.
    """
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError(
            "definition.unreadable", source=source, reason=f"not UTF-8 text (byte {error.start})"
        ) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise DefinitionError("definition.unreadable", source=source, reason=reason) from None
    return load_definition(text, source)


def _syntax_error(text: str, source: str, error: tomllib.TOMLDecodeError) -> DefinitionError:
    message = str(error)
    found = _TOML_LINE.search(message)
    # "at end of document" carries no line: the problem is at the very end
    line = int(found.group(1)) if found else text.count("\n") + 1
    reason = _TOML_REASON.sub("", message) or "invalid TOML"
    positions = _Positions.scan(text)
    key = format_key_path(positions.last_before(line))
    return DefinitionError(
        "definition.invalid", source=source, line=line, key_path=key or "(top)", reason=reason, errors=1
    )


def _validation_error(text: str, source: str, error: ValidationError) -> DefinitionError:
    problems = error.errors(include_url=False)
    first = problems[0]
    path: KeyPath = tuple(first["loc"])
    reason = _SHORT_REASONS.get(first["type"], first["msg"])
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, InvalidAt):
        path += cause.path
        reason = str(cause)
    elif first["type"] == "value_error":
        reason = reason.removeprefix("Value error, ")
    positions = _Positions.scan(text)
    return DefinitionError(
        "definition.invalid",
        source=source,
        line=positions.line_of(path),
        key_path=format_key_path(path) or "(top)",
        reason=reason,
        errors=len(problems),
    )


class _Stop(Exception):
    """The scanner reached text it cannot follow (only after a syntax error); keep what was found."""


@dataclass
class _Positions:
    """Where each key path of a TOML text is written: ``{("pools", 1, "ballot", "max"): 14}`` (1-based).

    A best-effort scanner, not a TOML parser: it trusts the text to be valid (it only runs on text that
    :mod:`tomllib` accepted, or up to a syntax error) and records the first line of each path.
    """

    text: str
    lines: dict[KeyPath, int] = field(default_factory=dict)
    array_lengths: dict[KeyPath, int] = field(default_factory=dict)
    pos: int = 0

    @classmethod
    def scan(cls, text: str) -> _Positions:
        """Record the positions of every key in ``text``; stops quietly at anything it cannot follow."""
        positions = cls(text)
        with contextlib.suppress(_Stop, IndexError):
            positions._document()
        return positions

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``, else of its nearest recorded ancestor, else 1."""
        for length in range(len(path), 0, -1):
            found = self.lines.get(path[:length])
            if found is not None:
                return found
        return 1  # the root: the top of the file is where a missing top-level key goes

    def last_before(self, line: int) -> KeyPath:
        """The path recorded last at or before ``line`` (the key being written when a syntax error hit)."""
        best: KeyPath = ()
        best_line = 0
        for path, where in self.lines.items():
            if best_line <= where <= line:
                best, best_line = path, where
        return best

    # -- the scanner ------------------------------------------------------------------------------------

    def _line(self) -> int:
        return self.text.count("\n", 0, self.pos) + 1

    def _record(self, path: KeyPath, line: int) -> None:
        self.lines.setdefault(path, line)

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces and comments (and newlines too when inside brackets)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def _document(self) -> None:
        table: KeyPath = ()
        while self.pos < len(self.text):
            self._skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.text.startswith("[[", self.pos):
                self.pos += 2
                table = self._array_table(self._key(), self._line())
                self._expect("]]")
            elif self._peek() == "[":
                self.pos += 1
                line = self._line()
                dotted = self._key()
                for length in range(1, len(dotted) + 1):  # [a.b.c] also defines a and a.b
                    self._record(self._resolve(dotted[:length]), line)
                table = self._resolve(dotted)
                self._expect("]")
            else:
                self._key_value(table)

    def _expect(self, token: str) -> None:
        self._skip_blank(newlines=False)
        if not self.text.startswith(token, self.pos):
            raise _Stop
        self.pos += len(token)

    def _resolve(self, dotted: list[str]) -> KeyPath:
        """A header's path: ``[pools.ballot]`` continues the last ``[[pools]]`` element."""
        path: KeyPath = ()
        for part in dotted:
            path += (part,)
            if path in self.array_lengths:
                path += (self.array_lengths[path] - 1,)
        return path

    def _array_table(self, dotted: list[str], line: int) -> KeyPath:
        parent = self._resolve(dotted[:-1])
        array = (*parent, dotted[-1])
        index = self.array_lengths.get(array, 0)
        self.array_lengths[array] = index + 1
        self._record(array, line)
        self._record((*array, index), line)
        return (*array, index)

    def _key(self) -> list[str]:
        """A dotted key: ``a.b``, ``"quoted key".c``."""
        parts: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            char = self._peek()
            if char in "\"'":
                parts.append(self._string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    raise _Stop
                parts.append(match.group())
                self.pos = match.end()
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return parts
            self.pos += 1

    def _key_value(self, table: KeyPath) -> None:
        line = self._line()
        dotted = self._key()
        path = table
        for part in dotted:
            path = (*path, part)
            self._record(path, line)
        self._expect("=")
        self._value(path)

    def _value(self, path: KeyPath) -> None:
        self._skip_blank(newlines=False)
        char = self._peek()
        if char == "{":
            self.pos += 1
            self._inline_table(path)
        elif char == "[":
            self.pos += 1
            self._array(path)
        elif char in "\"'":
            self._string()
        else:
            # numbers, booleans and dates: everything up to the next delimiter
            match = re.compile(r"[^,\]}\n#]*").match(self.text, self.pos)
            assert match is not None  # the pattern accepts the empty string
            self.pos = match.end()

    def _inline_table(self, path: KeyPath) -> None:
        self._skip_blank(newlines=True)
        while self._peek() != "}":
            self._key_value(path)
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
                self._skip_blank(newlines=True)
            elif self._peek() != "}":
                raise _Stop
        self.pos += 1

    def _array(self, path: KeyPath) -> None:
        index = 0
        self._skip_blank(newlines=True)
        while self._peek() != "]":
            self._record((*path, index), self._line())
            self._value((*path, index))
            index += 1
            self._skip_blank(newlines=True)
            if self._peek() == ",":
                self.pos += 1
                self._skip_blank(newlines=True)
            elif self._peek() != "]":
                raise _Stop
        self.pos += 1

    def _string(self) -> str:
        """Consume a basic, literal or multi-line string and return its (roughly unescaped) content."""
        for quote in ('"""', "'''", '"', "'"):
            if self.text.startswith(quote, self.pos):
                break
        start = self.pos + len(quote)
        end = start
        while True:
            end = self.text.find(quote, end)
            if end < 0 or (len(quote) == 1 and "\n" in self.text[start:end]):
                raise _Stop
            if quote[0] == '"' and _escaped(self.text, start, end):
                end += 1
                continue
            break
        if len(quote) == 3:
            while self.text.startswith(quote[0], end + 3):  # """a"""" ends with a quote inside
                end += 1
        self.pos = end + len(quote)
        return self.text[start:end]


def _escaped(text: str, start: int, end: int) -> bool:
    """Whether the quote at ``end`` is escaped by an odd run of backslashes."""
    backslashes = 0
    index = end - 1
    while index >= start and text[index] == "\\":
        backslashes += 1
        index -= 1
    return backslashes % 2 == 1
