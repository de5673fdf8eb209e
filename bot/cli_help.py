"""The top-level help of ``glos``: one text for each subcommand, shared by the whole application and the fast entry.

``bot.cli`` and the modules adding command groups pass these strings as ``help=``; ``bot.cli_entry`` draws
``glos --help`` from them without importing the application. This module imports nothing, so any CLI module
may use it without pulling in another's dependencies.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "HELP"]

HELP = "Głos: participation bot for municipalities and NGOs."

COMMANDS: dict[str, str] = {
    "tally": "Count a participatory-budget election in pabulib format and print the funded projects.",
    "chat": "Talk to the bot in the terminal, as a resident or as a moderator (console:moderator by default).",
    "run": (
        "The main job: migrate the store, load the examples, start the scheduler, the web page and Telegram (the\n"
        "emulator and the playground without a token), and talk to the bot in the console. With standard input "
        "closed or\nnot a terminal (nohup, systemd, a container, `glos run </dev/null &`) it runs without the "
        "console until SIGTERM\nor SIGINT, then stops cleanly."
    ),
    "serve": (
        "The bot as a service, without the console: \\[web] workers processes on \\[web] host:port serving the "
        "web\npages and the Telegram webhook; one of them (the leader) runs the scheduler, e-mail and the outbox. "
        "Stops on\nSIGTERM / Ctrl-C. See docs/DEPLOY.md."
    ),
    "web": "Serve the public results pages, the consultation reports and the JSON API on \\[web] host:port.",
    "db": "The database.",
    "process": "Processes: import, import-document, open, close, briefing, publish, results, export.",
    "org": "Organisations: municipalities, powiats, NGOs and federations that run processes.",
    "index": "The friendly-local-government index: rankings, maps and open data across years.",
    "verification": "Verified residents: the city's register and the committee's report.",
    "scheduler": "The scheduler: phases, reminders, summaries, digests.",
    "person": "People: erasure on request.",
    "mail": "The e-mail channel: invitations, intake, sending.",
    "audit": "The append-only audit log.",
}
"""Top-level subcommands and their help, in ``bot.cli``'s order: the one source of that text, which ``bot.cli`` and
the modules adding command groups pass as ``help=`` (a new subcommand is added here and there; a test renders both
top-level helps and compares them, so a missing entry or another order fails)."""
