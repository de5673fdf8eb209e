"""Reading and writing pabulib ``.pb`` files (participatory-budget elections).

The format (Stolicki, Szufa, Talmon, arXiv:2012.06539) has three ``;``-separated CSV sections, each opened by a
line holding its name: ``META`` (``key;value`` rows), ``PROJECTS`` (a header row naming the columns, at least
``project_id`` and ``cost``) and ``VOTES`` (a header row, at least ``voter_id`` and ``vote``; ``vote`` is a comma
list of project ids, ``points`` a parallel comma list for cumulative and scoring ballots).

Contract of :func:`parse_pb`:

* accepts LF, CRLF, CR or mixed line endings, a UTF-8 byte-order mark, CSV quoting (``"a ""b"" c"``) and blank
  lines anywhere;
* numbers (``budget``, ``cost``, ``points``) are read exactly as :class:`fractions.Fraction` (``1546168.66`` stays
  ``154616866/100``); a decimal comma (``1,5``) is accepted in costs and the budget, as pabutools does;
* anything malformed raises :class:`bot.errors.PabulibError` whose ``key`` names the problem and whose
  ``params`` carry the 1-based physical ``line`` (where there is one) and the offending value. The keys, all
  translated in ``bot/locale/*/LC_MESSAGES/counting.po``:

  ======================================  ===========================================================
  ``pabulib.unreadable``                  ``path``: the file cannot be read or is not UTF-8
  ``pabulib.empty``                       the text holds no section at all
  ``pabulib.outside_section``             ``line``: a row before the first section name
  ``pabulib.bad_csv``                     ``line``, ``detail``: the CSV itself is broken (an open quote)
  ``pabulib.missing_section``             ``section``: META, PROJECTS or VOTES is absent
  ``pabulib.duplicate_section``           ``line``, ``section``
  ``pabulib.missing_column``              ``line``, ``section``, ``column``: a required header column
  ``pabulib.field_count``                 ``line``, ``expected``, ``found``: a row's number of fields
  ``pabulib.bad_number``                  ``line``, ``column``, ``value``: not a number (or negative)
  ``pabulib.duplicate_project``           ``line``, ``project``
  ``pabulib.duplicate_voter``             ``line``, ``voter``
  ``pabulib.unknown_project``             ``line``, ``project``: a vote names a project not listed
  ``pabulib.points_mismatch``             ``line``, ``votes``, ``points``: list lengths differ
  ``pabulib.missing_meta``                ``name``: e.g. no ``budget``
  ======================================  ===========================================================

:func:`write_pb` renders an election back; ``parse_pb(write_pb(e)) == e`` for every parsed ``e``.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path

from bot.errors import PabulibError

__all__ = [
    "PbElection",
    "PbProject",
    "PbVote",
    "format_number",
    "parse_number",
    "parse_pb",
    "read_pb",
    "write_pb",
]

_SECTIONS = ("META", "PROJECTS", "VOTES")
# Columns with a typed attribute of their own; every other column is kept verbatim in ``extra``.
_PROJECT_TYPED = ("project_id", "cost", "name", "selected")
_VOTE_TYPED = ("voter_id", "vote", "points")


class _Cells(Mapping[str, str]):
    """The other cells of one VOTES row (age, sex, district …), stripped when read: a city-wide file's 60,000 rows
    each get no dict of their own until someone reads them, which a count never does."""

    __slots__ = ("_at", "_row")

    def __init__(self, at: Mapping[str, int], row: Sequence[str]) -> None:
        self._at = at  # column name → position in the row, one mapping shared by every row of the section
        self._row = row

    def __getitem__(self, key: str) -> str:
        return self._row[self._at[key]].strip()

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(frozen=True, slots=True)
class PbProject:
    """One row of the PROJECTS section.

    ``selected`` is the published outcome column as an int (1 = funded, 0 = not; some files use other codes) or
    ``None`` when the file has no such column or the cell is empty. ``extra`` holds every other column (``votes``,
    ``score``, ``category`` …) as text, exactly as read.
    """

    project_id: str
    cost: Fraction
    name: str = ""
    selected: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PbVote:
    """One row of the VOTES section: the voter, the project ids in ballot order, points if the file has them."""

    voter_id: str
    vote: tuple[str, ...]
    points: tuple[Fraction, ...] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PbElection:
    """A whole ``.pb`` file: META as an ordered dict of strings, projects and votes in file order.

    ``project_columns`` and ``vote_columns`` are the header rows, kept so that :func:`write_pb` writes the same
    columns in the same order.
    """

    meta: Mapping[str, str]
    projects: tuple[PbProject, ...]
    votes: tuple[PbVote, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost", "name", "selected")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def budget(self) -> Fraction:
        """The ``budget`` META value, exact; :class:`PabulibError` ``pabulib.missing_meta`` if absent."""
        raw = self.meta.get("budget")
        if raw is None or not raw.strip():
            raise PabulibError("pabulib.missing_meta", name="budget")
        return parse_number(raw, line=None, column="budget", decimal_comma=True)

    @property
    def vote_type(self) -> str:
        """The ``vote_type`` META value (``approval`` when absent, as pabutools assumes)."""
        return self.meta.get("vote_type", "approval").strip().lower() or "approval"

    def project(self, project_id: str) -> PbProject:
        """The project with this id; :class:`KeyError` if there is none."""
        for project in self.projects:
            if project.project_id == project_id:
                return project
        raise KeyError(project_id)


def parse_number(raw: str, *, line: int | None, column: str, decimal_comma: bool = False) -> Fraction:
    """``raw`` as an exact non-negative :class:`Fraction`; :class:`PabulibError` ``pabulib.bad_number`` if not.

    ``decimal_comma`` accepts ``1,5`` for ``1.5`` (only where no ``.`` is present, so ``1,000.5`` is refused).
    """
    text = raw.strip()
    if decimal_comma and "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise PabulibError("pabulib.bad_number", line=line, column=column, value=raw) from None
    if value < 0:
        raise PabulibError("pabulib.bad_number", line=line, column=column, value=raw)
    return value


def format_number(value: Fraction) -> str:
    """``value`` as the shortest exact decimal text (``Fraction(3, 2)`` → ``"1.5"``); non-decimal fractions as
    ``p/q`` so that nothing is ever rounded."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled.numerator), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def read_pb(path: str | Path) -> PbElection:
    """Parse the file at ``path`` (see :func:`parse_pb`); unreadable files raise ``pabulib.unreadable``."""
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise PabulibError("pabulib.unreadable", path=str(path)) from None
    return parse_pb(text)


# The VOTES section's marker line; line breaks as csv counts them; and what only the csv module reads right:
# quotes, NULs (an error there) and the line breaks str.splitlines knows but csv does not.
_VOTES = re.compile(r"^[ \t]*VOTES[ \t;\r]*$", re.MULTILINE | re.IGNORECASE)
_BREAK = re.compile(r"\r\n|\r|\n")
_SPECIAL = '"\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'
# A section line after a line break. The break is a literal, not a class: the regex engine then looks only at line
# starts, ten times faster over a city-wide file than a MULTILINE "^" tried at every character.
_NAMES = r"[ \t]*(?:[Mm][Ee][Tt][Aa]|[Pp][Rr][Oo][Jj][Ee][Cc][Tt][Ss]|[Vv][Oo][Tt][Ee][Ss])[ \t;\r]*"
_SECTION_AFTER_LF = re.compile(r"\n" + _NAMES + r"(?=\n|\Z)")
_SECTION_AFTER_CR = re.compile(r"\r" + _NAMES.removesuffix(r"[ \t;\r]*") + r"[ \t;]*(?=\r|\Z)")


def _plain(text: str, start: int) -> bool:
    """Whether ``text`` from ``start`` has no quote, NUL or line break that only the csv module reads right."""
    return all(text.find(char, start) < 0 for char in _SPECIAL)


def _section_after(text: str, start: int) -> bool:
    """Whether a section line (META, PROJECTS or VOTES alone, any case, blank or ";" around) follows ``start``."""
    if _SECTION_AFTER_LF.search(text, start) is not None:
        return True
    # A lone "\r" breaks lines too (csv and str.splitlines agree): look after those only when the text has one.
    lone_cr = text.count("\r", start) > text.count("\r\n", start)
    return lone_cr and _SECTION_AFTER_CR.search(text, start) is not None


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The CSV rows of ``text`` with the physical line number each starts on; blank rows are dropped."""
    # csv handles "\r\n", "\n" and a lone "\r" itself when given the text untranslated, and counts physical lines
    # (line_num) even across quoted newlines, which is what a user looking at the file in an editor needs.
    votes = _VOTES.search(text)
    if votes is not None and _plain(text, votes.start()):
        # The VOTES section (nearly all of a file) has no quotes, NULs or odd line breaks: each of its lines is one
        # row and splitting on ";" is what csv would do, at C speed. Only the part before it goes through csv.
        head, tail = text[: votes.start()], text[votes.start() :]
        first = len(_BREAK.findall(head)) + 1
        found = _rows(head) if head else []
        found.extend(
            (number, line.split(";"))
            for number, line in enumerate(tail.splitlines(), start=first)
            if line.replace(";", "").strip()  # a line is blank when all its cells are
        )
        return found
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"', strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if row and (row[0].strip() or any(cell.strip() for cell in row)):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as err:
        raise PabulibError("pabulib.bad_csv", line=start, detail=str(err)) from None
    return rows


def _header(line: int, row: list[str], section: str, required: Sequence[str]) -> tuple[str, ...]:
    columns = tuple(cell.strip() for cell in row)
    for column in required:
        if column not in columns:
            raise PabulibError("pabulib.missing_column", line=line, section=section, column=column)
    return columns


def _cells(line: int, row: list[str], width: int) -> list[str]:
    # Some exporters end rows with a stray ";" — an empty trailing cell beyond the header is harmless.
    while len(row) > width and not row[-1].strip():
        row = row[:-1]
    if len(row) != width:
        raise PabulibError("pabulib.field_count", line=line, expected=width, found=len(row))
    return [cell.strip() for cell in row]


def _read_votes(
    columns: tuple[str, ...], rows: list[tuple[int, list[str]]], project_index: Mapping[str, int]
) -> list[PbVote]:
    """The VOTES rows of one header as :class:`PbVote` s, validated as :func:`parse_pb` documents.

    The hot part of a city-wide file (60,000+ rows): the work is done a column at a time with built-ins (``map``,
    ``set``, ``zip``) instead of row by row in Python, and the rows are looked at one by one only to name the
    line of an error.
    """
    width = len(columns)
    if any(len(row) != width for _, row in rows):
        rows = [(line, _cells(line, row, width)) for line, row in rows]
    lines = [line for line, _ in rows]
    cells = [row for _, row in rows]
    voters = list(map(str.strip, map(itemgetter(columns.index("voter_id")), cells)))
    if len(set(voters)) != len(voters):
        seen: set[str] = set()
        for line, voter in zip(lines, voters, strict=True):
            if voter in seen:
                raise PabulibError("pabulib.duplicate_voter", line=line, voter=voter)
            seen.add(voter)
    raws = list(map(str.strip, map(itemgetter(columns.index("vote")), cells)))
    votes = [tuple(raw.split(",")) if raw and raw != "None" else () for raw in raws]
    if any(" " in raw or "\t" in raw for raw in raws):  # ids padded with blanks: strip each
        votes = [tuple(pid.strip() for pid in vote) for vote in votes]
    known = frozenset(project_index)
    if not known.issuperset(chain.from_iterable(votes)):
        for line, vote in zip(lines, votes, strict=True):
            for pid in vote:
                if pid not in known:
                    raise PabulibError("pabulib.unknown_project", line=line, project=pid)
    points: list[tuple[Fraction, ...] | None] = [None] * len(cells)
    if "points" in columns:
        at = columns.index("points")
        for k, (line, row) in enumerate(rows):
            raw_points = row[at].strip()
            items = raw_points.split(",") if raw_points and raw_points != "None" else []
            points[k] = tuple(parse_number(p, line=line, column="points") for p in items)
            if len(points[k] or ()) != len(votes[k]):
                raise PabulibError("pabulib.points_mismatch", line=line, votes=len(votes[k]), points=len(items))
    others = {name: i for i, name in enumerate(columns) if name not in _VOTE_TYPED}
    extras = map(partial(_Cells, others), cells) if others else repeat(_Cells(others, ()))
    return list(map(PbVote, voters, votes, points, extras))


def parse_pb(text: str | bytes) -> PbElection:
    """Parse the text of a ``.pb`` file into a :class:`PbElection`, validating it (see the module docstring)."""
    # Hundreds of thousands of small objects, none in a reference cycle: the cyclic garbage collector would
    # otherwise run hundreds of times while they are made and take half of the parsing time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text)
    finally:
        if enabled:
            gc.enable()


def _parse(text: str | bytes) -> PbElection:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PabulibError("pabulib.unreadable", path="<bytes>") from None
    text = text.removeprefix("\ufeff")
    rows = _rows(text)
    if not rows:
        raise PabulibError("pabulib.empty")
    # The usual file ends with its VOTES section: no section line after the first VOTES line (one C-speed scan;
    # a quoted cell holding such a line only makes the answer no, and the rows are then read one by one).
    marker = _VOTES.search(text)
    votes_last = marker is not None and not _section_after(text, marker.end())

    meta: dict[str, str] = {}
    projects: list[PbProject] = []
    votes: list[PbVote] = []
    project_index: dict[str, int] = {}
    seen: set[str] = set()
    section: str | None = None
    columns: tuple[str, ...] | None = None
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    vote_rows: list[tuple[int, list[str]]] = []

    for at, (line, row) in enumerate(rows):
        first = row[0].strip()
        if len(row) == 1 or not "".join(row[1:]).strip():
            name = first.upper()
            if name in _SECTIONS:
                if name in seen:
                    raise PabulibError("pabulib.duplicate_section", line=line, section=name)
                seen.add(name)
                section, columns = name, None
                continue
        if section is None:
            raise PabulibError("pabulib.outside_section", line=line)

        if section == "META":
            if columns is None and first.lower() == "key":
                columns = ("key", "value")  # the optional "key;value" header
                continue
            columns = ("key", "value")
            key, value = _cells(line, row, 2)
            meta[key] = value
            if key == "budget":
                parse_number(value, line=line, column="budget", decimal_comma=True)
        elif section == "PROJECTS":
            if columns is None:
                columns = project_columns = _header(line, row, "PROJECTS", ("project_id", "cost"))
                continue
            cells = dict(zip(columns, _cells(line, row, len(columns)), strict=True))
            pid = cells["project_id"]
            if pid in project_index:
                raise PabulibError("pabulib.duplicate_project", line=line, project=pid)
            selected_raw = cells.get("selected", "")
            selected: int | None = None
            if selected_raw and selected_raw.lower() != "none":
                try:
                    selected = int(selected_raw)
                except ValueError:
                    raise PabulibError("pabulib.bad_number", line=line, column="selected", value=selected_raw) from None
            project_index[pid] = len(projects)
            projects.append(
                PbProject(
                    project_id=pid,
                    cost=parse_number(cells["cost"], line=line, column="cost", decimal_comma=True),
                    name=cells.get("name", ""),
                    selected=selected,
                    extra={k: v for k, v in cells.items() if k not in _PROJECT_TYPED},
                )
            )
        else:  # VOTES: collected here, read in bulk below
            if columns is None:
                columns = vote_columns = _header(line, row, "VOTES", ("voter_id", "vote"))
                if votes_last:  # every remaining row is a vote: taken whole instead of looked at one by one
                    vote_rows = rows[at + 1 :]
                    break
                continue
            vote_rows.append((line, row))

    for name in _SECTIONS:
        if name not in seen:
            raise PabulibError("pabulib.missing_section", section=name)
    if not project_columns:
        raise PabulibError("pabulib.missing_column", line=None, section="PROJECTS", column="project_id")
    if not vote_columns:
        raise PabulibError("pabulib.missing_column", line=None, section="VOTES", column="voter_id")
    votes = _read_votes(vote_columns, vote_rows, project_index)
    return PbElection(
        meta=meta,
        projects=tuple(projects),
        votes=tuple(votes),
        project_columns=project_columns,
        vote_columns=vote_columns,
    )


def write_pb(election: PbElection) -> str:
    """Render ``election`` as ``.pb`` text (LF line endings, ``;`` separator, quoting only where needed).

    Columns come from ``project_columns`` / ``vote_columns``; a ``points`` column is added when votes carry
    points but the header lacks it. ``parse_pb(write_pb(e)) == e`` holds for any election :func:`parse_pb` made.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in election.meta.items():
        writer.writerow([key, value])

    writer.writerow(["PROJECTS"])
    pcols = list(election.project_columns)
    writer.writerow(pcols)
    for project in election.projects:
        typed = {
            "project_id": project.project_id,
            "cost": format_number(project.cost),
            "name": project.name,
            "selected": "" if project.selected is None else str(project.selected),
        }
        writer.writerow([typed[c] if c in typed else project.extra.get(c, "") for c in pcols])

    writer.writerow(["VOTES"])
    vcols = list(election.vote_columns)
    if "points" not in vcols and any(v.points is not None for v in election.votes):
        vcols.insert(vcols.index("vote") + 1, "points")
    writer.writerow(vcols)
    for vote in election.votes:
        vtyped = {
            "voter_id": vote.voter_id,
            "vote": ",".join(vote.vote),
            "points": ",".join(format_number(p) for p in vote.points or ()),
        }
        writer.writerow([vtyped[c] if c in vtyped else vote.extra.get(c, "") for c in vcols])
    return out.getvalue()
