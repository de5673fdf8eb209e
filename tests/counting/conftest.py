"""Where the real pabulib files are: ``$GLOS_PABULIB_DIR`` or ``../shared/data/pabulib`` beside the repository.

A test taking ``pabulib_path`` runs once per file; one taking ``pabulib_path_big_slow`` too, with the two big
files (Warszawa 2026 city-wide, Kraków 2024) marked ``slow``. Without the data the test is skipped, saying why.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

__all__ = ["BIG", "pabulib_dir", "pabulib_files", "pabulib_params", "parsed_by_pabutools", "pytest_generate_tests"]

BIG = {"Poland_Warszawa_2026.pb", "Poland_Krakow_2024.pb"}


def pabulib_dir() -> Path | None:
    """The data directory, or None when it is absent."""
    configured = os.environ.get("GLOS_PABULIB_DIR")
    candidate = (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"
    )
    return candidate if candidate.is_dir() else None


def pabulib_files() -> list[Path]:
    """All ``.pb`` files there, sorted by name (empty when absent)."""
    folder = pabulib_dir()
    return sorted(folder.glob("*.pb")) if folder else []


def pabulib_params(slow_big: bool) -> list[object]:
    """pytest params, one per file (``slow`` marks on the big ones if ``slow_big``), or one skipped param."""
    files = pabulib_files()
    if not files:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason="pabulib data not found: set GLOS_PABULIB_DIR or add ../shared/data/pabulib"
                ),
                id="no-pabulib-data",
            )
        ]
    return [
        pytest.param(path, id=path.stem, marks=[pytest.mark.slow] if slow_big and path.name in BIG else [])
        for path in files
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``pabulib_path`` / ``pabulib_path_big_slow`` over the data files."""
    if "pabulib_path" in metafunc.fixturenames:
        metafunc.parametrize("pabulib_path", pabulib_params(slow_big=False))
    if "pabulib_path_big_slow" in metafunc.fixturenames:
        metafunc.parametrize("pabulib_path_big_slow", pabulib_params(slow_big=True))


@lru_cache(maxsize=2)
def _parse(path: str) -> tuple[object, object]:
    from pabutools.election import parse_pabulib

    return parse_pabulib(path)


@lru_cache(maxsize=2)
def _approval_multiprofile(path: str) -> tuple[object, object]:
    from collections import Counter

    from pabutools.election import ApprovalMultiProfile, FrozenApprovalBallot, Instance, Project

    from bot.counting.pb import read_pb

    election = read_pb(path)
    projects = {p.project_id: Project(p.project_id, p.cost) for p in election.projects}
    instance = Instance(projects.values(), budget_limit=election.budget)
    profile = ApprovalMultiProfile(instance=instance)
    for vote, count in Counter(frozenset(v.vote) for v in election.votes).items():
        ballot = FrozenApprovalBallot([projects[pid] for pid in vote])
        for _ in range(count):
            profile.append(ballot)
    return instance, profile


@pytest.fixture
def parsed_by_pabutools() -> object:
    """``parsed_by_pabutools(path) -> (instance, profile)`` by pabutools' own parser (cached)."""
    return lambda path: _parse(str(path))


@pytest.fixture
def approvals_for_pabutools() -> object:
    """``approvals_for_pabutools(path) -> (instance, multiprofile)``: every ballot as an approval set, identical
    ballots grouped (pabutools runs MES per distinct ballot with multiplicities: 3× faster on Kraków 2024).
    Built from our parser, which ``test_parser_agrees_with_pabutools`` checks against pabutools' own."""
    return lambda path: _approval_multiprofile(str(path))
