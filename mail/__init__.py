"""The e-mail adapter: NGO members vote and comment by replying to an invitation. It takes no decisions.

Modules, one concept each:

* :mod:`mail.parse` — raw bytes to :class:`~mail.parse.ParsedMail` (charset fallbacks, HTML to text, attachments
  listed, oversized refused); :mod:`mail.trim` — the member's own words (quotes, attributions, signatures cut);
  :mod:`mail.auto` — automatic mail (auto-replies, bounces, loops) recognised;
  :mod:`mail.interpret` — a reply sorted into ballot lines, ``§N:`` comments, an opinion and STOP;
* :mod:`mail.tokens` — per-recipient reply tokens (random, stored hashed, compared in constant time);
* :mod:`mail.processor` — one message in one transaction: Message-ID recorded, authenticated, applied through
  the core services (in the reply's unit of work, one savepoint per command), one confirmation queued;
* :mod:`mail.compose` — Jinja2 templates (``mail/templates``) and MIME messages; :mod:`mail.invite` —
  invitations to a roster; :mod:`mail.sender` — SMTP (STARTTLS/SSL) from the shared outbox;
* :mod:`mail.intake` — IMAP (UIDs, UIDVALIDITY, IDLE or polling, reconnect with backoff) and Maildir;
* :mod:`mail.channel` — the parts wired from ``[mail]``; :mod:`mail.cli` — ``glos mail …``;
  :mod:`mail.testing` — a real Dovecot for tests and benchmarks.
"""
