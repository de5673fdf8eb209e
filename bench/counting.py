"""Counting benchmark on Warszawa 2026 city-wide (61,668 voters, 83 projects): ours against pabutools.

``python -m bench.counting`` (or ``main()``) times, in one run: loading the ``.pb`` file, our greedy, MES and
MES + Add1 (each from the loaded election to the result, support counting included), then pabutools' own
parsing, ``greedy_utilitarian_welfare`` and ``method_of_equal_shares`` with ``Cost_Sat`` (exact ``mpq``). It checks
that both libraries fund the same projects and prints a markdown table. Peak memory of our counting steps is
measured with ``tracemalloc`` (Python and numpy allocations, after loading) in a separate pass, so that tracing
does not slow the timed runs; pabutools' memory is not traced (it would take minutes).

The data directory is ``$GLOS_PABULIB_DIR`` or ``../shared/data/pabulib`` beside the repository.
"""

from __future__ import annotations

import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.counting.pb import PbElection, read_pb
from bot.counting.tally import tally

__all__ = ["main"]

FILE = "Poland_Warszawa_2026.pb"


def _data_dir() -> Path:
    configured = os.environ.get("GLOS_PABULIB_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "pabulib"


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> list[dict[str, Any]]:
    """Run the benchmark, print the table, return its rows (``step``, ``library``, ``seconds``, ``peak_mb``,
    ``selected``, ``same_as_pabutools``)."""
    path = _data_dir() / FILE
    if not path.is_file():
        print(f"{path} not found; set GLOS_PABULIB_DIR")
        return []
    rows: list[dict[str, Any]] = []
    load_s, election = _timed(lambda: read_pb(path))
    assert isinstance(election, PbElection)
    rows.append({"step": "load .pb", "library": "glos", "seconds": load_s, "peak_mb": None, "selected": None})
    ours: dict[str, list[str]] = {}
    for rule, repeat in (("greedy", 5), ("mes", 5), ("mes-add1", 1)):
        seconds, result = _timed(lambda rule=rule: tally(election, rule), repeat)  # type: ignore[misc]
        ours[rule] = list(result.selected)
        peak = _peak_mb(lambda rule=rule: tally(election, rule))  # type: ignore[misc]
        rows.append(
            {"step": rule, "library": "glos", "seconds": seconds, "peak_mb": peak, "selected": len(result.selected)}
        )

    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    parse_s, (instance, profile) = _timed(lambda: parse_pabulib(str(path)))
    rows.append({"step": "load .pb", "library": "pabutools", "seconds": parse_s, "peak_mb": None, "selected": None})
    greedy_s, theirs_greedy = _timed(lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat))
    mes_s, theirs_mes = _timed(lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
    # pabutools ignores the 3,000-vote threshold, so compare with our greedy without it.
    from bot.counting.approvals import Approvals
    from bot.counting.greedy import greedy as greedy_rule
    from bot.counting.tally import project_support

    ids = [p.project_id for p in election.projects]
    support = project_support(election)
    plain = greedy_rule(ids, [p.cost for p in election.projects], [support[i] for i in ids], election.budget)
    same_greedy = sorted(ids[i] for i in plain.selected) == sorted(p.name for p in theirs_greedy)
    same_mes = sorted(ours["mes"]) == sorted(p.name for p in theirs_mes)
    rows.append(
        {
            "step": "greedy (no threshold)",
            "library": "pabutools",
            "seconds": greedy_s,
            "peak_mb": None,
            "selected": len(theirs_greedy),
            "same_as_pabutools": same_greedy,
        }
    )
    rows.append(
        {
            "step": "mes",
            "library": "pabutools",
            "seconds": mes_s,
            "peak_mb": None,
            "selected": len(theirs_mes),
            "same_as_pabutools": same_mes,
        }
    )
    for row in rows:
        if row["library"] == "glos" and row["step"] == "mes":
            row["same_as_pabutools"] = same_mes
        if row["library"] == "glos" and row["step"] == "greedy":
            row["same_as_pabutools"] = same_greedy  # checked on the threshold-free variant
    _ = Approvals  # imported for readers: MES builds one from the election inside tally()

    print(
        f"{FILE}: {len(election.votes)} voters, {len(election.projects)} projects; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs\n"
    )
    print("| step | library | seconds | peak MB (tracemalloc) | selected | same as pabutools |")
    print("|---|---|---:|---:|---:|---|")
    for row in rows:
        peak = "" if row["peak_mb"] is None else f"{row['peak_mb']:.2f}"
        selected = "" if row["selected"] is None else str(row["selected"])
        same = {True: "yes", False: "NO", None: ""}[row.get("same_as_pabutools")]
        print(f"| {row['step']} | {row['library']} | {row['seconds']:.3f} | {peak} | {selected} | {same} |")
    mes_ours = next(r["seconds"] for r in rows if r["library"] == "glos" and r["step"] == "mes")
    greedy_ours = next(r["seconds"] for r in rows if r["library"] == "glos" and r["step"] == "greedy")
    print(
        f"\nMES: pabutools / ours = {mes_s / mes_ours:.0f}×; greedy: pabutools / ours = {greedy_s / greedy_ours:.0f}×"
    )
    return rows


if __name__ == "__main__":
    main()
