"""Shared fixtures. Kiwi is loaded and warmed once per test session."""

from __future__ import annotations

import pytest

import index
from bot.documents import bundled_document


@pytest.fixture(scope="session", autouse=True)
def warm_kiwi() -> None:
    index.kiwi()


@pytest.fixture(scope="session")
def article() -> index.Document:
    return bundled_document()


@pytest.fixture(scope="session")
def article_index(article: index.Document) -> index.Index:
    return index.build([article])


@pytest.fixture(scope="session")
def article_text() -> str:
    from importlib import resources

    return resources.files("bot").joinpath("data/article.txt").read_text(encoding="utf-8")
