"""The e-mail adapter: NGO members vote and comment by replying to an invitation. It takes no decisions.

Modules, one concept each:

* :mod:`mail.parse` — raw bytes to :class:`~mail.parse.ParsedMail` (charset fallbacks, HTML to text, attachments
  listed, oversized and over-complex MIME read as headers only); :mod:`mail.trim` — the member's own words
  (quotes, attributions, header blocks, banners, footers and signatures of 14 languages cut); :mod:`mail.sent` —
  lines repeating what we sent are never read; :mod:`mail.auto` — automatic mail recognised by kind;
  :mod:`mail.interpret` — a reply sorted into ballot lines, ``§N:`` comments, an opinion and STOP;
* :mod:`mail.tokens` — per-recipient reply tokens (random, stored hashed, compared in constant time, never in a
  Message-ID); :mod:`mail.trust` — who wrote a reply, and whom to warn of a forgery; :mod:`mail.addressing` — our
  addresses and where the token travels;
* :mod:`mail.processor` — one message in one transaction: Message-ID recorded, authenticated, applied through
  the core services (in the reply's unit of work, one savepoint per command), one confirmation queued;
* :mod:`mail.compose` — Jinja2 templates (``mail/templates``) and MIME messages; :mod:`mail.invite` —
  invitations to a roster; :mod:`mail.sender` — SMTP (STARTTLS/SSL) from the shared outbox;
* :mod:`mail.intake` — IMAP (UIDs, UIDVALIDITY, IDLE or polling, reconnect with backoff) and Maildir;
  :mod:`mail.quarantine` — a message whose handling fails is set aside once, with its reason;
* :mod:`mail.channel` — the parts wired from ``[mail]``; :mod:`mail.cli` — ``glos mail …``;
  :mod:`mail.testing` — a real Dovecot for tests and benchmarks.
"""
