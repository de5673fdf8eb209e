"""Cut a reply down to what the member wrote: no quoted text, no attribution, no banner, no footer, no signature.

Rules, general rather than per client, each in the languages of :data:`LANGUAGES`:

* ``>`` quotes are dropped wherever they are (bottom-posted and interleaved replies keep their own lines);
* **attribution lines** — ``On … wrote:``, ``W dniu … napisał(a):``, ``Am … schrieb …:``, ``Le … a écrit :``,
  ``… пользователь … написал:`` … — are recognised by a *wrote* verb of any of the languages at the end of the
  line (or of two or three lines joined: clients wrap long attributions), together with a date, a time or an
  e-mail address before it; Gmail's Russian form without a verb (``ср, 14 апр. 2027 г. в 12:00, X <a@b>:``) by
  a date and an address ending in a colon; Zoho's ``---- On … wrote ----`` with its dashes;
* **header blocks** (Outlook, Exchange, webmail): three or more consecutive ``Label: value`` lines with labels of
  any of the languages (``Von:``/``Gesendet:``/``An:``/``Betreff:``, ``De :``/``Envoyé :``, ``Od:``/
  ``Wysłano:``/``Do:``/``Temat:`` …), or two when they are a From and a date label;
* **banners**: any line of two or more dashes around a short text without digits (``-----Ursprüngliche
  Nachricht-----``, ``-----Message d'origine-----``, ``-------- Пересланное сообщение --------``, whatever the
  language), "begin forwarded message" lines, and Outlook's underscore rule;
* **footers**: the ``-- `` signature delimiter, a line of underscores (mailing-list footers), and *known* device
  and app footers ("Sent from my iPhone", "Wysłane z aplikacji Poczta", "Надіслано з iPhone", "Gesendet von
  Outlook für Android", "Envoyé à partir de Outlook pour iOS" …) — a sentence that merely starts with "Sent from"
  stays ("Sent from my desk, is much easier…");
* closing valedictions (``Pozdrawiam``, ``Mit freundlichen Grüßen``, ``З повагою`` …) with the name below them.

Whatever these rules miss, :mod:`mail.sent` still catches: a line that repeats what we sent is never read.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LANGUAGES", "trim_reply"]

LANGUAGES = ("pl", "uk", "ru", "en", "de", "fr", "es", "it", "cs", "sk", "nl", "pt", "da", "sv")
"""Languages whose quote headers, banners, footers and valedictions are known by name."""

# "wrote" at the end of an attribution, in every language above (folded: no diacritics, lower case).
_WROTE = (
    r"wrote|writes|napisal\(a\)|napisala?|nadeslal|pisze|napisal\(a\)|"
    r"написал\(а\)|написала?|пишет|написав\(ла\)|написала?|написав|пише|"
    r"schrieb|hat\s+geschrieben|a\s+ecrit|ecrit|escribio|ha\s+escrito|ha\s+scritto|scrisse|"
    r"napsal\(a\)|napsala?|pise|napisal\(a\)|schreef|heeft\s+geschreven|escreveu|skrev"
)
# ends on a colon (or, Zoho, is wrapped in dashes): a member's sentence that says "wrote" does not
_ATTRIBUTION = re.compile(
    rf"^(?:(?P<dash>-{{2,}})\s*)?(?P<head>.*?)\s(?:{_WROTE})(?:\s+(?P<tail>[^:]{{0,80}}?))?\s*(?::|(?(dash)-{{2,}}))\s*$"
)
_OPENER = re.compile(r"^-*\s*(on|am|le|el|il|op|em|den|dne|dna|w dniu|dnia|в|у|\d|[^\W\d]{2,3}[.,])(\s|$)")
_DATE = re.compile(
    r"\d{1,2}[./\-]\s?\d{1,2}[./\-]\s?\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}[:.]\d{2}|\b(19|20)\d{2}\b"
    r"|\d{1,2}\.?\s+[a-zа-яіїєґ]{3,}"
)
_ADDRESS = re.compile(r"[\w.+\-]+@[\w\-]+\.[\w.\-]+")
_BANNER = re.compile(r"^\s*[-=]{3,}\s*(?P<text>[^\d\-=]{8,60}?)\s*[-=]{3,}\s*$")
_FORWARD = re.compile(
    r"^\s*(begin\sforwarded\smessage|anfang\sder\sweitergeleiteten\snachricht|debut\sdu\smessage\sreexpedie"
    r"|inicio\sdel\smensaje\sreenviado|inizio\smessaggio\sinoltrato|zacatek\spreposilane\szpravy"
    r"|zaciatok\spreposlanej\sspravy|begin\sdoorgestuurd\sbericht|inicio\sda\smensagem\sreencaminhada"
    r"|videresendt\s(besked|meddelelse)|vidarebefordrat\s(brev|meddelande)|poczatek\sprzekazywanej\swiadomosci"
    r"|начало\sпереадресованного\sсообщения|початок\sпересланого\sповідомлення)\s*:?\s*$"
)
_UNDERSCORES = re.compile(r"^\s*_{2,}\s*$")
# Labels of quoted-header blocks, folded; grouped so that a From and a date label alone are enough.
_FROM_LABELS = (
    "from|od|nadawca|von|de|da|van|fra|fran|от|від|відправник|odesilatel|odosielatel|remetente|afsender|avsandare"
)
_DATE_LABELS = (
    "sent|date|wyslano|wyslane|data|gesendet|datum|envoye|envoye le|enviado el|enviado|enviada|fecha|inviato|verzonden|"
    "sendt|dato|skickat|отправлено|дата|надіслано|надислано|odeslano|odoslane|odoslano|enviado em|verstuurd"
)
_OTHER_LABELS = (
    "to|do|an|a|para|aan|til|till|кому|komu|subject|temat|betreff|objet|asunto|oggetto|onderwerp|emne|amne|"
    "тема|predmet|assunto|cc|dw|kopie|kopia|kopi|копия|копія|bcc|udw|reply-to|odpowiedz do|antwort an|"
    "importance|waznosc|wichtigkeit|priorita|prioridad|organisation|organization"
)
_LABEL = re.compile(
    rf"^\s*\*?\s*(?P<label>{_FROM_LABELS}|{_DATE_LABELS}|{_OTHER_LABELS})\s*\*?\s*:\s*\*?\s*\S", re.IGNORECASE
)
_FROM_LABEL = re.compile(rf"^(?:{_FROM_LABELS})$")
_DATE_LABEL = re.compile(rf"^(?:{_DATE_LABELS})$")
# Known device and app footers: the opening words, then a short rest naming a device or an app.
_FOOTER_OPENINGS = re.compile(
    r"^\s*(sent\s(from|with|via|using)|get\soutlook\sfor|download\soutlook|"
    r"wyslane\s(z|przez|za\spomoca)|wyslano\s(z|przez|za\spomoca)|pobierz\s(aplikacje\s)?outlook|"
    r"надіслано\s(з|із|зі|через)|отправлено\s(с|из|через)|"
    r"gesendet\s(von|mit|vom|aus)|von\smeinem\s.+\sgesendet|holen\ssie\ssich\soutlook|"
    r"envoye\s(de|depuis|a\spartir\sde|avec|par)|obtenir\soutlook|telecharger\soutlook|"
    r"enviado\s(desde|do|da|de|com|con|a\straves)|obtener\soutlook|obtenha\so\soutlook|"
    r"inviato\s(da|dal|con|tramite)|scarica\soutlook|"
    r"odeslano\s(z|ze|pomoci)|odoslane\s(z|zo|pomocou)|"
    r"verzonden\s(vanaf|met|van)|verstuurd\s(vanaf|met|van)|outlook\svoor\s(ios|android)\sdownloaden|"
    r"sendt\sfra|hent\soutlook|skickat\sfran|skickades\sfran|hamta\soutlook)\b",
)
_DEVICES = re.compile(
    r"\b(iphone|ipad|ipod|android|samsung|galaxy|huawei|xiaomi|redmi|oneplus|pixel|nokia|motorola|sony|xperia|"
    r"blackberry|outlook|gmail|yahoo|aol|mail|poczta|poczty|pocztowej|proton\s?mail|tutanota|thunderbird|spark|iphon\w*|"
    r"ipad\w*|"
    r"bluemail|airmail|k-9|windows|ios|ipados|macos|mobile|mobil|mobiel|mobilni|mobilny|mobilnego|smartfon\w*|"
    r"smartphone\w*|telefon\w*|telefono|telefone|telefoon|telephone|handy|tablet\w*|"
    r"onet\w*|wp|interia|o2|gazeta|mail\.ru|yandex|ukr\.net|seznam|centrum|post\.cz|gmx|web\.de|t-online|"
    r"orange|free|libero|virgilio|tim|terra|sapo|ziggo|kpn|icloud|app|aplikac\w*|applicazione|aplicativo|"
    r"aplicacion|appen|телефона|телефону|смартфона|смартфону|айфона|айфону|мобильного|мобільного|пошти|почты)\b"
)
_VALEDICTIONS = {
    # pl
    "pozdrawiam",
    "pozdrowienia",
    "serdecznie pozdrawiam",
    "serdeczne pozdrowienia",
    "lacze pozdrowienia",
    "z powazaniem",
    "z wyrazami szacunku",
    "dziekuje, pozdrawiam",
    "dziekuje i pozdrawiam",
    "dziekuje",
    "dzieki",
    "pzdr",
    # en
    "best regards",
    "kind regards",
    "warm regards",
    "regards",
    "best wishes",
    "best",
    "cheers",
    "thanks",
    "thank you",
    "many thanks",
    "yours sincerely",
    "yours faithfully",
    "sincerely",
    # uk, ru
    "з повагою",
    "з найкращими побажаннями",
    "дякую",
    "щиро дякую",
    "с уважением",
    "с наилучшими пожеланиями",
    "всего доброго",
    "всего хорошего",
    "спасибо",
    # de
    "mit freundlichen grussen",
    "mit freundlichem gruss",
    "freundliche grusse",
    "viele grusse",
    "beste grusse",
    "liebe grusse",
    "herzliche grusse",
    "grusse",
    "gruss",
    "lg",
    "mfg",
    "vielen dank",
    "danke",
    # fr
    "cordialement",
    "bien cordialement",
    "bien a vous",
    "salutations",
    "sinceres salutations",
    "merci",
    "merci beaucoup",
    "bonne journee",
    # es, pt, it
    "saludos",
    "un saludo",
    "saludos cordiales",
    "atentamente",
    "gracias",
    "muchas gracias",
    "cumprimentos",
    "com os melhores cumprimentos",
    "atenciosamente",
    "abracos",
    "obrigado",
    "obrigada",
    "cordiali saluti",
    "distinti saluti",
    "saluti",
    "grazie",
    "grazie mille",
    # cs, sk
    "s pozdravem",
    "s pozdravom",
    "s uctou",
    "dekuji",
    "dakujem",
    # nl, da, sv ("tak" is Danish for thanks — and Polish for yes: never a valediction here)
    "met vriendelijke groet",
    "met vriendelijke groeten",
    "vriendelijke groet",
    "groeten",
    "hartelijke groet",
    "bedankt",
    "med venlig hilsen",
    "venlig hilsen",
    "mvh",
    "hilsen",
    "med vanliga halsningar",
    "vanliga halsningar",
    "halsningar",
    "tack",
}


def _fold(line: str) -> str:
    """Lower case, no diacritics (``ł`` → ``l``; Cyrillic kept, ``й`` → ``и``), single spaces."""
    decomposed = unicodedata.normalize("NFKD", line.replace("ł", "l").replace("Ł", "L").replace("ß", "ss"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution(text: str) -> bool:
    """An attribution line: a *wrote* verb at the end, with a date, a time or an address before it; or (Gmail's
    Russian form) a date and an address closing on a colon."""
    folded = _fold(text).strip(" *")
    if len(folded) < 8 or len(folded) > 400:
        return False
    match = _ATTRIBUTION.match(folded)
    if match:
        head = match.group("head")
        evidence = head + " " + (match.group("tail") or "")
        if _DATE.search(evidence) or _ADDRESS.search(evidence):
            return True
        # Apple Mail (pl) names the sender first: "Wiadomość napisana przez X w dniu 14.04.2027, o godz. 12:00:"
    if folded.startswith("wiadomosc napisana przez ") and folded.endswith(":"):
        return True
    return folded.endswith(":") and bool(_ADDRESS.search(folded)) and bool(_DATE.search(folded))


def _evidence(text: str) -> bool:
    folded = _fold(text)
    return bool(_DATE.search(folded) or _ADDRESS.search(folded) or "<" in folded)


def _label(line: str) -> str | None:
    match = _LABEL.match(_fold(line))
    return match.group("label") if match else None


def _header_block(lines: list[str], index: int) -> bool:
    """Quoted headers start at ``index``: 3+ consecutive label lines, or 2 that are a From and a date label."""
    labels: list[str] = []
    for line in lines[index : index + 8]:
        label = _label(line)
        if label is None:
            break
        labels.append(label)
    if not labels or not (_FROM_LABEL.match(labels[0]) or _DATE_LABEL.match(labels[0])):
        return False
    if len(labels) >= 3:
        return True
    return len(labels) == 2 and any(_FROM_LABEL.match(x) for x in labels) and any(_DATE_LABEL.match(x) for x in labels)


def _footer(line: str) -> bool:
    """A known device or app footer (short, naming a device or an app), not a sentence of the member's."""
    folded = _fold(line).strip(" -_*")
    if len(folded) > 90 or not _FOOTER_OPENINGS.match(folded):
        return False
    return bool(_DEVICES.search(folded)) and len(folded.split()) <= 12


def _banner(line: str) -> bool:
    folded = _fold(line)
    return bool(_BANNER.match(folded) or _FORWARD.match(folded) or _UNDERSCORES.match(folded) or "_" * 10 in folded)


def _next_content(lines: list[str], index: int) -> str | None:
    for line in lines[index + 1 :]:
        if line.strip():
            return line
    return None


def trim_reply(text: str) -> str:
    """The member's own text of ``text``; see the module docstring. Blank lines at the ends are removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if _is_quote(line):
            index += 1
            continue
        if line.rstrip() == "--" or (line.startswith("-- ") and not line[3:].strip()):
            break
        if not stripped:
            kept.append("")
            index += 1
            continue
        # An attribution may be wrapped over two or three lines ("… пользователь Głos <" / "glos@…> написал:").
        span = 0
        for width in (1, 2, 3):
            chunk = lines[index : index + width]
            if len(chunk) < width or any(not part.strip() or _is_quote(part) for part in chunk):
                break
            if width > 1 and (stripped.endswith((".", "?", "!")) or not _evidence(stripped)):
                break  # a wrapped attribution carries its date or address from its first line on
            if width > 1 and _OPENER.match(_fold(chunk[-1])) and _attribution(chunk[-1].strip()):
                break  # the last line is a whole attribution of its own: the lines before it are the member's
            if _attribution(" ".join(part.strip() for part in chunk)):
                span = width
                break
        if span:
            following = _next_content(lines, index + span - 1)
            if following is not None and _is_quote(following):
                index += span  # bottom-posting: the quote follows; text after it is the member's
                continue
            break
        if _banner(line) or _header_block(lines, index) or _footer(line):
            break
        if len(stripped) <= 40 and _fold(stripped).strip(" .!,-") in _VALEDICTIONS:
            break
        kept.append(line.rstrip())
        index += 1
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)
