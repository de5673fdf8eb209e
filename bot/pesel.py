"""PESEL numbers: the checksum, the date of birth (with the century encoded in the month) and the age.

A PESEL is eleven digits ``YYMMDDZZZXQ``: the date of birth, a serial number whose last digit ``X`` is even for
women and odd for men, and a check digit ``Q``. The century is carried by the month: 1800–1899 adds 80, 1900–1999
adds 0, 2000–2099 adds 20, 2100–2199 adds 40 and 2200–2299 adds 60. The check digit makes the weighted sum
(weights 1, 3, 7, 9, 1, 3, 7, 9, 1, 3, 1 over all eleven digits) a multiple of ten.

Nothing here stores anything: :mod:`bot.services.verification` keeps only an HMAC of a valid number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["Pesel", "PeselError", "age_on", "parse_pesel"]

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# month offset → first year of the century it encodes
_CENTURIES = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


class PeselError(ValueError):
    """Why a number is not a PESEL: ``reason`` is ``length``, ``checksum`` or ``date``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pesel:
    """A valid PESEL: its eleven digits and the date of birth it encodes."""

    number: str
    born: date


def parse_pesel(text: str) -> Pesel:
    """The PESEL in ``text`` (spaces and dashes allowed), or :class:`PeselError`.

    The date is checked as a calendar date (``440230…`` is refused: there is no 30 February), and so is the
    checksum; a birth date in the future is refused by :func:`age_on`'s caller, not here.
    """
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        raise PeselError("length")
    values = [int(ch) for ch in digits]
    if (10 - sum(w * v for w, v in zip(_WEIGHTS, values, strict=False)) % 10) % 10 != values[10]:
        raise PeselError("checksum")
    year, month, day = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    offset = (month - 1) // 20 * 20 if month >= 1 else -1
    century = _CENTURIES.get(offset)
    if century is None:
        raise PeselError("date")
    try:
        born = date(century + year, month - offset, day)
    except ValueError:
        raise PeselError("date") from None
    return Pesel(digits, born)


def age_on(born: date, today: date) -> int:
    """Full years between ``born`` and ``today`` (someone born on 29 February turns a year older on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
