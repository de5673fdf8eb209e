"""The Telegram adapter (python-telegram-bot): turns updates into core commands and core replies into messages.

It takes no decisions; everything is dispatched through :mod:`bot.commands`. Built with the Telegram channel.
"""
