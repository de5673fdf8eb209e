"""Importing a long draft: a DOCX written with python-docx, read, split into units and made a definition.

The draft is a cooperation programme of the usual shape, sized like a long one: 12 chapters of 8 §, each §
with 3 ustępy of 4 points, every other point with 2 letters — 2,713 paragraphs, 28,392 words (about 47 pages
of A4 at 600 words: more than the 30 pages of the target). Timed: ``read_document`` (python-docx opens the
file, :func:`split_units`) plus ``draft_definition`` (the validated :class:`ProcessDefinition`), and,
separately, the whole import into a fresh SQLite store through the service (one transaction). Best of 5.
Target: ≤ 2 s for the import. Run: ``python -m bench.documents``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import docx

from bot.app import build_app
from bot.clock import FakeClock
from bot.config import Settings, StorageSettings
from bot.documents import draft_definition, read_document

__all__ = ["main", "write_draft"]

WORDS = [
    "organizacje",
    "pozarządowe",
    "realizują",
    "zadania",
    "publiczne",
    "we",
    "współpracy",
    "z",
    "gminą",
    "na",
    "zasadach",
    "partnerstwa",
]


def _sentence(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed + index) % len(WORDS)] for index in range(words))


def write_draft(path: Path, chapters: int = 12) -> int:
    """Write the draft; returns the number of paragraphs."""
    document = docx.Document()
    lines = ["w sprawie przyjęcia Programu współpracy Gminy z organizacjami pozarządowymi na rok 2027"]
    number = 0
    for chapter in range(1, chapters + 1):
        lines += [f"Rozdział {chapter}", _sentence(3, chapter).capitalize()]
        for _ in range(8):
            number += 1
            lines.append(f"§ {number}. {_sentence(14, number).capitalize()}:")
            for ust in range(1, 4):
                lines.append(f"{ust}. {_sentence(12, ust + number).capitalize()}:")
                for point in range(1, 5):
                    lines.append(f"{point}) {_sentence(10, point + ust)};")
                    if point % 2 == 0:
                        lines += [f"a) {_sentence(8, point)},", f"b) {_sentence(8, point + 1)};"]
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))
    return len(lines)


def main() -> None:
    """Print the markdown table of the figures."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.docx"
        paragraphs = write_draft(path)
        words = sum(len(p.text.split()) for p in docx.Document(str(path)).paragraphs)
        best_read = best_import = float("inf")
        units = 0
        for attempt in range(5):
            started = time.perf_counter()
            document = read_document(path)
            definition = draft_definition(document, "program-2027")
            best_read = min(best_read, time.perf_counter() - started)
            units = len(document.units)
            settings = Settings(storage=StorageSettings(url=f"sqlite:///{folder}/glos-{attempt}.db"))
            application = build_app(settings, clock=FakeClock(), secret=b"bench-secret-key-0123456789")
            try:
                started = time.perf_counter()
                application.services.processes.import_definition(draft_definition(read_document(path), "program-2027"))
                best_import = min(best_import, time.perf_counter() - started)
            finally:
                application.close()
        print(f"draft: {paragraphs} paragraphs, {words} words, {units} units, {len(definition.items)} sections")
        print("| step | seconds (best of 5) | target |\n|---|---:|---:|")
        print(f"| read + split + definition | {best_read:.3f} | |")
        print(f"| the whole import (read, split, store) | {best_import:.3f} | ≤ 2 |")


if __name__ == "__main__":
    main()
