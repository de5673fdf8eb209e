"""``make bench``: run every benchmark and print its markdown tables (copied into BENCHMARKS.md by hand)."""

from __future__ import annotations

import importlib
import platform
import sys

MODULES = (
    "bench.counting",
    "bench.add1",
    "bench.tally_process",
    "bench.casting",
    "bench.unit_of_work",
    "bench.telegram",
    "bench.mail",
    "bench.reminders",
    "bench.web",
    "bench.scaleout",
    "bench.abuse",
    "bench.documents",
    "bench.report",
    "bench.index",
)


def main() -> None:
    """Run each benchmark module's ``main()`` in turn."""
    print(f"# Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    for name in MODULES:
        print(f"\n## {name}\n", flush=True)
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
