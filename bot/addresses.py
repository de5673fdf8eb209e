"""Polish names and addresses of residence reduced to one comparable form.

A city's register and a voter typing on a phone write the same address differently: ``ul. Długa 12 m. 5``,
``Dluga 12/5``, ``ulica DŁUGA 12 m 5``, ``Długa 12 lok. 5, 00-238 Warszawa``. :func:`address_key` folds them all
to ``dluga 12/5``; :func:`name_key` folds ``Kowalski  Jan`` and ``jan KOWALSKI`` to ``jan kowalski``. Only these
keys are ever compared (and, in :mod:`bot.services.verification`, only their HMACs are stored).

The rules, in order:

* case, Polish diacritics (``ł`` included, which Unicode does not decompose) and punctuation are dropped;
* a street-type prefix is dropped: ``ul.``/``ulica``, ``al.``/``aleja``/``aleje``, ``os.``/``osiedle``,
  ``pl.``/``plac``, ``rondo``, ``skwer``, ``bulw.``/``bulwar``;
* the flat number is written ``/N`` whatever introduced it: ``12/5``, ``12 m. 5``, ``12 m 5``, ``12 lok. 5``,
  ``12 mieszk. 5``;
* everything after the house (and flat) number — a postal code, the city — is dropped, because a register of
  one city's residents does not repeat it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["address_key", "fold", "name_key", "resident_key", "split_resident"]

_PREFIXES = (
    "ulica",
    "ul",
    "aleje",
    "aleja",
    "al",
    "osiedle",
    "os",
    "plac",
    "pl",
    "rondo",
    "skwer",
    "bulwar",
    "bulw",
)
_PREFIX = re.compile(rf"^(?:{'|'.join(_PREFIXES)})\b\.?\s*")
# the house number (digits with an optional letter), then an optional flat number after "/", "m", "lok" …
# (a letter after the number is part of it — "3 A", "82a" — unless it is the "m" of a flat: "12 m 5")
_HOUSE = r"\d+(?:\s?[a-z](?![\w])(?!\s*\d))?"
_NUMBER = re.compile(rf"\s({_HOUSE})(?:\s*(?:/|\bm\b|\bmieszk\b|\bmieszkania\b|\blok\b|\blokal\b)\s*({_HOUSE}))?(?!\w)")


# Diacritics are the combining marks of the decomposed text, removed by one regular expression (a register of a
# million lines is folded three times per line); "ł" has no decomposition and is replaced by hand.
_COMBINING = re.compile("[\u0300-\u036f]")
_PUNCTUATION = re.compile(r"[^\w/]+|_")


def fold(text: str) -> str:
    """Lower case, no diacritics (``Łódź`` → ``lodz``), punctuation (except ``/``) as spaces, spaces collapsed."""
    text = text.lower()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.replace("ł", "l")))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def address_key(address: str) -> str:
    """The comparable form of an address of residence, e.g. ``dluga 12/5`` (empty when there is no number).

    ``al. Jana Pawła II 3 m. 7, 00-001 Warszawa`` → ``jana pawla ii 3/7``.
    """
    text = fold(address.replace("/", " / "))
    text = _PREFIX.sub("", text)
    # the first number with a street name before it ("3 Maja 5/2": the street is "3 maja")
    for match in _NUMBER.finditer(" " + text):
        street = (" " + text)[: match.start()].strip()
        if re.search(r"[a-z]", street):
            break
    else:
        return ""
    house = match.group(1).replace(" ", "")
    flat = (match.group(2) or "").replace(" ", "")
    return f"{street} {house}/{flat}" if flat else f"{street} {house}"


def name_key(name: str) -> str:
    """The comparable form of a person's name: folded words in alphabetical order (``jan kowalski``).

    Sorting makes ``Kowalski Jan`` (the order of official lists) equal ``Jan Kowalski``.
    """
    return " ".join(sorted(fold(name.replace("/", " ")).split()))


def resident_key(name: str, address: str) -> str:
    """The comparable form of a resident (name and address), empty when either part is missing."""
    who, where = name_key(name), address_key(address)
    return f"{who}|{where}" if who and where else ""


def split_resident(text: str) -> tuple[str, str]:
    """``"Jan Kowalski, ul. Długa 12 m. 5"`` → (name, address).

    The name ends at the first comma or semicolon; without one, before a street prefix (``ul.``, ``al.`` …) or,
    failing that, one word before the first number (``Jan Kowalski Długa 12``: a one-word street).
    """
    for separator in (";", ","):
        if separator in text:
            name, _, address = text.partition(separator)
            return name.strip(), address.strip()
    words = text.split()
    for index, word in enumerate(words[1:], start=1):
        if fold(word) in _PREFIXES:
            return " ".join(words[:index]), " ".join(words[index:])
    for index, word in enumerate(words[2:], start=2):
        if word[:1].isdigit():
            return " ".join(words[: index - 1]), " ".join(words[index - 1 :])
    return text.strip(), ""
