"""Write the multilingual reply corpus: tests/mail/corpus/layouts/*.eml and its manifest.toml.

Each file is one reply as a mail client of one language lays it out — the quote headers, banners and footers
are those the clients write (Gmail, Outlook desktop and web, Thunderbird, Apple Mail, Samsung/Android mail, Zoho,
Yandex/Mail.ru, as documented by the clients and collected by the reply-parsing libraries talon,
email_reply_parser, mail-parser-reply and planer in their fixtures and bug reports) — around the invitation the
bot really sends, rendered by :func:`mail.invite.invitation_text`, in the charsets and transfer encodings those
clients use. The manifest says what must be read from each: the member's own text after trimming, and the
outcome through the real processor (a vote, comments on sections, an opinion, STOP, or nothing).

Run ``python tools/mail_corpus.py`` after changing the families below; the files are committed so that the test
reads fixed bytes (a change of the invitation's wording does not change the corpus: older invitations are quoted
in replies for weeks).
"""

from __future__ import annotations

import base64
import quopri
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.definition import load_definition_file  # noqa: E402
from bot.i18n import translator  # noqa: E402
from mail.invite import invitation_text  # noqa: E402

OUT = ROOT / "tests" / "mail" / "corpus" / "layouts"
OPENS = datetime(2027, 4, 12, 7, 0, tzinfo=UTC)
CLOSES = datetime(2027, 4, 19, 16, 0, tzinfo=UTC)
BOT = "glos@glos.example.org"
JAN = ("Jan Kowalski", "jan.kowalski@example.pl")
ANNA = ("Anna Nowak", "anna.nowak@fundacja.org.pl")


@dataclass(frozen=True)
class Language:
    """How the clients of one language write a reply."""

    code: str
    re: str  # the subject prefix
    attribution: str  # Gmail / Thunderbird style; {addr} is our address
    wrapped: tuple[str, str]  # an attribution wrapped over two lines (Android, narrow Gmail)
    labels: tuple[str, str, str, str]  # From, Sent, To, Subject of an Outlook header block
    sent_value: str  # the date as the header block writes it
    banner: str  # "-----Original Message-----"
    footer: str  # a device or app footer
    opinion: str  # the member's own opinion
    comment: str  # a remark on §3
    charset: str  # the legacy charset of the language's clients
    stop: str = "STOP"


LANGUAGES = [
    Language(
        "pl",
        "Odp:",
        "W dniu 14.04.2027 o 12:00, {addr} pisze:",
        ("śr., 14 kwi 2027 o 12:00 <{addr}>", "napisał(a):"),
        ("Od", "Wysłano", "Do", "Temat"),
        "środa, 14 kwietnia 2027 12:00",
        "-----Oryginalna wiadomość-----",
        "Wysłane z aplikacji Poczta dla Windows",
        "Proponuję obniżyć składkę dla najmniejszych organizacji.",
        "Proszę dopisać działania dla seniorów.",
        "iso-8859-2",
    ),
    Language(
        "uk",
        "Re:",
        "ср, 14 квіт. 2027 р. о 12:00 <{addr}> пише:",
        ("14 квітня 2027 р., о 12:00, користувач <{addr}>", "написав:"),
        ("Від", "Надіслано", "Кому", "Тема"),
        "середа, 14 квітня 2027 р. 12:00",
        "-----Оригінальне повідомлення-----",
        "Надіслано з iPhone",
        "Пропоную зменшити внесок для найменших організацій.",
        "Прошу додати заходи для людей похилого віку.",
        "koi8-u",
    ),
    Language(
        "ru",
        "Re:",
        "ср, 14 апр. 2027 г. в 12:00, <{addr}>:",
        ("14 апреля 2027 г., в 12:00, пользователь <{addr}>", "написал:"),
        ("От", "Отправлено", "Кому", "Тема"),
        "среда, 14 апреля 2027 г. 12:00",
        "-----Исходное сообщение-----",
        "Отправлено из мобильной Почты Mail.ru",
        "Предлагаю снизить взнос для самых маленьких организаций.",
        "Прошу добавить мероприятия для пожилых людей.",
        "koi8-r",
    ),
    Language(
        "en",
        "Re:",
        "On Wed, 14 Apr 2027 at 12:00, <{addr}> wrote:",
        ("On Wed, 14 Apr 2027 at 12:00, <", "{addr}> wrote:"),
        ("From", "Sent", "To", "Subject"),
        "Wednesday, April 14, 2027 12:00 PM",
        "-----Original Message-----",
        "Sent from my iPhone",
        "I suggest lowering the fee for the smallest organisations.",
        "Please add activities for older people.",
        "us-ascii",
    ),
    Language(
        "de",
        "AW:",
        "Am Mi., 14. Apr. 2027 um 12:00 Uhr schrieb <{addr}>:",
        ("Am Mi., 14. Apr. 2027 um 12:00 Uhr schrieb <", "{addr}>:"),
        ("Von", "Gesendet", "An", "Betreff"),
        "Mittwoch, 14. April 2027 12:00",
        "-----Ursprüngliche Nachricht-----",
        "Gesendet von Outlook für Android",
        "Ich schlage vor, den Beitrag für die kleinsten Vereine zu senken.",
        "Bitte ergänzen Sie Angebote für ältere Menschen.",
        "iso-8859-1",
    ),
    Language(
        "fr",
        "RE :",
        "Le mer. 14 avr. 2027 à 12:00, <{addr}> a écrit :",
        ("Le mer. 14 avr. 2027 à 12:00, <", "{addr}> a écrit :"),
        ("De ", "Envoyé ", "À ", "Objet "),
        "mercredi 14 avril 2027 12:00",
        "-----Message d'origine-----",
        "Envoyé à partir de Outlook pour iOS",
        "Je propose de réduire la cotisation des plus petites associations.",
        "Merci d'ajouter des actions pour les personnes âgées.",
        "windows-1252",
    ),
    Language(
        "es",
        "RE:",
        "El mié, 14 abr 2027 a las 12:00, <{addr}> escribió:",
        ("El mié, 14 abr 2027 a las 12:00, <", "{addr}> escribió:"),
        ("De", "Enviado el", "Para", "Asunto"),
        "miércoles, 14 de abril de 2027 12:00",
        "-----Mensaje original-----",
        "Enviado desde mi iPhone",
        "Propongo reducir la cuota para las organizaciones más pequeñas.",
        "Por favor, añadan actividades para las personas mayores.",
        "iso-8859-1",
    ),
    Language(
        "it",
        "R:",
        "Il giorno mer 14 apr 2027 alle ore 12:00 <{addr}> ha scritto:",
        ("Il giorno mer 14 apr 2027 alle ore 12:00 <", "{addr}> ha scritto:"),
        ("Da", "Inviato", "A", "Oggetto"),
        "mercoledì 14 aprile 2027 12:00",
        "-----Messaggio originale-----",
        "Inviato da iPhone",
        "Propongo di ridurre la quota per le associazioni più piccole.",
        "Vi prego di aggiungere attività per gli anziani.",
        "iso-8859-1",
    ),
    Language(
        "cs",
        "Re:",
        "Dne st 14. 4. 2027 12:00 uživatel <{addr}> napsal:",
        ("Dne st 14. 4. 2027 12:00 uživatel <", "{addr}> napsal:"),
        ("Od", "Odesláno", "Komu", "Předmět"),
        "středa 14. dubna 2027 12:00",
        "-----Původní zpráva-----",
        "Odesláno z iPhonu",
        "Navrhuji snížit příspěvek pro nejmenší organizace.",
        "Prosím doplňte aktivity pro seniory.",
        "iso-8859-2",
    ),
    Language(
        "sk",
        "Re:",
        "Dňa st 14. 4. 2027 o 12:00 <{addr}> napísal(a):",
        ("Dňa st 14. 4. 2027 o 12:00 <", "{addr}> napísal(a):"),
        ("Od", "Odoslané", "Komu", "Predmet"),
        "streda 14. apríla 2027 12:00",
        "-----Pôvodná správa-----",
        "Odoslané z iPhonu",
        "Navrhujem znížiť príspevok pre najmenšie organizácie.",
        "Prosím doplňte aktivity pre seniorov.",
        "windows-1250",
    ),
    Language(
        "nl",
        "RE:",
        "Op wo 14 apr. 2027 om 12:00 schreef <{addr}>:",
        ("Op wo 14 apr. 2027 om 12:00 schreef <", "{addr}>:"),
        ("Van", "Verzonden", "Aan", "Onderwerp"),
        "woensdag 14 april 2027 12:00",
        "-----Oorspronkelijk bericht-----",
        "Verzonden vanaf mijn iPhone",
        "Ik stel voor de contributie voor de kleinste organisaties te verlagen.",
        "Voeg alstublieft activiteiten voor ouderen toe.",
        "iso-8859-1",
    ),
    Language(
        "pt",
        "RE:",
        "Em qua., 14 de abr. de 2027 às 12:00, <{addr}> escreveu:",
        ("Em qua., 14 de abr. de 2027 às 12:00, <", "{addr}> escreveu:"),
        ("De", "Enviado", "Para", "Assunto"),
        "quarta-feira, 14 de abril de 2027 12:00",
        "-----Mensagem original-----",
        "Enviado do meu iPhone",
        "Proponho reduzir a quota para as organizações mais pequenas.",
        "Por favor, acrescentem atividades para os idosos.",
        "iso-8859-1",
    ),
    Language(
        "da",
        "SV:",
        "Den ons. 14. apr. 2027 kl. 12.00 skrev <{addr}>:",
        ("Den ons. 14. apr. 2027 kl. 12.00 skrev <", "{addr}>:"),
        ("Fra", "Sendt", "Til", "Emne"),
        "14. april 2027 12:00",
        "-----Oprindelig meddelelse-----",
        "Sendt fra min iPhone",
        "Jeg foreslår at sænke kontingentet for de mindste foreninger.",
        "Tilføj venligst aktiviteter for ældre.",
        "iso-8859-1",
    ),
    Language(
        "sv",
        "SV:",
        "Den ons 14 apr. 2027 kl 12:00 skrev <{addr}>:",
        ("Den ons 14 apr. 2027 kl 12:00 skrev <", "{addr}>:"),
        ("Från", "Skickat", "Till", "Ämne"),
        "den 14 april 2027 12:00",
        "-----Ursprungligt meddelande-----",
        "Skickat från min iPhone",
        "Jag föreslår att avgiften sänks för de minsta föreningarna.",
        "Lägg gärna till aktiviteter för äldre.",
        "iso-8859-1",
    ),
]

VOTE = ("uchwala1: TAK\nuchwala2: NIE\nuchwala3: TAK", {"uchwala1": "yes", "uchwala2": "no", "uchwala3": "yes"})
VOTE_EN = ("uchwala1: YES\nuchwala2: NO\nuchwala3: YES", {"uchwala1": "yes", "uchwala2": "no", "uchwala3": "yes"})
MAILERS = {
    "gmail": "",
    "outlook": "X-Mailer: Microsoft Outlook 16.0\n",
    "thunderbird": "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0\n",
    "apple": "X-Mailer: iPhone Mail (21E236)\n",
    "android": "X-Mailer: Samsung Email (6.1.90.16)\n",
    "zoho": "User-Agent: Zoho Mail\n",
}


def _invitations() -> dict[str, tuple[str, str, str]]:
    """(subject, text, html) of both invitations in Polish, as the bot sends them."""
    t = translator("pl")
    found = {}
    for slug, stem in (("walne", "uchwala-tak-nie"), ("program", "konsultacje-program-wspolpracy-2027")):
        definition = load_definition_file(ROOT / "examples" / f"{stem}.toml")
        definition = definition.model_copy(update={"opens_at": OPENS, "closes_at": CLOSES})
        text, html = invitation_text(definition, t, "Głos")
        found[slug] = (t("mail.invite.subject", title=definition.title.get("pl")), text, html)
    return found


def _quoted(text: str) -> str:
    return "\n".join(("> " + line).rstrip() for line in text.rstrip("\n").split("\n"))


def _block(lang: Language, subject: str, to: str) -> str:
    f, s, t, u = (label.rstrip() + (" :" if label.endswith(" ") else ":") for label in lang.labels)
    return f"{f} {BOT}\n{s} {lang.sent_value}\n{t} {to}\n{u} {subject}\n"


def _encode(text: str, charset: str, cte: str) -> tuple[str, bytes]:
    """(charset actually used, body bytes with LF line ends) in ``cte`` (8bit, quoted-printable, base64)."""
    try:
        raw = text.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"  # the quoted Polish invitation does not fit the legacy charset: clients switch
        raw = text.encode(charset)
    if cte == "quoted-printable":
        return charset, quopri.encodestring(raw)
    if cte == "base64":
        return charset, base64.encodebytes(raw)
    return charset, raw


def _html(text: str, quote_from: int | None = None) -> str:
    lines = text.split("\n")
    own = "<br>\n".join(_escape(line) for line in (lines if quote_from is None else lines[:quote_from]))
    if quote_from is None:
        return f"<html><body><div>{own}</div></body></html>"
    quoted = "<br>\n".join(_escape(line) for line in lines[quote_from:])
    return (
        f'<html><body><div dir="ltr">{own}</div><br><div class="gmail_quote">'
        f'<blockquote class="gmail_quote" style="margin:0 0 0 .8ex">{quoted}</blockquote></div></body></html>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Reply:
    """One layout: its name, the member's text as the client laid it out, and what must be read."""

    name: str
    lang: Language
    mailer: str
    body: str
    own: str
    outcome: dict[str, object]
    slug: str = "walne"
    sender: tuple[str, str] = JAN
    cte: str = "8bit"
    charset: str | None = None
    html: str | None = None  # an HTML alternative (or the only part with html_only)
    html_only: bool = False
    flowed: bool = False


def _families(lang: Language, inv: dict[str, tuple[str, str, str]]) -> list[Reply]:
    walne_subject, walne, _ = inv["walne"]
    program_subject, program, _ = inv["program"]
    addr = BOT
    vote, ballot = VOTE_EN if lang.code == "en" else VOTE
    attribution = lang.attribution.format(addr=addr)
    wrapped = "\n".join(part.format(addr=addr) for part in lang.wrapped)
    voted = {"kind": "accepted", "vote": ballot, "opinions": 0}
    nothing = {"kind": "not_understood", "opinions": 0}
    opinion = {"kind": "accepted", "opinions": 1, "confirm": [lang.opinion]}
    block = _block(lang, walne_subject, "jan.kowalski@example.pl")
    program_block = _block(lang, program_subject, "anna.nowak@fundacja.org.pl")
    c = lang.code
    return [
        # 1. Gmail, top-posted vote above a ">" quote
        Reply(f"{c}-01-gmail-quoted-vote", lang, "gmail", f"{vote}\n\n{attribution}\n{_quoted(walne)}\n", vote, voted),
        # 2. a wrapped attribution and the invitation NOT prefixed with ">" (Android clients): nothing is read
        Reply(
            f"{c}-02-android-wrapped-unquoted-only",
            lang,
            "android",
            f"\n{wrapped}\n\n{walne}",
            "",
            nothing,
            flowed=True,
        ),
        # 3. Outlook: vote, then the original's header block and the original, unquoted, with an HTML part
        Reply(
            f"{c}-03-outlook-block-vote",
            lang,
            "outlook",
            f"{vote}\n\n{block}\n{walne}",
            vote,
            voted,
            cte="quoted-printable",
            html="block",
        ),
        # 4. Outlook, the same with nothing written: only the quote
        Reply(
            f"{c}-04-outlook-block-only", lang, "outlook", f"\n\n{block}\n{walne}", "", nothing, cte="quoted-printable"
        ),
        # 5. the "Original Message" banner, then headers, then the original: only the quote
        Reply(f"{c}-05-banner-only", lang, "outlook", f"\n{lang.banner}\n{block}\n{walne}", "", nothing),
        # 6. an opinion in the member's language above the banner
        Reply(
            f"{c}-06-banner-opinion",
            lang,
            "outlook",
            f"{lang.opinion}\n\n{lang.banner}\n{block}\n{walne}",
            lang.opinion,
            opinion,
            cte="base64",
        ),
        # 7. a phone: the vote, the device footer, nothing quoted (the legacy charset of the language)
        Reply(
            f"{c}-07-mobile-footer-vote",
            lang,
            "apple",
            f"{vote}\n\n{lang.footer}\n",
            vote,
            voted,
            charset=lang.charset,
            cte="base64",
        ),
        # 8. HTML only (Apple Mail, webmail): the vote and a <blockquote> after the attribution
        Reply(
            f"{c}-08-html-only-blockquote-vote",
            lang,
            "apple",
            f"{vote}\n\n{attribution}\n{walne}",
            vote,
            voted,
            html="blockquote",
            html_only=True,
        ),
        # 9. a comment on §3 of the programme above the unquoted original (whose section list must stay unread)
        Reply(
            f"{c}-09-program-comment",
            lang,
            "thunderbird",
            f"§3: {lang.comment}\n\n{attribution}\n\n{program}",
            f"§3: {lang.comment}",
            {"kind": "accepted", "opinions": 1, "sections": ["s3"], "confirm": [lang.comment]},
            slug="program",
            sender=ANNA,
            flowed=True,
        ),
        # 10. the programme's invitation alone under a header block: not one remark on §1–§8
        Reply(
            f"{c}-10-program-block-only",
            lang,
            "outlook",
            f"\n{program_block}\n{program}",
            "",
            {"kind": "not_understood", "opinions": 0},
            slug="program",
            sender=ANNA,
            cte="quoted-printable",
        ),
        # 11. STOP above a signature and a mailing-list footer (legacy charset)
        Reply(
            f"{c}-11-stop-signature",
            lang,
            "thunderbird",
            f"{lang.stop}\n\n-- \nJan Kowalski\n_______________________________________________\nlista@example.pl\n",
            lang.stop,
            {"kind": "accepted", "opinions": 0, "stop": True},
            charset=lang.charset,
        ),
    ]


def _extras(inv: dict[str, tuple[str, str, str]]) -> list[Reply]:
    """Layouts of one client or one language only."""
    walne_subject, walne, _ = inv["walne"]
    pl, en, ru, uk, de = (next(x for x in LANGUAGES if x.code == c) for c in ("pl", "en", "ru", "uk", "de"))
    vote, ballot = VOTE
    voted = {"kind": "accepted", "vote": ballot, "opinions": 0}
    nothing = {"kind": "not_understood", "opinions": 0}
    zoho = f"---- On Wed, 14 Apr 2027 12:00:00 +0200 <{BOT}> wrote ----\n\n"
    desk = "Sent from my desk, is much easier to read the resolutions on a big screen."
    return [
        Reply("xx-zoho-dash-banner-vote", en, "zoho", f"{vote}\n\n{zoho}{walne}", vote, voted),
        Reply("xx-zoho-dash-banner-only", en, "zoho", f"\n{zoho}{walne}", "", nothing),
        Reply(
            "xx-en-sent-from-my-desk-is-an-opinion",
            en,
            "gmail",
            f"{desk}\n\n{en.attribution.format(addr=BOT)}\n{_quoted(walne)}",
            desk,
            {"kind": "accepted", "opinions": 1, "confirm": ["Sent from my desk"]},
        ),
        Reply(
            "xx-ru-android-wrapped-vote",
            ru,
            "android",
            f"{vote}\n\n" + "\n".join(p.format(addr=BOT) for p in ru.wrapped) + f"\n\n{walne}",
            vote,
            voted,
            charset="koi8-r",
        ),
        Reply(
            "xx-uk-android-wrapped-vote",
            uk,
            "android",
            f"{vote}\n\n" + "\n".join(p.format(addr=BOT) for p in uk.wrapped) + f"\n\n{walne}",
            vote,
            voted,
        ),
        Reply(
            "xx-de-outlook-underscore-rule-only",
            de,
            "outlook",
            "\n\n________________________________\n" + _block(de, walne_subject, JAN[1]) + "\n" + walne,
            "",
            nothing,
        ),
        Reply(
            "xx-pl-onet-dnia-napisal-vote",
            pl,
            "gmail",
            f"{vote}\n\nDnia 14 kwietnia 2027 12:00 {BOT} napisał(a):\n\n{walne}",
            vote,
            voted,
            charset="iso-8859-2",
            cte="quoted-printable",
        ),
        Reply(
            "xx-pl-apple-wiadomosc-napisana-przez",
            pl,
            "apple",
            f"{vote}\n\nWiadomość napisana przez {BOT} w dniu 14.04.2027, o godz. 12:00:\n\n{walne}",
            vote,
            voted,
        ),
        Reply(
            "xx-pl-outlook-web-bold-labels-only",
            pl,
            "outlook",
            f"\n*Od:* {BOT}\n*Wysłane:* środa, 14 kwietnia 2027 12:00\n*Do:* {JAN[1]}\n*Temat:* {walne_subject}\n\n"
            + walne,
            "",
            nothing,
        ),
        Reply(
            "xx-en-forwarded-to-self-vote",
            en,
            "gmail",
            f"{VOTE_EN[0]}\n\n---------- Forwarded message ---------\nFrom: <{BOT}>\nDate: Wed, 14 Apr 2027 at 12:00\n"
            f"Subject: {walne_subject}\nTo: <{JAN[1]}>\n\n{walne}",
            VOTE_EN[0],
            voted,
        ),
        Reply(
            "xx-de-valediction-and-name",
            de,
            "thunderbird",
            f"{vote}\n\nMit freundlichen Grüßen\nHans Müller\nVorstand\n\n{de.attribution.format(addr=BOT)}\n"
            + _quoted(walne),
            vote,
            voted,
            charset="iso-8859-1",
        ),
        Reply(
            "xx-pl-interleaved-bottom-posted-vote",
            pl,
            "thunderbird",
            f"{pl.attribution.format(addr=BOT)}\n{_quoted(walne)}\n\n{vote}\n",
            vote,
            voted,
        ),
    ]


def _message(reply: Reply, subjects: dict[str, str], index: int) -> bytes:
    name, address = reply.sender
    token = {"walne": "TOKEN_WALNE", "program": "TOKEN_PROGRAM"}[reply.slug]
    if reply.sender == ANNA:
        token += "_ANNA"
    subject = f"{reply.lang.re} {subjects[reply.slug]}"
    head = (
        f"Return-Path: <{address}>\n"
        f"Delivered-To: glos+{token}@glos.example.org\n"
        f"From: {name} <{address}>\n"
        f"To: glos+{token}@glos.example.org\n"
        f"Subject: =?utf-8?b?{base64.b64encode(subject.encode()).decode()}?=\n"
        f"Date: Wed, 14 Apr 2027 13:{index % 60:02d}:00 +0200\n"
        f"Message-ID: <{reply.name}.{index}@{address.split('@')[1]}>\n"
        f"{MAILERS[reply.mailer]}"
        "MIME-Version: 1.0\n"
    )
    charset, body = _encode(reply.body, reply.charset or "utf-8", reply.cte)
    flowed = "; format=flowed" if reply.flowed else ""
    plain = (
        f'Content-Type: text/plain; charset="{charset}"{flowed}\nContent-Transfer-Encoding: {reply.cte}\n\n'
    ).encode() + body
    if reply.html is None:
        return (head.encode() + plain).replace(b"\n", b"\r\n")
    lines = reply.body.split("\n")
    if reply.html == "blockquote":
        start = next(i for i, line in enumerate(lines) if line.strip() and ":" in line and "@" in line) + 1
        markup = _html(reply.body, start)
    else:
        markup = _html(reply.body)
    html_charset, html_body = _encode(markup, "utf-8", "quoted-printable")
    html = (
        f'Content-Type: text/html; charset="{html_charset}"\nContent-Transfer-Encoding: quoted-printable\n\n'
    ).encode() + html_body
    if reply.html_only:
        return (head.encode() + html).replace(b"\n", b"\r\n")
    boundary = f"_000_{index:04d}_glos_corpus_"
    multipart = (
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n--{boundary}\n'.encode()
        + plain
        + f"\n--{boundary}\n".encode()
        + html
        + f"\n--{boundary}--\n".encode()
    )
    return (head.encode() + multipart).replace(b"\n", b"\r\n")


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    raise TypeError(value)


def main() -> None:
    """Write every layout and the manifest."""
    inv = _invitations()
    subjects = {slug: subject for slug, (subject, _, _) in inv.items()}
    replies = [reply for lang in LANGUAGES for reply in _families(lang, inv)] + _extras(inv)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.eml"):
        old.unlink()
    manifest = [
        "# The multilingual layouts (written by tools/mail_corpus.py): what each reply must yield.",
        "# own: the member's text after trimming; kind/vote/opinions/sections/stop/confirm: the processor's outcome.",
        "",
    ]
    for index, reply in enumerate(replies):
        (OUT / f"{reply.name}.eml").write_bytes(_message(reply, subjects, index))
        manifest.append(f'["{reply.name}.eml"]')
        manifest.append(f"language = {_toml(reply.lang.code)}")
        manifest.append(f"client = {_toml(reply.mailer)}")
        manifest.append(f"slug = {_toml(reply.slug)}")
        manifest.append(f"sender = {_toml(reply.sender[1])}")
        manifest.append(f"own = {_toml(reply.own)}")
        for key, value in reply.outcome.items():
            manifest.append(f"{key} = {_toml(value)}")
        manifest.append("")
    (OUT / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    print(f"{len(replies)} layouts in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
