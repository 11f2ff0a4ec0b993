"""``articlebot eval``: answer quality measured the way a person judges a reply.

A question counts as answered at rank k when one of the first k quotes the bot
would show contains an expected answer text. Refusals ("not in the article") are
counted apart: right for questions the text does not answer, wrong otherwise.
Everything goes through :func:`bot.answer.answer`, the same path as every face.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import index
from bot.answer import QuestionError, answer
from bot.documents import bundled_document, read_document
from index import Document, Index

RANKS = 10  # quotes asked for per question; MRR is over these
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    answers: tuple[str, ...]
    kind: str = ""
    group: str = ""  # "even" / "odd" article for KorQuAD


@dataclass
class Tally:
    """Running totals for one slice of the questions."""

    questions: int = 0
    answerable: int = 0
    at1: int = 0
    at3: int = 0
    reciprocal: float = 0.0
    quote_chars: int = 0
    quotes_shown: int = 0
    refused_answerable: int = 0
    refused_unanswerable: int = 0

    def add(self, question: Question, quotes: Sequence[str]) -> None:
        self.questions += 1
        if not question.answers:
            self.refused_unanswerable += not quotes
            return
        self.answerable += 1
        if not quotes:
            self.refused_answerable += 1
            return
        self.quote_chars += len(quotes[0])
        self.quotes_shown += 1
        for rank, quote in enumerate(quotes, 1):
            if any(a in quote for a in question.answers):
                self.at1 += rank == 1
                self.at3 += rank <= 3
                self.reciprocal += 1 / rank
                break

    def report(self) -> dict[str, Any]:
        """Rates over the questions they concern; None where there are none."""

        def rate(count: float, out_of: int) -> float | None:
            return round(count / out_of, 4) if out_of else None

        unanswerable = self.questions - self.answerable
        return {
            "questions": self.questions,
            "answerable": self.answerable,
            "answer_at_1": rate(self.at1, self.answerable),
            "answer_at_3": rate(self.at3, self.answerable),
            "mrr": rate(self.reciprocal, self.answerable),
            "mean_first_quote_chars": (
                round(self.quote_chars / self.quotes_shown, 1) if self.quotes_shown else None
            ),
            "false_refusal_rate": rate(self.refused_answerable, self.answerable),
            "unanswerable": unanswerable,
            "refusal_rate_unanswerable": rate(self.refused_unanswerable, unanswerable),
        }


@dataclass
class Result:
    dataset: str
    mode: str
    documents: int
    seconds: float = 0.0
    slices: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))

    def add(self, question: Question, quotes: Sequence[str]) -> None:
        self.slices["all"].add(question, quotes)
        for name in (question.group, f"kind:{question.kind}" if question.kind else ""):
            if name:
                self.slices[name].add(question, quotes)

    def report(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "mode": self.mode,
            "documents": self.documents,
            "seconds": round(self.seconds, 1),
            **{name: tally.report() for name, tally in sorted(self.slices.items())},
        }


def evaluate(
    dataset: Path,
    corpus: bool = False,
    text_file: str | None = None,
    progress: Progress | None = None,
    foreign: bool = False,
) -> Result:
    """Run every question of a dataset through the bot and tally the replies.

    ``foreign`` (SQuAD, per article) also asks each article the questions of the
    next one, as questions it should refuse: KorQuAD has no unanswerable questions,
    and these share the style and many words of real ones, unlike made-up noise.
    """
    started = time.perf_counter()
    if dataset.suffix.lower() == ".jsonl":
        questions = _jsonl(dataset)
        document = read_document(text_file) if text_file else bundled_document()
        result = Result(dataset.name, f"{document.name or 'text'}", 1)
        _ask(index.build([document]), questions, result, progress, 0, len(questions))
    else:
        articles = _squad(dataset)
        total = sum(len(qs) for _, qs in articles)
        if corpus:
            result = Result(dataset.name, "one index of all articles", len(articles))
            idx = index.build([doc for doc, _ in articles])
            _ask(idx, [q for _, qs in articles for q in qs], result, progress, 0, total)
        else:
            mode = "each article indexed alone"
            result = Result(
                dataset.name,
                f"{mode}, with the next one's questions" if foreign else mode,
                len(articles),
            )
            asked = [
                qs + (_foreign(articles, n) if foreign else [])
                for n, (_, qs) in enumerate(articles)
            ]
            total = sum(map(len, asked))
            done = 0
            for (doc, _), qs in zip(articles, asked, strict=True):
                _ask(index.build([doc]), qs, result, progress, done, total)
                done += len(qs)
    result.seconds = time.perf_counter() - started
    return result


def _ask(
    idx: Index,
    questions: Iterable[Question],
    result: Result,
    progress: Progress | None,
    done: int,
    total: int,
) -> None:
    for n, question in enumerate(questions, done + 1):
        try:
            quotes = [q.text for q in answer(idx, question.text, top=RANKS).quotes]
        except QuestionError:
            quotes = []
        result.add(question, quotes)
        if progress is not None:
            progress(n, total)


def _foreign(articles: list[tuple[Document, list[Question]]], n: int) -> list[Question]:
    """The next article's questions, without answers, as article ``n``'s group."""
    group = articles[n][1][0].group if articles[n][1] else ""
    following = articles[(n + 1) % len(articles)][1] if len(articles) > 1 else []
    return [Question(q.text, (), "foreign", group) for q in following]


def _jsonl(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            questions.append(Question(item["q"], tuple(item["answers"]), item.get("kind", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise index.DocumentError(f"{path}:{number}: not a QA line ({exc})") from None
    return questions


def _squad(path: Path) -> list[tuple[Document, list[Question]]]:
    """SQuAD / KorQuAD JSON as documents (title line, then paragraphs) and their questions."""
    try:
        data = json.loads(_read(path))["data"]
        articles = []
        for n, article in enumerate(data):
            title = article["title"].replace("_", " ")
            contexts = [" ".join(p["context"].split()) for p in article["paragraphs"]]
            document = index.parse_document("\n".join([title, *contexts]), title)
            group = "even" if n % 2 == 0 else "odd"
            questions = [
                Question(qa["question"], tuple(a["text"] for a in qa["answers"]), group=group)
                for p in article["paragraphs"]
                for qa in p["qas"]
            ]
            articles.append((document, questions))
    except (ValueError, KeyError, TypeError) as exc:
        raise index.DocumentError(f"{path}: not SQuAD / KorQuAD JSON ({exc})") from None
    return articles


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise index.DocumentError(
            f"{path}: no such dataset (KorQuAD dev is ../shared/data/korquad/"
            "KorQuAD_v1.0_dev.json in the team's checkout; pass its path)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise index.DocumentError(f"{path}: cannot read ({exc})") from None


def table(result: Result) -> str:
    """The report as a person reads it."""
    report = result.report()
    lines = [
        f"{report['dataset']} — {report['mode']}: {report['documents']:,} documents, "
        f"{report['all']['questions']:,} questions, {report['seconds']:.1f} s",
        "",
        f"{'':<22}{'questions':>10}{'answer@1':>10}{'answer@3':>10}{'MRR':>8}"
        f"{'quote chars':>13}{'false refusals':>16}{'refused (no answer)':>21}",
    ]
    for name, row in report.items():
        if isinstance(row, dict):
            cells = [
                _cell(row["answer_at_1"], "10.3f"),
                _cell(row["answer_at_3"], "10.3f"),
                _cell(row["mrr"], "8.3f"),
                _cell(row["mean_first_quote_chars"], "13.1f"),
                _cell(row["false_refusal_rate"], "16.1%"),
                _cell(row["refusal_rate_unanswerable"], "21.1%"),
            ]
            lines.append(f"{name:<22}{row['questions']:>10,}{''.join(cells)}")
    return "\n".join(lines)


def _cell(value: float | None, spec: str) -> str:
    width = int(spec.split(".")[0])
    return f"{'—':>{width}}" if value is None else format(value, spec)


def as_json(result: Result) -> str:
    return json.dumps(result.report(), ensure_ascii=False)
