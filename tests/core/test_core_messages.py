"""Every message the code can show exists in Polish and in English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.i18n import catalogue_ids
from tests.message_ids import built_ids

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {
    "GlosError",
    "NotFound",
    "NotAllowed",
    "NotEligible",
    "WrongPhase",
    "BallotError",
    "DefinitionError",
    "InputError",
    "PabulibError",
}


def _keys_in_source() -> set[str]:
    """Message ids passed as literals to a translator (``t(...)``, ``inv.t(...)``) or to a core error, in the
    core and in the channels (``mail/``, ``handlers/``)."""
    keys: set[str] = set()
    for path in (path for folder in ("bot", "mail", "handlers") for path in (ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            first = node.args[0]
            literal = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
            if name in ERRORS | {"t"} and "." in literal and " " not in literal and not literal.endswith("."):
                keys.add(literal)
    return keys


def _keys_in_templates() -> set[str]:
    """Message ids used literally in Jinja2 templates (``t("web.results")``)."""
    pattern = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z_]+)+)["']""")
    keys: set[str] = set()
    for path in (ROOT / "bot" / "templates").rglob("*.html"):
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("language", ["pl", "en"])
def test_every_message_used_by_the_code_is_translated(language: str) -> None:
    used = _keys_in_source() | _keys_in_templates() | built_ids()
    assert len(used) > 150
    missing = sorted(used - catalogue_ids(language))
    assert missing == [], f"missing in {language}: {missing}"
