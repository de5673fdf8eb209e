"""Cut a reply down to what the member wrote: no quoted text, no attribution lines, no signature.

Handles the quoting and signing styles of the common clients in Polish and English: ``>`` quotes (dropped
wherever they are, so bottom-posted and interleaved replies keep their own lines), attributions (Gmail ``On …
wrote:`` / ``W dniu … napisał(a):``, Thunderbird ``W dniu … pisze:``, Onet/WP ``Dnia … napisał(a):``, Apple
Mail ``Wiadomość napisana przez … w dniu …:``), separators (``-----Original Message-----``, ``-----Oryginalna
wiadomość-----``, forwarded-message banners, Outlook's underscore line), Outlook header blocks (``From:``/``Od:``
followed by ``Sent:``/``Wysłane:``/``Date:``/``Data:``/``To:``/``Do:``/``Subject:``/``Temat:``), the
``-- `` signature delimiter, ``Sent from my iPhone`` / ``Wysłane z …`` lines, and closing valedictions
(``Pozdrawiam``, ``Z poważaniem``, ``Best regards`` …) with the name below them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["trim_reply"]

_ATTRIBUTION = re.compile(
    r"""^(
        (on\s.+\swrote:?)
      | (w\sdniu\s.+(napisa[lł]|pisze)\S*:?)
      | (dnia\s.+(napisa[lł]|pisze)\S*:?)
      | (.+\snapisa[lł]\(a\):)
      | (.+\s(napisa[lł]a?|pisze|wrote):)
      | (u[zż]ytkownik\s.+napisa[lł]\S*:?)
      | (wiadomo[sś][cć]\snapisana\sprzez\s.+)
      | (le\s.+\sa\s[eé]crit\s?:)
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATOR = re.compile(
    r"""^\s*(
        -{2,}\s*(original\smessage|oryginalna\swiadomo[sś][cć]|wiadomo[sś][cć]\soryginalna|
                 forwarded\smessage|przekazana\swiadomo[sś][cć]|wiadomo[sś][cć]\sprzekazana|
                 begin\sforwarded\smessage)\s*-{2,}
      | _{10,}
      | (begin\sforwarded\smessage|pocz[aą]tek\sprzekazywanej\swiadomo[sś]ci):?
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(from|od|nadawca)\*?\s*:", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(sent|wys[lł]ane|wys[lł]ano|date|data|to|do|subject|temat|cc|dw)\*?\s*:", re.IGNORECASE
)
_SENT_FROM = re.compile(
    r"^\s*(sent\sfrom\s|sent\svia\s|get\soutlook\sfor|pobierz\soutlook|wys[lł]ane\sz\s|wys[lł]ano\sz\s|"
    r"wys[lł]ane\sprzez\s|wys[lł]ane\sza\spomoc[aą]|wys[lł]ano\sza\spomoc[aą])",
    re.IGNORECASE,
)
_VALEDICTIONS = {
    "pozdrawiam",
    "pozdrowienia",
    "serdecznie pozdrawiam",
    "serdeczne pozdrowienia",
    "lacze pozdrowienia",
    "z powazaniem",
    "z wyrazami szacunku",
    "dziekuje, pozdrawiam",
    "dziekuje i pozdrawiam",
    "best regards",
    "kind regards",
    "regards",
    "best wishes",
    "best",
    "cheers",
    "thanks",
    "thank you",
    "many thanks",
    "yours sincerely",
    "sincerely",
    "dziekuje",
    "dzieki",
    "pzdr",
}


def _fold(line: str) -> str:
    decomposed = unicodedata.normalize("NFKD", line.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().strip(" \t.!,-").split())


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _outlook_block(lines: list[str], index: int) -> bool:
    """``From:`` / ``Od:`` followed within four lines by another header of a forwarded or quoted message."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 6] if line.strip()][:4]
    return any(_HEADER_OTHER.match(line) for line in following)


def _next_content(lines: list[str], index: int) -> str | None:
    for line in lines[index + 1 :]:
        if line.strip():
            return line
    return None


def trim_reply(text: str) -> str:
    """The member's own text of ``text``; see the module docstring. Blank lines at the ends are removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _is_quote(line):
            index += 1
            continue
        if stripped in ("--", "-- ") or line == "-- ":
            break
        # Gmail wraps a long attribution onto two lines ("On …, Głos <" / "glos+x@…> wrote:").
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        attribution = _ATTRIBUTION.match(stripped) or (
            not stripped.endswith((".", "?", "!")) and len(stripped) > 10 and _ATTRIBUTION.match(joined)
        )
        if attribution:
            skip = 1 if _ATTRIBUTION.match(stripped) else 2
            following = _next_content(lines, index + skip - 1)
            if following is not None and _is_quote(following):
                index += skip  # bottom-posting: the quote follows; text after it is the member's
                continue
            break
        if _SEPARATOR.match(line) or _outlook_block(lines, index) or _SENT_FROM.match(line):
            break
        if len(stripped) <= 40 and _fold(stripped) in _VALEDICTIONS:
            break
        kept.append(line.rstrip())
        index += 1
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)
