"""Outgoing Bot API requests that survive Telegram's bad moments.

python-telegram-bot raises on a 5xx, a timeout or a dropped connection, and its
``AIORateLimiter`` retries only "429 Too Many Requests". A question whose answer
hit a passing server error would go unanswered, so every request goes through
:class:`RetryingLimiter`: it waits out 429s, retries network errors a few times
with backoff, and keeps pacing to Telegram's flood limits when that is enabled.
A retried request whose first attempt did reach Telegram can arrive twice; a
duplicate answer is better than none.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter

log = logging.getLogger(__name__)

ATTEMPTS = 4
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
# Long polling has its own retry loop in PTB's Updater, with its own backoff.
PASS_THROUGH = frozenset({"getUpdates"})


class RetryingLimiter(BaseRateLimiter[None]):
    """Retries network errors, and 429s itself unless ``AIORateLimiter`` paces (``pace``)."""

    def __init__(self, pace: bool) -> None:
        # When pacing, AIORateLimiter waits out 429s itself, pausing every request.
        self._pacer = AIORateLimiter(max_retries=ATTEMPTS - 1) if pace else None

    async def initialize(self) -> None:
        if self._pacer is not None:
            await self._pacer.initialize()

    async def shutdown(self) -> None:
        if self._pacer is not None:
            await self._pacer.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            attempt += 1
            try:
                if self._pacer is not None:
                    return await self._pacer.process_request(
                        callback, args, kwargs, endpoint, data, None
                    )
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if self._pacer is not None or attempt >= ATTEMPTS:
                    raise
                delay = exc.retry_after
                seconds = delay.total_seconds() if hasattr(delay, "total_seconds") else delay
                log.warning("%s: flood limit, retrying in %.1f s", endpoint, seconds)
                await asyncio.sleep(float(seconds) + 0.1)
            except BadRequest:
                raise  # a NetworkError subclass, but the request itself is wrong
            except NetworkError as exc:
                if endpoint in PASS_THROUGH or attempt >= ATTEMPTS:
                    raise
                log.warning("%s failed (%s), retry %d", endpoint, exc, attempt)
                await asyncio.sleep(BACKOFF_SECONDS[attempt - 1])
