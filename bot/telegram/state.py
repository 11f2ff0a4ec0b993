"""What the running bot serves: the current index, swapped whole on a rebuild."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.settings import Settings
from index import Index, kiwi

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
    _examples: tuple[int, list[str]] = (0, [])

    def swap(self, index: Index) -> None:
        self.index = index
        self.generation += 1

    def examples(self) -> list[str]:
        if self._examples[0] != self.generation:
            self._examples = (self.generation, example_questions(self.index))
        return self._examples[1]


def example_questions(index: Index, count: int = EXAMPLES) -> list[str]:
    """Questions about the document's names and acronyms, as a reader would type them.

    Candidates are words written in the text exactly as they are indexed that appear
    in more than one passage but not in most; proper nouns and Latin acronyms come
    first (Kiwi tells which), then the other words, each group by frequency.
    """
    counts: dict[str, int] = {}
    surface: dict[str, str] = {}
    for passage in index.passages:
        text = index.documents[passage.document].text
        for term in {t.text: t for t in passage.terms}.values():
            written = text[term.start : term.end]
            if written.lower() == term.text and len(written) >= 2 and not written.isdigit():
                counts[term.text] = counts.get(term.text, 0) + 1
                surface.setdefault(term.text, written)
    most = max(2, index.passage_count // 2)
    candidates = [t for t, n in counts.items() if 2 <= n <= most or index.passage_count < 4]
    names = {t for t in candidates if _is_name(surface[t])}
    ranked = sorted(candidates, key=lambda t: (t not in names, -counts[t], t))
    return [f"{surface[t]}에 대해 알려줘" for t in ranked[:count]]


def _is_name(word: str) -> bool:
    tokens = kiwi().tokenize(word)
    return len(tokens) == 1 and tokens[0].tag in {"NNP", "SL"}
