"""The committee's verification report in words (``/weryfikacja``, ``glos verification report``): counts only.

The figures are :meth:`bot.services.verification.VerificationService.report`'s; this module only words them.
"""

from __future__ import annotations

from bot.domain import VerifyMode
from bot.i18n import Translator
from bot.services.verification import VerificationReport

__all__ = ["verification_lines"]


def verification_lines(report: VerificationReport, t: Translator) -> list[str]:
    """The committee's report as lines of text, in the reader's language (counts only)."""
    lines = [t(f"verify.report.header.{report.mode.value}", slug=report.slug)]
    if report.mode is VerifyMode.REGISTER:
        lines.append(t("verify.report.register", count=report.register_size))
    lines.append(t("verify.report.verified", count=report.verified))
    lines.append(t("verify.report.shared", count=report.shared))
    if report.failed:
        lines.append(t("verify.report.failed.header"))
        for (channel, reason), count in sorted(report.failed.items()):
            lines.append(
                "• "
                + t(
                    "verify.report.failed.line",
                    channel=t(f"channel.{channel}"),
                    reason=t(f"verify.reason.{reason}"),
                    count=count,
                )
            )
    else:
        lines.append(t("verify.report.failed.none"))
    if report.replaced:
        lines.append(t("verify.report.replaced.header"))
        for (old, new), count in sorted(report.replaced.items()):
            lines.append(
                "• " + t("verify.report.replaced.line", old=t(f"channel.{old}"), new=t(f"channel.{new}"), count=count)
            )
    else:
        lines.append(t("verify.report.replaced.none"))
    lines.append(t("verify.report.retention", count=report.retention_days))
    return lines
