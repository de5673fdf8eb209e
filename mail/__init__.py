"""The e-mail adapter: IMAP intake (imapclient), parsing of replies, SMTP sending, templates.

It takes no decisions; replies are parsed into core commands. Built with the e-mail channel.
"""
