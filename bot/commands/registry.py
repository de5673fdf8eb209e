"""The one command table every channel dispatches through (Polish names first, English aliases)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands import announce as ann
from bot.commands import basket as bk
from bot.commands import briefing as brf
from bot.commands import drafts as drf
from bot.commands import linking as lnk
from bot.commands import moderator as mod
from bot.commands import names
from bot.commands import pending as pend
from bot.commands import poll_wizard as poll
from bot.commands import reading as rd
from bot.commands import remarks as rem
from bot.commands import resident as res
from bot.commands import scheduling as sched
from bot.commands import share as shr
from bot.commands import signals as sig
from bot.commands import verification as ver
from bot.commands.base import Command, Handler, Invocation
from bot.commands.table import CommandTable
from bot.domain import RoleName
from bot.replies import Reply

__all__ = ["COMMANDS", "build_table"]

M = RoleName.MODERATOR
A = RoleName.ADMIN


def _help(table: CommandTable) -> Handler:
    """``/pomoc``: the command list generated from ``table`` — the table the help is part of, so a table built
    for a test or another front-end describes itself."""

    def cmd_help(inv: Invocation) -> Sequence[Reply]:
        return [Reply(table.help_text(inv.caller, inv.t))]

    return cmd_help


def build_table() -> CommandTable:
    """A fresh table with every command; ``/help`` lists them in this order."""
    table = CommandTable()
    for command in [
        Command("start", res.cmd_start, "help.start", "usage.start"),
        Command("pomoc", _help(table), "help.help", "usage.help", aliases=("help",)),
        Command("jezyk", res.cmd_language, "help.language", "usage.language", aliases=("language",)),
        Command("procesy", res.cmd_processes, "help.processes", "usage.processes", aliases=("processes",)),
        Command("proces", res.cmd_process, "help.process", "usage.process", aliases=("process",)),
        Command("dzielnica", res.cmd_district, "help.district", "usage.district", aliases=("district",)),
        Command("kod", res.cmd_code, "help.code", "usage.code", aliases=("code",)),
        Command("email", lnk.cmd_email, "help.email", "usage.email"),
        Command(
            ver.COMMAND,
            ver.cmd_resident,
            "help.resident",
            "usage.resident",
            aliases=("resident", "pesel"),
            on_text=ver.on_text,
        ),
        Command("glosuj", res.cmd_vote, "help.vote", "usage.vote", aliases=("vote",)),
        Command("moj_glos", res.cmd_my_vote, "help.myvote", "usage.myvote", aliases=("myvote",)),
        Command("wycofaj", res.cmd_withdraw, "help.withdraw", "usage.withdraw", aliases=("withdraw",)),
        Command("koszyk", bk.cmd_basket, "help.basket", "usage.basket", aliases=("basket",)),
        Command("koszyk_dodaj", bk.cmd_basket_add, "help.basket_add", "usage.basket_add", aliases=("basket_add",)),
        Command(
            "koszyk_usun",
            bk.cmd_basket_remove,
            "help.basket_remove",
            "usage.basket_remove",
            aliases=("basket_remove",),
        ),
        Command(
            "koszyk_zatwierdz",
            bk.cmd_basket_confirm,
            "help.basket_confirm",
            "usage.basket_confirm",
            aliases=("basket_confirm",),
        ),
        Command(rd.READ, rd.cmd_read, "help.read", "usage.read", aliases=("read",)),
        Command(
            rd.REMARK,
            rd.cmd_remark_on,
            "help.remark_on",
            "usage.remark_on",
            aliases=("remark_on",),
            on_text=rd.on_remark_text,
        ),
        Command("opinia", res.cmd_opinion, "help.opinion", "usage.opinion", aliases=("opinion",)),
        Command(
            "wycofaj_uwage",
            rem.cmd_withdraw_remark,
            "help.withdraw_remark",
            "usage.withdraw_remark",
            aliases=("withdraw_remark",),
        ),
        Command("wyniki", res.cmd_results, "help.results", "usage.results", aliases=("results",)),
        Command("pokwitowanie", res.cmd_receipt, "help.receipt", "usage.receipt", aliases=("receipt",)),
        Command("moje_dane", res.cmd_my_data, "help.my_data", "usage.my_data", aliases=("my_data",)),
        Command("usun_dane", res.cmd_erase, "help.erase", "usage.erase", aliases=("delete_my_data",)),
        Command(
            "nie_przypominaj",
            sched.cmd_dont_remind,
            "help.dont_remind",
            "usage.dont_remind",
            aliases=("dont_remind", "stop"),
        ),
        Command("anuluj", pend.cmd_cancel, "help.cancel", "usage.cancel", aliases=("cancel",)),
        Command("importuj", mod.cmd_import, "help.import", "usage.import", aliases=("import",), role=M),
        Command("projekt", drf.cmd_draft, "help.draft", "usage.draft", aliases=("draft",), role=M),
        Command(
            "nowa_ankieta",
            poll.cmd_new_poll,
            "help.new_poll",
            "usage.new_poll",
            aliases=("new_poll",),
            role=M,
            on_text=poll.on_text,
        ),
        Command("otworz", mod.cmd_open, "help.open", "usage.open", aliases=("open",), role=M),
        Command("zamknij", mod.cmd_close, "help.close", "usage.close", aliases=("close",), role=M),
        Command("przedluz", mod.cmd_extend, "help.extend", "usage.extend", aliases=("extend",), role=M),
        Command("opublikuj", mod.cmd_publish, "help.publish", "usage.publish", aliases=("publish",), role=M),
        Command("spotkanie_odbyte", brf.cmd_briefing, "help.briefing", "usage.briefing", aliases=("briefing",), role=M),
        Command("frekwencja", mod.cmd_turnout, "help.turnout", "usage.turnout", aliases=("turnout",), role=M),
        Command("opinie", mod.cmd_opinions, "help.opinions", "usage.opinions", aliases=("opinions",), role=M),
        Command("zatwierdz", mod.cmd_approve, "help.approve", "usage.approve", aliases=("approve",), role=M),
        Command("odrzuc", mod.cmd_reject, "help.reject", "usage.reject", aliases=("reject",), role=M),
        Command("odpowiedz", mod.cmd_respond, "help.respond", "usage.respond", aliases=("respond",), role=M),
        Command("kody", mod.cmd_codes, "help.codes", "usage.codes", aliases=("codes",), role=M),
        Command("lista", mod.cmd_roster, "help.roster", "usage.roster", aliases=("roster",), role=M),
        Command("rejestr", ver.cmd_register, "help.register", "usage.register", aliases=("register",), role=M),
        Command(
            "weryfikacja",
            ver.cmd_verification_report,
            "help.verification",
            "usage.verification",
            aliases=("verification",),
            role=M,
        ),
        Command("papierowy", mod.cmd_paper, "help.paper", "usage.paper", aliases=("paper",), role=M),
        Command("eksport", mod.cmd_export, "help.export", "usage.export", aliases=("export",), role=M),
        Command("ogloszenie", ann.cmd_announce, "help.announce", "usage.announce", aliases=("announce",), role=M),
        Command(
            "udostepnij",
            shr.cmd_share,
            "help.share",
            "usage.share",
            aliases=("share",),
            role=M,
            in_groups=True,
        ),
        Command("status", sched.cmd_status, "help.status", "usage.status", role=M),
        Command("sygnaly", sig.cmd_signals, "help.signals", "usage.signals", aliases=("signals",), role=M),
        Command("nadaj_role", mod.cmd_grant, "help.grant", "usage.grant", aliases=("grant",), role=A),
        Command("odbierz_role", mod.cmd_revoke, "help.revoke", "usage.revoke", aliases=("revoke",), role=A),
    ]:
        table.add(command)
    return table


COMMANDS = build_table()
names.use(COMMANDS)  # hints and buttons name commands after this table (bot/commands/names.py)
