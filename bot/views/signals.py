"""The anti-abuse signals in words: one sentence per signal, for ``/sygnaly`` and the moderators' daily digest.

The detection is :mod:`bot.services.abuse`; this module only words it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.definition import ProcessDefinition
from bot.i18n import Translator
from bot.services.abuse import AbuseThresholds, Signal, SignalKind
from bot.views.process import district_name

__all__ = ["signal_line", "signal_lines"]


def signal_line(
    signal: Signal,
    t: Translator,
    thresholds: AbuseThresholds,
    definitions: Mapping[str, ProcessDefinition] | None = None,
) -> str:
    """One signal as a sentence in the reader's language; a district by its name when ``definitions`` (by slug)
    has the process, else by its key."""
    common = {"number": signal.count, "usual": signal.usual, "minutes": thresholds.window_minutes}
    common["end"] = signal.window_end  # type: ignore[assignment]
    if signal.kind is SignalKind.NEW_IDENTITIES:
        return t("abuse.new_identities", channel=t("channel." + signal.subject), **common)
    if signal.kind is SignalKind.BATCH_BALLOTS:
        batch = signal.subject or t("abuse.batch_unnamed")
        return t("abuse.batch_ballots", slug=signal.process, batch=batch, **common)
    definition = (definitions or {}).get(signal.process or "")
    district = district_name(definition, signal.subject, t.language) if definition else signal.subject
    return t("abuse.district_ballots", slug=signal.process, district=district, **common)


def signal_lines(
    signals: Sequence[Signal],
    t: Translator,
    thresholds: AbuseThresholds,
    definitions: Mapping[str, ProcessDefinition] | None = None,
) -> list[str]:
    """Every signal as a bulleted line."""
    return [f"• {signal_line(signal, t, thresholds, definitions)}" for signal in signals]
