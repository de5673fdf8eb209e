"""What a reply asks for: a ballot, comments on sections, a general opinion, STOP — read line by line.

:func:`read_reply` sorts the lines of a trimmed reply (see :mod:`mail.trim`):

* ``dzielnica: wesola`` (also ``gmina:``, ``district:``, ``municipality:``): the area the member declares, as
  ``/dzielnica`` does in chat; ``kod: ABCD-EFGH``: an invite code, as ``/kod``; ``runda 2`` (alone or before
  the ballot): the round of a deliberative poll;
* ``STOP`` (also ``WYPISZ``, ``UNSUBSCRIBE``) alone on a line: no more mail about this process;
* ``WYCOFAJ UWAGĘ 12`` (also ``WYCOFUJĘ 12``, ``WITHDRAW REMARK 12``, ``ВІДКЛИКАТИ 12``) alone on a line: the
  member takes back their remark number 12, as ``/wycofaj_uwage 12`` does in chat;
* ``USUŃ MOJE DANE`` (also ``DELETE MY DATA``, ``ВИДАЛИТИ МОЇ ДАНІ``) alone on a line asks to erase the member's
  data, as ``/usun_dane`` does in chat: the answer says what erasure means and how to confirm it; the same line
  with ``TAK`` (``YES``, ``ТАК``) erases, as ``/usun_dane TAK`` does. The confirming line must stand alone, so the
  answer's own sentence quoted back never confirms;
* ``MIESZKANIEC: Jan Kowalski, ul. Długa 12 m. 5`` (also ``RESIDENT:``, ``PESEL:``): the member verifies as a
  resident where the process asks for it (``[eligibility] verify``), before the ballot is cast;
* ``§3: text`` (also ``§ 3 - text``, ``par. 3: text``, and a unit at any level: ``§ 3 ust. 2 pkt 1: text``,
  ``art. 5 ust. 1 - text``) starts a comment on that unit; a following line belongs to it only while it carries
  on the comment's sentence (see :func:`_carries_on`) — a new sentence on a line of its own is free text, an
  opinion on the whole, as the invitation promises ("Tekst bez numeru zapiszemy jako opinię o całym dokumencie");
* a line made only of answer words, item keys, pool keys, numbers and separators is a ballot line; all ballot
  lines together are the ballot (``uchwala1: TAK`` on one line, ``uchwala2: NIE`` on the next);
* any other text is an opinion on the whole process (one opinion per reply).

The reader only sorts; the processor validates through the core, which says what was not understood.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.definition import ProcessDefinition
from bot.documents.citation import take_citation

__all__ = ["ReplyPlan", "read_reply"]

_STOP = {"stop", "wypisz", "wypisz mnie", "unsubscribe", "rezygnuje"}
_WORDS = {
    "tak",
    "nie",
    "za",
    "przeciw",
    "wstrzymuje",
    "sie",
    "od",
    "glosu",
    "wstrzymanie",
    "yes",
    "no",
    "abstain",
    "abstention",
    # Ukrainian, as the uk invitation asks for them (folded: lower case, no combining marks)
    "так",
    "ні",
    "проти",
    "утримуюсь",
    "утримуюся",
}
_SPLIT = re.compile(r"[\s,;:>=/]+")
# "dzielnica: wesola", "gmina: Kęty", "district: wesola": the area the member declares (declared-district processes)
_AREA = re.compile(r"^\s*(?:dzielnica|gmina|district|municipality|район|громада)\s*[:=]\s*(\S.*)$", re.I)
# "kod: ABCD-EFGH": an invite code, as /kod redeems it in chat
_CODE = re.compile(r"^\s*(?:kod|code|код)\s*[:=]\s*([A-Za-z0-9][A-Za-z0-9 \-]{2,40})$", re.I)
# "runda 2" alone on a line, or before the ballot ("runda 2: 1, 3"): the round of a deliberative poll
_ROUND = re.compile(r"^\s*(?:runda|round|раунд)\s*[:=]?\s*(\d)\s*[:.]?\s*(.*)$", re.I)
# matched on the folded line: "wycofuję uwagę nr 12" → "wycofuje uwage nr 12"
_WITHDRAW = re.compile(
    r"^(?:wycofaj|wycofuje|withdraw|відкликати|відкликаю)"
    r"(?:\s+(?:moja\s+|moje\s+)?(?:uwage|opinie|remark|comment|opinion|зауваження))?"
    r"\s*(?:nr\.?|no\.?|#|№)?\s*(\d{1,9})$"
)
_RESIDENT = re.compile(r"^\s*(?:mieszkaniec|mieszkanka|resident|pesel)\s*[:=]\s*(\S.*)$", re.I)
# matched on the folded line: "USUŃ MOJE DANE" asks, "USUŃ MOJE DANE TAK" confirms (as /usun_dane and /usun_dane TAK)
_ERASE = re.compile(r"^(?:usun moje dane|delete my data|видалити мо[iі] дан[iі])(?:\s*[:,-]?\s*(tak|yes|так))?$")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


@dataclass
class ReplyPlan:
    """The sorted reply: ``ballot`` lines (joined), ``comments`` (section, text), one ``opinion``, ``stop``."""

    ballot: str = ""
    comments: list[tuple[str, str]] = field(default_factory=list)
    opinion: str = ""
    stop: bool = False
    resident: str = ""
    area: str = ""  # the district or municipality declared on an "area: key" line
    code: str = ""  # an invite code on a "kod: …" line
    round: int | None = None  # the round a "runda N" line names
    withdraw: list[int] = field(default_factory=list)  # remarks the member takes back ("WYCOFAJ UWAGĘ 12")
    erase: str = ""  # "ask" for "USUŃ MOJE DANE", "confirm" for "USUŃ MOJE DANE TAK"

    @property
    def empty(self) -> bool:
        """Nothing to act on (an empty reply, or one that was only a quote)."""
        return not (
            self.ballot
            or self.comments
            or self.opinion
            or self.stop
            or self.area
            or self.code
            or self.withdraw
            or self.erase
        )


def _ballot_like(line: str, keys: set[str]) -> bool:
    tokens = [token for token in _SPLIT.split(_fold(line).strip(" .!")) if token]
    if not tokens:
        return False
    # "uchwala7: TAK" names an item that does not exist: still a vote (the core says what is wrong with it)
    shaped = re.fullmatch(r"[\w.\-/]+\s*[:=]\s*[a-zа-яіїєґ ]+", _fold(line).strip(" .!"))
    if len(tokens) >= 2 and shaped and all(token in _WORDS for token in tokens[1:]):
        return True
    return all(token in _WORDS or token in keys or token.isdigit() for token in tokens)


# A comment's line that ends a sentence ("…za krótki.", "…?" and a closing quote or bracket after it).
_SENTENCE_END = re.compile(r"[.!?…][\"'”»)\]]*$")
# A line that announces more ("…organizacje,", "…np.:", "…dla -"): the next line is the rest of it.
_OPEN_END = re.compile(r"[,;:\-–—(]$")
_WRAPPED = 60  # a line this long was most likely wrapped by the mail client (they wrap at 72–78 characters)


def _carries_on(previous: str, line: str) -> bool:
    """Whether ``line`` continues the comment whose last line is ``previous`` ("" when the comment has none yet).

    A comment goes on over lines the writer (or the mail client's wrapping) broke inside a sentence: the comment's
    line does not end a sentence, and the next line starts in lower case or with a digit, or the comment's line
    ends on a comma or a dash, or it is as long as a wrapped line. A line after a finished sentence, or a
    capitalised line after a short one, is the writer's own paragraph: an opinion on the whole.
    """
    if not previous:
        return True  # "§3:" alone on its line: the comment's text is on the next one
    if _SENTENCE_END.search(previous):
        return False
    first = line[0]
    if first.islower() or first.isdigit():
        return True
    return bool(_OPEN_END.search(previous)) or len(previous) >= _WRAPPED


def read_reply(definition: ProcessDefinition, text: str) -> ReplyPlan:
    """Sort the lines of ``text`` (already trimmed) as the module docstring says."""
    keys = {item.key.lower() for item in definition.items} | {pool.key.lower() for pool in definition.pools}
    plan = ReplyPlan()
    ballot: list[str] = []
    opinion: list[str] = []
    comment: tuple[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            if comment is not None:
                plan.comments.append((comment[0], "\n".join(comment[1])))
                comment = None
            elif opinion and opinion[-1]:
                opinion.append("")
            continue
        section, rest = take_citation(line)
        if section is not None:
            if comment is not None:
                plan.comments.append((comment[0], "\n".join(comment[1])))
            comment = (section.rstrip("."), [rest] if rest else [])
            continue
        area = _AREA.match(line)
        if area and comment is None:
            plan.area = area.group(1).strip()
            continue
        code = _CODE.match(line)
        if code and comment is None:
            plan.code = code.group(1).strip()
            continue
        round_line = _ROUND.match(line)
        if round_line and comment is None:
            plan.round = int(round_line.group(1))
            line = round_line.group(2).strip()
            if not line:
                continue
        resident = _RESIDENT.match(line)
        if resident and comment is None:
            plan.resident = resident.group(1).strip()
            continue
        erase = _ERASE.match(_fold(line).strip(" .!"))
        if erase and comment is None:
            plan.erase = "confirm" if erase.group(1) or plan.erase == "confirm" else "ask"
            continue
        withdraw = _WITHDRAW.match(_fold(line).strip(" .!:"))
        if withdraw and comment is None:
            plan.withdraw.append(int(withdraw.group(1)))
            continue
        if _fold(line).strip(" .!") in _STOP:  # ends a comment too: "STOP" is never part of one
            if comment is not None:
                plan.comments.append((comment[0], "\n".join(comment[1])))
                comment = None
            plan.stop = True
            continue
        if comment is not None and _carries_on(comment[1][-1] if comment[1] else "", line):
            comment[1].append(line)
            continue
        if comment is not None:  # free text after a comment: the comment ends here, the line is read on its own
            plan.comments.append((comment[0], "\n".join(comment[1])))
            comment = None
        if _ballot_like(line, keys):
            ballot.append(line)
            continue
        opinion.append(line)
    if comment is not None:
        plan.comments.append((comment[0], "\n".join(comment[1])))
    plan.ballot = "\n".join(ballot)
    plan.opinion = "\n".join(opinion).strip()
    return plan
