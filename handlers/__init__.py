"""The Telegram adapter (python-telegram-bot): turns updates into core commands and core replies into messages.

It takes no decisions; everything is dispatched through :mod:`bot.commands`. Modules:

* :mod:`handlers.application` — the Application pointed at ``[telegram] api_url``, its handlers, polling.
* :mod:`handlers.adapter` — updates → :class:`~bot.commands.base.Caller` → ``dispatch`` → replies.
* :mod:`handlers.callers`, :mod:`handlers.buttons` (64-byte callback tokens kept in the store),
  :mod:`handlers.replies` (messages, keyboards, documents), :mod:`handlers.menus` (command menus per scope).
* :mod:`handlers.sender` — the durable outbox sender; :mod:`handlers.webhook` — webhook mode.
* :mod:`handlers.launch` — ``glos run``'s Telegram side; :mod:`handlers.emulator` — the Bot API emulator.
"""
