"""articlebot's retrieval library: text → passages → Kiwi morphemes → BM25 → hits.

It knows nothing of Telegram, terminals or settings; the ``bot`` package builds
every face on this API.
"""

from index.errors import DocumentError, IndexFileError, IndexingError
from index.morphemes import Term, kiwi
from index.passages import Passage, Span
from index.search import BuildInfo, Hit, Hits, Index, build, source_sha256
from index.store import load, read_info, save
from index.text import Document, decode, normalize, normalize_question, parse_document

__all__ = [
    "BuildInfo",
    "Document",
    "DocumentError",
    "Hit",
    "Hits",
    "Index",
    "IndexFileError",
    "IndexingError",
    "Passage",
    "Span",
    "Term",
    "build",
    "decode",
    "kiwi",
    "load",
    "normalize",
    "normalize_question",
    "parse_document",
    "read_info",
    "save",
    "source_sha256",
]
