"""Process definitions: the typed model and the TOML loader (see ``examples/`` for real ones)."""

from bot.definition.loader import load_definition, load_definition_file
from bot.definition.model import (
    DEFAULT_MIN_RESPONSES,
    BallotRule,
    CountingRule,
    Eligibility,
    IndexDefinition,
    IndexDimension,
    Item,
    LocalizedText,
    Pool,
    ProcessDefinition,
)
from bot.definition.notice import Meeting, Notice

__all__ = [
    "DEFAULT_MIN_RESPONSES",
    "BallotRule",
    "CountingRule",
    "Eligibility",
    "IndexDefinition",
    "IndexDimension",
    "Item",
    "LocalizedText",
    "Meeting",
    "Notice",
    "Pool",
    "ProcessDefinition",
    "load_definition",
    "load_definition_file",
]
