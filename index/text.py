"""Text in, clean documents out: decoding, normalization, headline and source lines.

Everything downstream (passages, morphemes, spans shown to people) refers to the
normalized text, so normalization happens exactly once, here, and questions go
through the same function as documents so that both sides agree on every character.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from index.errors import DocumentError

# Line breaks of other systems: "\r\n" and each of these become "\n".
_LINE_BREAKS = "\r\u2028\u2029\x0b\x0c\x85"
# Characters deleted outright: invisible characters that change nothing a reader
# sees but split words for the analyzer (zero-width spaces and joiners, the BOM,
# bidirectional controls), and control characters (C0, DEL, C1) but the line
# break, and lone surrogates. Together this is every control and format character
# a text pastes in by accident.
_INVISIBLE = (
    "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_DELETED = f"\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff{_INVISIBLE}"
# Both kinds are found in one regex pass: a ``str.translate`` table or a category
# lookup per character cost seconds on a ten-million-character build, and a second
# regex 0.1 s.
_CLEANED = re.compile(f"[{_LINE_BREAKS}]|[{_DELETED}]")

# Lines that news sites append to an article: they say where it came from, they
# are not part of what it says, so they become the document's source metadata.
_SOURCE_LINE = re.compile(
    r"copyright|ⓒ|©|\(c\)\s|무단\s*(전재|복제|배포)|재배포\s*금지|저작권자|"
    r"콘텐츠입니다|기사\s*제공|제공된\s*(기사|콘텐츠)|all rights reserved",
    re.IGNORECASE,
)
_SOURCE_LINE_MAX_CHARS = 200

# A line that ends a sentence, or that Markdown starts a block with, is a paragraph
# boundary; any other line break inside a block is hard wrapping.
_SENTENCE_END = re.compile(r"[.!?。…\"'”’」』)\]]\s*$")
_BLOCK_START = re.compile(r"^\s*(#{1,6}\s|[-*+>]\s|\d{1,3}[.)]\s|\|)")


@dataclass(frozen=True, slots=True)
class Document:
    """One text a person can ask about.

    ``text`` holds the headline and the paragraphs, one per line; spans of passages
    and sentences index into it. ``source`` keeps the trailing copyright and
    syndication lines, which are metadata, never quoted as an answer.
    """

    title: str
    text: str
    source: str = ""
    name: str = ""

    @property
    def paragraphs(self) -> list[tuple[int, int]]:
        """Character spans of the paragraphs (the headline is the first one)."""
        spans = []
        start = 0
        for line in self.text.split("\n"):
            if line:
                spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans


def normalize(text: str) -> str:
    """NFC, one kind of line break, no invisible or control characters.

    Hangul pasted from some systems arrives decomposed into jamo (NFD); Kiwi and
    the BM25 vocabulary only agree with the precomposed form.
    """
    text = text.replace("\r\n", "\n").replace("\t", " ")
    return unicodedata.normalize("NFC", _CLEANED.sub(_clean, text))


def _clean(found: re.Match[str]) -> str:
    return "\n" if found[0] in _LINE_BREAKS else ""


def normalize_question(question: str) -> str:
    """A question on one line with single spaces."""
    return " ".join(normalize(question).split())


def decode(data: bytes, name: str = "input") -> str:
    """Bytes of a text file to a string, or a one-line DocumentError.

    UTF-8 (with or without a BOM) and BOM-marked UTF-16 are accepted; anything else
    is refused rather than guessed, so a wrong encoding never becomes a silently
    garbled index.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    if b"\x00" in data and encoding == "utf-8":
        raise DocumentError(f"{name}: looks like a binary file, not UTF-8 text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{name}: not valid {encoding.upper()} text (byte {exc.start}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise DocumentError(f"{name}: looks like a binary file, not text")
    return text


def parse_document(raw: str, name: str = "") -> Document:
    """Normalize a text and split it into headline, paragraphs and source lines."""
    # Runs of whitespace become one space; str.split, not a regex, for speed on large files.
    lines = [" ".join(line.split()) for line in normalize(raw).split("\n")]
    paragraphs = _paragraphs(lines)
    source: list[str] = []
    while len(paragraphs) > 1 and _is_source_line(paragraphs[-1]):
        source.insert(0, paragraphs.pop())
    if not paragraphs:
        raise DocumentError(f"{name or 'input'}: no text to index (the file is empty)")
    return Document(
        title=paragraphs[0].lstrip("#").strip() or paragraphs[0],
        text="\n".join(paragraphs),
        source="\n".join(source),
        name=name,
    )


def _paragraphs(lines: list[str]) -> list[str]:
    """Paragraphs from lines: a line is a paragraph unless it is hard-wrapped."""
    paragraphs: list[str] = []
    joinable = False
    for line in lines:
        if not line:
            joinable = False
            continue
        if joinable and not _BLOCK_START.match(line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
        # The first line is the headline: never glue the body onto it.
        joinable = len(paragraphs) > 1 and not _SENTENCE_END.search(paragraphs[-1])
    return paragraphs


def _is_source_line(line: str) -> bool:
    return len(line) <= _SOURCE_LINE_MAX_CHARS and bool(_SOURCE_LINE.search(line))
