"""What the running bot serves: the current index, swapped whole on a rebuild."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.settings import Settings
from index import Index

# A few example questions for /start and an empty inline query, made from the
# document's own most characteristic words so they always find an answer.
EXAMPLES = 3


@dataclass
class Served:
    """The index in service and a generation number that changes with every swap.

    Handlers read ``index`` once per update, so a swap in the middle of an answer
    never mixes two indexes; buttons carry the generation to notice a swap since.
    """

    index: Index
    settings: Settings
    generation: int = 1
    rebuild_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def swap(self, index: Index) -> None:
        self.index = index
        self.generation += 1

    def examples(self) -> list[str]:
        return example_questions(self.index)


def example_questions(index: Index, count: int = EXAMPLES) -> list[str]:
    """Questions about the document's most distinctive words, as a reader types them.

    A word counts when it is written in the text exactly as it is indexed (a name,
    a noun, a Latin acronym), appears in more than one passage but not in most.
    """
    documents: dict[str, int] = {}
    surface: dict[str, str] = {}
    for passage in index.passages:
        text = index.documents[passage.document].text
        for term in {t.text: t for t in passage.terms}.values():
            written = text[term.start : term.end]
            if written.lower() == term.text and len(written) >= 2 and not written.isdigit():
                documents[term.text] = documents.get(term.text, 0) + 1
                surface.setdefault(term.text, written)
    limit = max(2, len(index.passages) // 2)
    ranked = sorted(
        (t for t, n in documents.items() if 2 <= n <= limit or len(index.passages) < 4),
        key=lambda t: (-documents[t], t),
    )
    return [f"{surface[t]}에 대해 알려줘" for t in ranked[:count]]
