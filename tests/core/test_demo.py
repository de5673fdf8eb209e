"""``make demo`` walks a budget where projects win: the thresholds are explained, and the results show winners,
projects below the threshold and one that no longer fits."""

from __future__ import annotations

import pytest

from bot import demo


def test_the_demo_shows_winners_the_threshold_and_a_project_that_does_not_fit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo.main()
    out = capsys.readouterr().out.replace("\u00a0", " ")  # numbers are grouped with no-break spaces
    results = out[out.index("ania> /wyniki bo2027") :]
    city = results[results.index("Projekty ogólnomiejskie") : results.index("\nWesoła")]
    assert "projekt ogólnomiejski musi dostać co najmniej 3 000 głosów, by mógł wygrać" in out
    assert "Urzędy dzielnic wprowadzają karty z punktów do głosowania: 4 200 głosów papierowych" in out
    assert "  karta papierowa: 4 200\n" in out  # the moderator's turnout groups its figures too
    assert [line.split(" — ")[0] for line in city.splitlines() if line.startswith("✅")] == [
        "✅ 2. Bezpłatne kursy pierwszej pomocy dla mieszkańców",
        "✅ 7. Doświetlenie 150 przejść dla pieszych",
        "✅ 1. Zielone przystanki – 100 wiat z roślinnymi dachami",
        "✅ 3. Poidełka z wodą pitną w parkach",
    ]
    assert "▫️ 5. 2000 nowych drzew wzdłuż ulic — 3 051 głosów · 4 800 000 zł — nie zmieścił się" in city
    assert "▫️ 4. Kino plenerowe w każdej dzielnicy — 2 800 głosów · 1 100 000 zł — za mało głosów" in city
    assert "Próg: co najmniej 3 000 głosów.\nWykorzystano 8 300 000 zł z 9 000 000 zł." in city
    assert "Wykorzystano 1 375 000 zł z 1 400 000 zł." in results


def test_the_paper_ballots_give_each_project_its_votes_within_five_choices() -> None:
    counted: dict[str, int] = {}
    for ballot, district in demo.paper_ballots():
        for pool, chosen in ballot.items():
            assert len(chosen) == len(set(chosen)) <= demo.MAX_CHOICES
            assert pool == "city" or district == pool
            for key in chosen:
                counted[key] = counted.get(key, 0) + 1
    assert counted == {key: votes for pool in demo.PAPER.values() for key, votes in pool.items()}
