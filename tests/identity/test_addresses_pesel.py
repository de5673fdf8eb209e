"""Polish address normalisation and PESEL validation: the pure rules behind verified residents."""

from __future__ import annotations

from datetime import date

import pytest

from bot.addresses import address_key, name_key, resident_key, split_resident
from bot.pesel import PeselError, age_on, parse_pesel


@pytest.mark.parametrize(
    "written",
    [
        "ul. Długa 12 m. 5",
        "Dluga 12/5",
        "ulica DŁUGA 12 m 5",
        "Długa 12 lok. 5, 00-238 Warszawa",
        "ul.Długa 12 m.5",
        "  Długa   12 / 5 ",
        "Długa 12, m. 5",
        "DŁUGA 12 mieszk. 5",
    ],
)
def test_one_flat_written_many_ways(written: str) -> None:
    assert address_key(written) == "dluga 12/5"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("al. Jana Pawła II 3 m. 7, 00-001 Warszawa", "jana pawla ii 3/7"),
        ("Aleja  Solidarności  82A/14", "solidarnosci 82a/14"),
        ("os. Tysiąclecia 5", "tysiaclecia 5"),
        ("osiedle Tysiąclecia 5", "tysiaclecia 5"),
        ("pl. Grunwaldzki 1", "grunwaldzki 1"),
        ("plac Grunwaldzki 1", "grunwaldzki 1"),
        ("Kościuszki 3 A", "kosciuszki 3a"),
        ("ul. 3 Maja 5/2", "3 maja 5/2"),
        ("ul. Długa 12a m 5", "dluga 12a/5"),
        ("Długa", ""),
        ("12", ""),
    ],
)
def test_street_prefixes_letters_and_missing_numbers(written: str, key: str) -> None:
    assert address_key(written) == key


def test_names_ignore_order_case_and_diacritics() -> None:
    assert name_key("Kowalski  Jan") == name_key("JAN kowalski") == "jan kowalski"
    assert name_key("Zażółć Gęślą") == "gesla zazolc"
    assert resident_key("Łucja Żak", "ul. Łąkowa 1") == "lucja zak|lakowa 1"
    assert resident_key("Łucja Żak", "") == ""


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("Jan Kowalski, ul. Długa 12 m. 5", ("Jan Kowalski", "ul. Długa 12 m. 5")),
        ("Jan Kowalski; Długa 12", ("Jan Kowalski", "Długa 12")),
        ("Jan Kowalski ul. Długa 12", ("Jan Kowalski", "ul. Długa 12")),
        ("Anna Maria Nowak Długa 12", ("Anna Maria Nowak", "Długa 12")),
        ("Jan Kowalski", ("Jan Kowalski", "")),
    ],
)
def test_name_and_address_are_split(typed: str, parts: tuple[str, str]) -> None:
    assert split_resident(typed) == parts


@pytest.mark.parametrize(
    ("number", "born"),
    [
        ("44051401359", date(1944, 5, 14)),
        ("02270803624", date(2002, 7, 8)),  # 2000s: month + 20
        ("02070803628", date(1902, 7, 8)),
        ("4405 1401 359", date(1944, 5, 14)),
    ],
)
def test_valid_pesel_gives_the_birth_date(number: str, born: date) -> None:
    assert parse_pesel(number).born == born


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("4405140135", "length"),
        ("440514013590", "length"),
        ("4405140135x", "length"),
        ("44051401358", "checksum"),
        ("00000000000", "date"),  # month 00
        ("44023101353", "date"),  # 31 February 1944, with a matching check digit
    ],
)
def test_invalid_pesel_says_why(number: str, reason: str) -> None:
    with pytest.raises(PeselError) as refusal:
        parse_pesel(number)
    assert refusal.value.reason == reason


def test_age_counts_full_years() -> None:
    assert age_on(date(2011, 6, 20), date(2027, 6, 19)) == 15
    assert age_on(date(2011, 6, 20), date(2027, 6, 20)) == 16
    assert age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18
