"""The errors the library raises on bad input, each carrying a one-line message.

The faces (CLI, console, Telegram) print ``str(error)`` as it is, so every message
is written for a person: what is wrong and, where it helps, what to do.
"""


class IndexingError(Exception):
    """Base class: input or index that cannot be used."""


class DocumentError(IndexingError):
    """A text that cannot become a document (empty, binary, wrong encoding)."""


class IndexFileError(IndexingError):
    """An index file that is missing, damaged, or from an incompatible version."""
