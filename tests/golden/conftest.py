"""Golden transcripts: the flag that rewrites the golden files (services, console users: tests/conftest.py)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Rewrite the golden files instead of comparing (``--update-golden`` or ``GLOS_UPDATE_GOLDEN=1``); review the
    diff before committing it."""
    return bool(request.config.getoption("--update-golden")) or os.environ.get("GLOS_UPDATE_GOLDEN") == "1"
