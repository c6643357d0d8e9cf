import re
from pathlib import Path

import pytest

from bot.settings import ENV_NAMES, Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_env_example_and_readme_list_every_setting():
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert listed == set(ENV_NAMES.values())
    assert all(name in readme for name in ENV_NAMES.values())


def test_settings_parse_and_default():
    s = load_settings({"NEWSBOT_ADMINS": "1, 2", "NEWSBOT_SOURCES": "a.txt,b/", "NEWSBOT_ALLOW_PRIVATE_URLS": "yes",
                       "NEWSBOT_INGEST_BATCH": "512", "NEWSBOT_BACKEND": "onnx"})
    assert s.backend == "onnx" and s.admins == frozenset({1, 2}) and s.sources == ("a.txt", "b/") and s.allow_private_urls
    assert s.ingest_batch == 512
    assert load_settings({}) == Settings()


def test_bad_values_are_all_named():
    with pytest.raises(SettingsError) as err:
        load_settings({"NEWSBOT_ADMINS": "me", "NEWSBOT_REFRESH_MINUTES": "soon", "NEWSBOT_INGEST_BATCH": "0",
                       "NEWSBOT_BACKEND": "gpu"})
    assert all(name in str(err.value) for name in ("NEWSBOT_ADMINS", "NEWSBOT_REFRESH_MINUTES", "NEWSBOT_INGEST_BATCH",
                                                   "NEWSBOT_BACKEND"))


def test_token_is_not_in_repr():
    assert "secret" not in repr(Settings(telegram_bot_token="secret"))
