"""The emulator's formatting parser against the Bot API's formatting options: what each parse mode makes of a
text (the visible text and its entities, offsets in UTF-16 code units) and what it refuses."""

from __future__ import annotations

import pytest

from handlers.emulator.entities import EntityError, parse, utf16_length


def test_plain_text_has_no_entities_whatever_it_contains() -> None:
    assert parse("<b>nie pogrubione</b> *ani to*", None) == ("<b>nie pogrubione</b> *ani to*", [])


def test_html_tags_entities_and_nesting() -> None:
    text, entities = parse(
        "<b>Głos <i>teraz</i></b> &lt;3 &#127859; <u>u</u><s>s</s><tg-spoiler>x</tg-spoiler>"
        '<span class="tg-spoiler">y</span><a href="https://example.org/?a=1&amp;b=2">link</a>',
        "HTML",
    )
    assert text == "Głos teraz <3 🍳 usxylink"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},
        {"type": "italic", "offset": 5, "length": 5},
        {"type": "underline", "offset": 17, "length": 1},  # 🍳 takes two UTF-16 code units
        {"type": "strikethrough", "offset": 18, "length": 1},
        {"type": "spoiler", "offset": 19, "length": 1},
        {"type": "spoiler", "offset": 20, "length": 1},
        {"type": "text_link", "offset": 21, "length": 4, "url": "https://example.org/?a=1&b=2"},
    ]


def test_html_code_pre_and_blockquote() -> None:
    text, entities = parse(
        '<pre><code class="language-python">print(1 &lt; 2)</code></pre><blockquote expandable>cytat</blockquote>',
        "HTML",
    )
    assert text == "print(1 < 2)cytat"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 12, "language": "python"},
        {"type": "expandable_blockquote", "offset": 12, "length": 5},
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>x</blink>", 'Unsupported start tag "blink" at byte offset 0'),
        ("ż<i>x</b>", 'Unmatched end tag at byte offset 6, expected "</i>", found "</b>"'),
        ("</i>", "Unexpected end tag at byte offset 0"),
        ("<b x", "Unclosed start tag at byte offset 0"),
        ("<a>x</a>", "Can't find href in an <a> tag at byte offset 0"),
        ("<code><b>x</b></code>", "Can't parse entities in a code or pre entity at byte offset 6"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_html_that_telegram_refuses(text: str, error: str) -> None:
    with pytest.raises(EntityError) as refused:
        parse(text, "HTML")
    assert str(refused.value) == error


def test_markdown_v2_marks_escapes_links_code_and_quotes() -> None:
    text, entities = parse(
        "*gruby _kursywa_* __pod__ ~skreśl~ ||spoiler|| [link](https://x.pl/a\\)b) `kod \\` ` 1\\.5\\!\n"
        "```python\nprint()\n```\n>cytat",
        "MarkdownV2",
    )
    assert text == "gruby kursywa pod skreśl spoiler link kod `  1.5!\nprint()\n\ncytat"
    kinds = [(e["type"], text_of(text, e)) for e in entities]
    assert kinds == [
        ("bold", "gruby kursywa"),
        ("italic", "kursywa"),
        ("underline", "pod"),
        ("strikethrough", "skreśl"),
        ("spoiler", "spoiler"),
        ("text_link", "link"),
        ("code", "kod ` "),
        ("pre", "print()\n"),
        ("blockquote", "cytat"),
    ]
    assert entities[5]["url"] == "https://x.pl/a)b" and entities[7]["language"] == "python"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Koniec.", "Character '.' is reserved and must be escaped with the preceding '\\' at byte offset 6"),
        ("1-2", "Character '-' is reserved and must be escaped with the preceding '\\' at byte offset 1"),
        ("snake_case", "Can't find end of Italic entity at byte offset 5"),
        ("*a _b* c_", "Can't find end of Italic entity at byte offset 3"),
        ("`kod", "Can't find end of Code entity at byte offset 0"),
        ("[a](http://x", "Can't find end of a URL at byte offset 3"),
    ],
)
def test_markdown_v2_that_telegram_refuses(text: str, error: str) -> None:
    with pytest.raises(EntityError) as refused:
        parse(text, "MarkdownV2")
    assert str(refused.value) == error


def test_legacy_markdown() -> None:
    text, entities = parse("*gruby* _kursywa_ `kod` [tu](https://x.pl) snake\\_case", "Markdown")
    assert text == "gruby kursywa kod tu snake_case"
    assert [(e["type"], text_of(text, e)) for e in entities] == [
        ("bold", "gruby"),
        ("italic", "kursywa"),
        ("code", "kod"),
        ("text_link", "tu"),
    ]
    with pytest.raises(EntityError, match="Can't find end of the entity starting at byte offset 5"):
        parse("snake_case", "Markdown")


def test_an_unknown_parse_mode_is_refused() -> None:
    with pytest.raises(EntityError):
        parse("[b]x[/b]", "BBCode")


def text_of(text: str, entity: dict[str, object]) -> str:
    """The part of ``text`` an entity covers (offsets are UTF-16 code units)."""
    encoded = text.encode("utf-16-le")
    start, length = int(entity["offset"]), int(entity["length"])  # type: ignore[call-overload]
    return encoded[2 * start : 2 * (start + length)].decode("utf-16-le")


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_length("zażółć 🗳") == 9
