"""Views: how processes, results and signals are shown, in the reader's language — the same text for every
channel (chat commands, the terminal, the web page, the result summaries and the moderators' digest).

A view takes what services return and a :class:`~bot.i18n.Translator` and returns text; it never writes.
"""
