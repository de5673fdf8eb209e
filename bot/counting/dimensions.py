"""One response of an index scored per dimension and overall (see :class:`bot.definition.IndexDefinition`).

A response's score in a dimension is the mean of its answers to the dimension's questions; its overall score is the
mean of its dimension scores, so every dimension weighs the same however many questions it has. Used by the index
(:mod:`bot.services.index`) and by a survey's own figures by area (:mod:`bot.services.results`), so both give the
same number for a municipality.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.definition import ProcessDefinition

__all__ = ["response_scores"]


def response_scores(definition: ProcessDefinition, content: Mapping[str, Any]) -> tuple[dict[str, float], float | None]:
    """``content``'s (a ballot's) score per dimension key and overall (None: it scored nothing)."""
    answers: dict[str, int] = {}
    for pool in definition.pools:
        part = content.get(pool.key)
        if isinstance(part, dict):
            answers.update({key: value for key, value in part.items() if isinstance(value, int)})
    scores: dict[str, float] = {}
    for dimension in definition.dimensions():
        given = [answers[item] for item in dimension.items if item in answers]
        if given:
            scores[dimension.key] = sum(given) / len(given)
    overall = sum(scores.values()) / len(scores) if scores else None
    return scores, overall
