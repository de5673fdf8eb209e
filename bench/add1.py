"""Equal Shares with Add1 (last feasible): every shared pabulib file and the green-budget example.

``python -m bench.add1`` times ``equal_shares_add1`` from built approval arrays to the outcome (best of 3, wall
and CPU time: the CPU time is what a shared machine distorts least), counts
the MES runs it made and how many of them were certified jumps, and, unless ``--no-reference``, times the
step-by-step definition once for comparison (1 zł per step; on the green-budget example with 7 voters it makes
tens of thousands of runs). The example's ballots are the 7 of ``tests/counting/test_counting_add1.py``.
Targets: ≤ 0.2 s for the example, ≤ 1 s for any shared pabulib file.
"""

from __future__ import annotations

import sys
import time
from fractions import Fraction
from pathlib import Path

from bench.counting import _data_dir
from bot.counting.approvals import Approvals
from bot.counting.mes import EqualShares, Trace, equal_shares_add1
from bot.counting.outcome import BudgetOutcome
from bot.counting.pb import read_pb
from bot.definition.loader import load_definition_file

__all__ = ["main"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "zielony-budzet-wieliczka.toml"
EXAMPLE_BALLOTS = [
    ["3", "4", "6", "1", "5", "8"],
    ["6", "5"],
    ["4"],
    ["2"],
    ["7", "1", "2", "8", "4", "5", "3"],
    ["1", "5", "7", "4"],
    ["4"],
]


def _cases() -> list[tuple[str, Approvals, Fraction]]:
    definition = load_definition_file(EXAMPLE)
    pool = definition.pools[0]
    items = definition.items_of(pool.key)
    ids = [item.key for item in items]
    costs = [Fraction(item.cost or 0) for item in items]
    assert pool.budget is not None
    cases = [
        (
            "example zielony-budzet-wieliczka (7 voters)",
            Approvals.from_ballots(ids, costs, EXAMPLE_BALLOTS),
            Fraction(pool.budget),
        )
    ]
    for path in sorted(_data_dir().glob("*.pb")):
        election = read_pb(path)
        pids = [p.project_id for p in election.projects]
        approvals = Approvals.from_ballots(pids, [p.cost for p in election.projects], (v.vote for v in election.votes))
        cases.append((path.stem, approvals, election.budget))
    return cases


def _reference(approvals: Approvals, budget: Fraction) -> tuple[BudgetOutcome, int]:
    engine = EqualShares(approvals)
    supported = sum(1 for p in range(approvals.n_projects) if engine.totals[p] > 0 and approvals.costs[p] > 0)
    share, runs = budget / approvals.n_voters, 1
    outcome = engine.run(share)
    while len(outcome.selected) < supported:
        share += 1
        runs += 1
        candidate = engine.run(share)
        if candidate.spent > budget:
            break
        outcome = candidate
    return outcome, runs


def main(argv: list[str] | None = None) -> None:
    """Print a markdown table: case, voters, seconds (best of 3), runs, certified jumps, reference."""
    args = sys.argv[1:] if argv is None else argv
    with_reference = "--no-reference" not in args
    counts = {"runs": 0, "certified": 0}
    original = EqualShares.trace

    def counted(self: EqualShares, share: Fraction, reference: Trace | None = None) -> Trace:
        counts["runs"] += 1
        result = original(self, share, reference)
        counts["certified"] += result.certified
        return result

    print(
        "| case | voters | MES+Add1 wall s (best of 3) | CPU s | MES runs | certified jumps "
        "| step by step wall s | its runs | same |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, approvals, budget in _cases():
        best, best_cpu = float("inf"), float("inf")
        outcome: BudgetOutcome | None = None
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            outcome = equal_shares_add1(approvals, budget)
            best = min(best, time.perf_counter() - start)
            best_cpu = min(best_cpu, time.process_time() - start_cpu)
        EqualShares.trace = counted  # type: ignore[method-assign]
        counts.update(runs=0, certified=0)
        equal_shares_add1(approvals, budget)
        EqualShares.trace = original  # type: ignore[method-assign]
        ref = ""
        if with_reference:
            start = time.perf_counter()
            slow, runs = _reference(approvals, budget)
            ref = f"{time.perf_counter() - start:.2f} | {runs} | {'yes' if slow == outcome else 'NO'}"
        else:
            ref = " |  | "
        print(
            f"| {name} | {approvals.n_voters:,} | {best:.3f} | {best_cpu:.3f} | {counts['runs']} "
            f"| {counts['certified']} | {ref} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
