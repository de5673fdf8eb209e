"""``/sygnaly`` (``/signals``): the anti-abuse signals of the last hours, for moderators.

The detection is :mod:`bot.services.abuse`; this module only words it. The same lines go into the moderators'
daily digest (:func:`bot.views.signals.signal_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.args import ensure_global_moderator
from bot.commands.base import Invocation
from bot.errors import InputError
from bot.replies import Reply
from bot.services.abuse import AbuseWatch, SignalKind, thresholds_for
from bot.views.signals import signal_lines

__all__ = ["MAX_HOURS", "cmd_signals"]

MAX_HOURS = 24 * 7
DEFAULT_HOURS = 24


def cmd_signals(inv: Invocation) -> Sequence[Reply]:
    """The signals of every window in the last 24 hours (``/sygnaly 6``: the last 6 hours)."""
    ensure_global_moderator(inv)
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
    slugs = {signal.process for signal in signals if signal.kind is SignalKind.DISTRICT_BALLOTS and signal.process}
    definitions = {slug: inv.services.processes.get(slug).definition for slug in slugs}  # districts by their names
    lines += signal_lines(signals, inv.t, thresholds, definitions)
    lines.append(inv.t("abuse.hint"))
    return [Reply("\n".join(lines))]
