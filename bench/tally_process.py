"""``glos tally`` against pabutools as whole processes: Warszawa 2026 city-wide, parse + Method of Equal Shares.

``python -m bench.tally_process [RUNS]`` starts, side by side in one run, fresh interpreters that each read the
``.pb`` file and count MES with cost utilities: ``glos tally FILE --rule mes --format json`` (the real entry
point, ``bot.cli_entry:main``) ``RUNS`` times (default 5), and pabutools' ``parse_pabulib`` +
``method_of_equal_shares(sat_class=Cost_Sat)`` once (it takes tens of seconds). Interpreter start-up and imports
are included, as a user waits for them. Wall and CPU time (user + system of the child, from ``getrusage``) are
reported; on a shared machine CPU time is the steadier figure. Both must fund the same projects.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.counting import FILE, _data_dir

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
GLOS = "from bot.cli_entry import main; main()"
PABUTOOLS = """
import json, sys
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import method_of_equal_shares
instance, profile = parse_pabulib(sys.argv[1])
print(json.dumps(sorted(p.name for p in method_of_equal_shares(instance, profile, sat_class=Cost_Sat))))
"""


def _run(code: str, *args: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and stdout of one fresh interpreter running ``code`` with ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main(argv: list[str] | None = None) -> None:
    """Print a markdown table of both tools' times, the ratios and whether the winners agree."""
    args = sys.argv[1:] if argv is None else argv
    runs = int(args[0]) if args else 5
    path = _data_dir() / FILE
    if not path.is_file():
        print(f"{path} not found; set GLOS_PABULIB_DIR")
        return
    ours = [_run(GLOS, "tally", str(path), "--rule", "mes", "--format", "json") for _ in range(runs)]
    theirs = _run(PABUTOOLS, str(path))
    selected_ours = sorted(json.loads(ours[-1][2])["selected"])
    selected_theirs = json.loads(theirs[2])
    wall = statistics.median(w for w, _, _ in ours)
    cpu = statistics.median(c for _, c, _ in ours)
    print(f"{FILE}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| process | runs | wall s (median) | CPU s (median) | funded |")
    print("|---|---:|---:|---:|---:|")
    print(f"| `glos tally --rule mes` | {runs} | {wall:.2f} | {cpu:.2f} | {len(selected_ours)} |")
    print(f"| pabutools parse + MES (`Cost_Sat`) | 1 | {theirs[0]:.2f} | {theirs[1]:.2f} | {len(selected_theirs)} |")
    print(
        f"\nglos is {theirs[0] / wall:.0f}× faster in wall time and {theirs[1] / cpu:.0f}× in CPU time; "
        f"same projects funded: {'yes' if selected_ours == selected_theirs else 'NO'}"
    )


if __name__ == "__main__":
    main()
