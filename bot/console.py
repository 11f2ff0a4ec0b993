"""The console: ask the article questions at a prompt, answers as highlighted quotes.

On a terminal it offers line editing and a history kept between sessions; with
piped input it answers every line and exits at end of input, so transcripts and
scripts work the same way.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot import render
from bot.answer import QuestionError, answer
from index import Index

PROMPT = "질문> "
HISTORY_LINES = 1000


def use_color(stream: TextIO) -> bool:
    """Color only for a person at a terminal who has not asked for none (no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def run(open_index: Callable[[], Index]) -> int:
    """Run the console until end of input; 0 on a clean exit, Ctrl-C included."""
    interactive = sys.stdin.isatty()
    if interactive:
        print("기사를 불러오는 중…", file=sys.stderr, flush=True)
    idx = open_index()
    color = use_color(sys.stdout)
    if interactive:
        _enable_history()
        print(_banner(idx))
    try:
        while True:
            try:
                line = input(PROMPT) if interactive else sys.stdin.readline()
            except EOFError:
                if interactive:
                    print()
                break
            if not interactive:
                if not line:
                    break
                if not line.strip():
                    continue
                print(f"{PROMPT}{line.strip()}")
            elif not line.strip():
                continue
            try:
                reply = render.terminal(answer(idx, line), color)
            except QuestionError as exc:
                reply = str(exc)
            print(reply, end="\n\n", flush=True)
    except KeyboardInterrupt:
        print()
    return 0


def _banner(idx: Index) -> str:
    titles = ", ".join(f"《{d.title}》" for d in idx.documents[:3])
    more = f" 외 {len(idx.documents) - 3}건" if len(idx.documents) > 3 else ""
    return (
        f"{titles}{more} — 단락 {idx.passage_count}개\n"
        "기사에 대해 물어보세요. 끝내려면 Ctrl-D를 누르세요.\n"
    )


def _enable_history() -> None:
    """Line editing (arrows, Ctrl-R) and a history file, where readline exists."""
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    path = Path(state) / "articlebot" / "history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
    except OSError:
        return
    readline.set_history_length(HISTORY_LINES)

    def save() -> None:
        with contextlib.suppress(OSError):
            readline.write_history_file(path)

    atexit.register(save)
