import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    assert sorted(listed) == sorted(name.upper() for name in Settings.model_fields)


def test_every_setting_is_documented() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_from_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_USER_IDS", "42, 7")
    monkeypatch.setenv("INDEX_PATH", "~/idx.npz")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    settings = Settings()
    assert settings.admin_user_ids == {42, 7}
    assert settings.index_path == Path.home() / "idx.npz"
    assert settings.telegram_bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)


def test_from_dotenv(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ADMIN_USER_IDS=5\nINDEX_PATH=/srv/index.npz\n")
    settings = Settings()
    assert settings.admin_user_ids == {5}
    assert settings.index_path == Path("/srv/index.npz")


def test_defaults(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = Settings()
    assert settings.telegram_bot_token is None
    assert settings.admin_user_ids == frozenset()
    assert settings.index_path == tmp_path / "data" / "articlebot" / "index.npz"


def test_bad_admin_ids(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADMIN_USER_IDS", "alice")
    with pytest.raises(ValidationError, match="numeric"):
        Settings()


def test_dotenv_is_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored and ".env.example" not in ignored
