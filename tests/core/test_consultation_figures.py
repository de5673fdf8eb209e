"""A consultation's figures in words (bot/views/turnout.py): the authors by kind and channel, the published
remarks per unit — every unit of a short draft, only the remarked ones of a long one — and the rule they follow."""

from __future__ import annotations

from bot.i18n import translator
from bot.services.remarks import RemarkTally, UnitRemarks
from bot.services.results import Turnout
from bot.views.turnout import consultation_lines


def _units(count: int, remarked: dict[int, int]) -> list[UnitRemarks]:
    return [UnitRemarks(f"p{n}", f"§ {n}", {"pl": f"Część {n}"}, remarked.get(n, 0)) for n in range(1, count + 1)]


def test_a_short_draft_lists_every_unit_and_a_long_one_only_those_with_remarks() -> None:
    t = translator("pl")
    turnout = Turnout(3, 3, by_channel={"email": 2, "telegram": 1}, by_kind={"ngo": 2, "resident": 1})
    short = consultation_lines(turnout, RemarkTally(_units(3, {2: 5}), general=1, pending=2), t, general="Całość")
    assert short == [
        "Uczestnicy według rodzaju: organizacje pozarządowe — 2, mieszkańcy — 1.",
        "Uczestnicy według kanału: e-mail — 2, Telegram — 1.",
        "",
        "W raporcie opublikowano 6 opinii.",
        "§ 1 Część 1: 0 opinii",
        "§ 2 Część 2: 5 opinii",
        "§ 3 Część 3: 0 opinii",
        "Całość: 1 opinia",
        "Nieopublikowane: nierozpatrzone — 2, odrzucone — 0, wycofane przez autorów — 0.",
        t("remarks.rule"),
    ]
    long = consultation_lines(turnout, RemarkTally(_units(120, {7: 1, 99: 2})), t, general="Całość")
    assert long[4:7] == ["§ 7 Część 7: 1 opinia", "§ 99 Część 99: 2 opinie", t("remarks.rule")]
