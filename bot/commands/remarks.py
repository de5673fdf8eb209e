"""A remark's author taking it back: ``/wycofaj_uwage [SLUG] 12`` (``/withdraw_remark``).

The number is the one the confirmation gave (``Opinia nr 12``); the same works by e-mail with a line
``WYCOFAJ UWAGĘ 12`` (:mod:`mail.interpret`), which names the reply's process. The service checks that the remark
is the caller's and, when a process is named, of that process; a remembered process does not restrict it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.args import take_named_process
from bot.commands.base import Invocation
from bot.errors import InputError
from bot.replies import Reply

__all__ = ["cmd_withdraw_remark"]

_NUMBER = re.compile(r"^(?:nr\.?|no\.?|#|№)?\s*(\d{1,9})\.?$", re.I)


def cmd_withdraw_remark(inv: Invocation) -> Sequence[Reply]:
    """Withdraw one's own remark by its number while the consultation is open."""
    slug, rest, named = take_named_process(inv, required=False)
    match = _NUMBER.match((rest if named else inv.args).strip())
    if match is None:
        raise InputError("opinion.withdraw_which")
    view = inv.services.opinions.withdraw(int(match.group(1)), inv.caller.person_id, slug=slug if named else None)
    title = inv.services.processes.get(view.process_slug).definition.title  # the process by its name, not slug
    return [Reply(inv.t("opinion.withdrawn", id=view.id, slug=view.process_slug, title=title))]
