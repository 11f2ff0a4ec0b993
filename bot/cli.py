"""The ``articlebot`` command: build, ask, chat.

Every failure a person can cause (a bad file, an empty question, a missing index)
ends as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import index
from bot import console, render
from bot.answer import DEFAULT_TOP, QuestionError, answer
from bot.documents import bundled_document, open_index, read_document
from bot.errors import BotError

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
# Below this many characters a build finishes before a progress bar is worth drawing.
PROGRESS_MIN_CHARS = 200_000


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (index.IndexingError, QuestionError, BotError) as exc:
        _error(str(exc))
    except ValueError as exc:  # pydantic's ValidationError: a bad setting
        _error(f"bad setting: {' '.join(str(exc).split())}")
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`articlebot ask ... | head`): nothing left to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_ERROR


def _error(message: str) -> None:
    print(f"articlebot: error: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="articlebot",
        description="Answers questions about a Korean news article by quoting the article.",
    )
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build",
        help="rebuild the index from new text",
        description="Index text files (UTF-8 .txt or .md; '-' reads stdin). Each file is one "
        "document, titled by its first line. With no FILE, the bundled article is indexed.",
    )
    build.add_argument("files", nargs="*", metavar="FILE", help="text file, or - for stdin")
    build.add_argument(
        "--out", type=Path, metavar="PATH", help="where to write (default: INDEX_PATH)"
    )
    build.set_defaults(run=_build)

    ask = sub.add_parser(
        "ask",
        help="answer questions with quotes",
        description="Answer a question with quotes from the text. With no QUESTION, "
        "answer each line of stdin until EOF.",
    )
    ask.add_argument(
        "question", nargs="*", metavar="QUESTION", help="the question (words are joined)"
    )
    ask.add_argument(
        "--top",
        type=_positive,
        default=DEFAULT_TOP,
        metavar="K",
        help="at most K quotes (default 3)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    _source_options(ask)
    ask.set_defaults(run=_ask)

    chat = sub.add_parser(
        "chat",
        help="the interactive console",
        description="Ask questions at a prompt, with line editing and history. Piped stdin "
        "is answered line by line. Ctrl-D or Ctrl-C leaves.",
    )
    _source_options(chat)
    chat.set_defaults(run=_chat)

    telegram = sub.add_parser(
        "telegram",
        help="run the Telegram bot",
        description="Run the Telegram bot (TELEGRAM_BOT_TOKEN from the environment or .env): "
        "long polling by default, or a webhook server for deployments behind HTTPS. "
        "SIGINT or SIGTERM stops it.",
    )
    telegram.add_argument(
        "--webhook", metavar="URL", help="public HTTPS URL Telegram should post updates to"
    )
    telegram.add_argument(
        "--listen", default="0.0.0.0", metavar="ADDR", help="webhook server address (0.0.0.0)"
    )
    telegram.add_argument(
        "--port", type=int, default=8443, metavar="N", help="webhook server port (8443)"
    )
    telegram.set_defaults(run=_telegram)

    evaluate = sub.add_parser(
        "eval",
        help="measure answer quality on a QA dataset",
        description="Ask every question of DATASET and report answer@1, answer@3, MRR, the first "
        "quote's length and refusals. DATASET is SQuAD / KorQuAD JSON (each article indexed "
        'alone, or all together with --corpus) or JSONL lines {"q", "answers", "kind"} '
        "asked against the bundled article or --text FILE.",
    )
    evaluate.add_argument("dataset", type=Path, metavar="DATASET")
    evaluate.add_argument(
        "--corpus", action="store_true", help="SQuAD JSON: one index of all articles"
    )
    evaluate.add_argument("--text", metavar="FILE", help="JSONL: the text the questions are about")
    evaluate.add_argument(
        "--foreign",
        action="store_true",
        help="SQuAD JSON, per article: also ask each article the next one's questions, "
        "which it should refuse",
    )
    evaluate.add_argument("--json", action="store_true", help="print the report as one JSON object")
    evaluate.set_defaults(run=_eval)
    return parser


def _source_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--index", type=Path, metavar="PATH", help="a saved index (default: INDEX_PATH)"
    )
    source.add_argument("--text", metavar="FILE", help="answer from this text file; writes nothing")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _settings() -> Settings:
    """Settings, read by each command that needs them: pydantic takes ~0.4 s to import,
    which `build --out` (every build the benchmark times) does not pay."""
    from bot.settings import Settings

    return Settings()


def _open(args: argparse.Namespace) -> index.Index:
    """The index named by --index, else the configured one: settings are read only
    then, so a cold `ask --index` does not pay pydantic's import."""
    if args.index is not None:
        return open_index(args.index, create=False)
    return open_index(_settings().index_path, text_file=args.text)


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.files.count("-") > 1:
        raise index.DocumentError("stdin ('-') can be read only once")
    documents = [read_document(name) for name in args.files] if args.files else [bundled_document()]
    out = args.out or _settings().index_path
    large = sum(len(d.text) for d in documents) >= PROGRESS_MIN_CHARS
    built = index.build(documents, progress=_progress_bar("Indexing", "chars") if large else None)
    index.save(built, out)
    print(
        f"Indexed {_count(len(documents), 'document')}, {_count(built.passage_count, 'passage')}, "
        f"{built.characters:,} characters in {time.perf_counter() - started:.1f} s → {out}"
    )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _progress_bar(label: str, unit: str) -> Callable[[int, int], None] | None:
    """A one-line bar on stderr, drawn only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    width = 30

    def show(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        percent = 100 * done // max(total, 1)
        end = "\n" if done >= total else ""
        print(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {percent:3d}% "
            f"{done:,}/{total:,} {unit}",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _ask(args: argparse.Namespace) -> int:
    if args.question:
        questions: Iterable[str] = [" ".join(args.question)]
        from_stdin = False
    else:
        questions = (line for line in sys.stdin if line.strip())
        from_stdin = True
    idx = _open(args)
    color = console.use_color(sys.stdout)
    status = 0
    for n, question in enumerate(questions, 1):
        try:
            reply = answer(idx, question, top=args.top)
        except QuestionError as exc:
            if not from_stdin:
                raise
            _error(f"question {n}: {exc}")
            status = EXIT_ERROR
            continue
        if args.json:
            print(render.json_line(reply), flush=True)
        else:
            if from_stdin:
                print(f"질문> {reply.question}")
            print(render.terminal(reply, color), end="\n\n" if from_stdin else "\n", flush=True)
    return status


def _chat(args: argparse.Namespace) -> int:
    return console.run(lambda: _open(args))


def _eval(args: argparse.Namespace) -> int:
    from bot import evaluate

    result = evaluate.evaluate(
        args.dataset,
        corpus=args.corpus,
        text_file=args.text,
        progress=_progress_bar("Asking", "questions"),
        foreign=args.foreign,
    )
    print(evaluate.as_json(result) if args.json else evaluate.table(result))
    return 0


def _telegram(args: argparse.Namespace) -> int:
    from bot.telegram import app  # python-telegram-bot loads only for this command

    return app.run(_settings(), webhook_url=args.webhook, listen=args.listen, port=args.port)
