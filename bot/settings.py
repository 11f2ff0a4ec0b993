"""Every setting of articlebot, read once from the environment and ``.env``.

This model is the one source of truth: ``.env.example`` lists the same names,
and a test keeps the two in step.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_index_path() -> Path:
    """Per-user data directory (XDG), so the CLI works from any folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "articlebot" / "index.npz"


class Settings(BaseSettings):
    """articlebot's configuration. Field names are the environment variables' names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Token from @BotFather; only `articlebot telegram` needs it."
    )
    telegram_base_url: str = Field(
        default="https://api.telegram.org/bot",
        description="Bot API endpoint; point it at a local Bot API server if you run one.",
    )
    telegram_base_file_url: str = Field(
        default="https://api.telegram.org/file/bot",
        description="Bot API file download endpoint, paired with TELEGRAM_BASE_URL.",
    )
    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Telegram user ids allowed to rebuild or reload the index, comma-separated.",
    )
    upload_max_bytes: int = Field(
        default=1_000_000,
        gt=0,
        description="Largest .txt / .md file an admin may send the bot to rebuild from, in bytes.",
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Secret token Telegram sends with webhook calls; random per start if unset.",
    )
    telegram_rate_limiter: bool = Field(
        default=True,
        description="Pace outgoing messages to Telegram's flood limits (429s are retried anyway).",
    )
    index_path: Path = Field(
        default_factory=_default_index_path,
        description="Where the index lives; built from the bundled article when missing.",
    )

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in value.replace(" ", ",").split(",") if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError(
                    "ADMIN_USER_IDS must be numeric Telegram user ids, comma-separated; "
                    f"got {value!r}"
                ) from None
        return value

    @field_validator("index_path", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()
