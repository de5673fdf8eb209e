"""``/sygnaly`` (``/signals``): the anti-abuse signals of the last hours, for moderators.

The detection is :mod:`bot.services.abuse`; this module only words it. The same lines go into the moderators'
daily digest (:func:`signal_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.base import Invocation, Reply
from bot.errors import InputError
from bot.i18n import Translator
from bot.services.abuse import AbuseThresholds, AbuseWatch, Signal, SignalKind, thresholds_for

__all__ = ["MAX_HOURS", "cmd_signals", "signal_line", "signal_lines"]

MAX_HOURS = 24 * 7
DEFAULT_HOURS = 24


def signal_line(signal: Signal, t: Translator, thresholds: AbuseThresholds) -> str:
    """One signal as a sentence in the reader's language."""
    common = {"number": signal.count, "usual": signal.usual, "minutes": thresholds.window_minutes}
    common["end"] = signal.window_end  # type: ignore[assignment]
    if signal.kind is SignalKind.NEW_IDENTITIES:
        return t("abuse.new_identities", channel=t("channel." + signal.subject), **common)
    if signal.kind is SignalKind.BATCH_BALLOTS:
        batch = signal.subject or t("abuse.batch_unnamed")
        return t("abuse.batch_ballots", slug=signal.process, batch=batch, **common)
    return t("abuse.district_ballots", slug=signal.process, district=signal.subject, **common)


def signal_lines(signals: Sequence[Signal], t: Translator, thresholds: AbuseThresholds) -> list[str]:
    """Every signal as a bulleted line."""
    return [f"• {signal_line(signal, t, thresholds)}" for signal in signals]


def cmd_signals(inv: Invocation) -> Sequence[Reply]:
    """The signals of every window in the last 24 hours (``/sygnaly 6``: the last 6 hours)."""
    hours = DEFAULT_HOURS
    if inv.words:
        word = inv.words[0]
        if not word.isdigit() or not 1 <= int(word) <= MAX_HOURS:
            raise InputError("abuse.bad_hours", max=MAX_HOURS)
        hours = int(word)
    thresholds = thresholds_for(inv.services.context)
    signals = AbuseWatch(inv.services.context, thresholds).recent(hours)
    if not signals:
        return [Reply(inv.t("abuse.none", hours=hours, minutes=thresholds.window_minutes))]
    lines = [inv.t("abuse.header", hours=hours, minutes=thresholds.window_minutes)]
    lines += signal_lines(signals, inv.t, thresholds)
    lines.append(inv.t("abuse.hint"))
    return [Reply("\n".join(lines))]
