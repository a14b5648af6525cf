import json
from pathlib import Path

import pytest

from argentier.config import Settings, find_config_file, load_settings
from argentier.errors import ConfigError


def test_defaults_use_a_sqlite_file_in_the_data_home():
    settings = load_settings(cwd=Path("/nonexistent"), environ={})
    assert settings.home == Path(".argentier")
    assert settings.effective_database_url == "sqlite:///.argentier/argentier.db"
    assert settings.source is None


def test_file_in_working_directory_wins_over_argentier_home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "argentier.toml").write_text('[search]\nfusion = "weighted"\n')
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    environ = {"ARGENTIER_HOME": str(home)}
    assert find_config_file(cwd, environ) == home / "argentier.toml"
    assert load_settings(cwd=cwd, environ=environ).search.fusion == "weighted"
    (cwd / "argentier.toml").write_text("[search]\nrrf_k = 10\n")
    settings = load_settings(cwd=cwd, environ=environ)
    assert settings.search.rrf_k == 10
    assert settings.search.fusion == "rrf"
    assert settings.source == str(cwd / "argentier.toml")
    assert settings.home == home  # ARGENTIER_HOME is also the data home when the file does not set one


def test_environment_overrides_file(tmp_path):
    (tmp_path / "argentier.toml").write_text('database_url = "sqlite:///a.db"\n[embeddings]\nbatch_size = 8\n')
    environ = {
        "ARGENTIER_DATABASE_URL": "postgresql://u:secret@db/argentier",
        "ARGENTIER_EMBEDDINGS__BATCH_SIZE": "64",
        "ARGENTIER_EMBEDDINGS_API_KEY": "not-a-setting",
    }
    settings = load_settings(cwd=tmp_path, environ=environ)
    assert settings.effective_database_url == "postgresql://u:secret@db/argentier"
    assert settings.embeddings.batch_size == 64
    assert settings.to_dict()["database_url"] == "postgresql://u:***@db/argentier"


def test_invalid_values_name_the_file_and_field(tmp_path):
    (tmp_path / "argentier.toml").write_text("[search]\nfusion = \"magic\"\n")
    with pytest.raises(ConfigError, match=r"argentier.toml: invalid setting 'search.fusion'"):
        load_settings(cwd=tmp_path, environ={})


def test_unknown_keys_are_rejected(tmp_path):
    (tmp_path / "argentier.toml").write_text("[search]\nfusoin = \"rrf\"\n")
    with pytest.raises(ConfigError, match="search.fusoin"):
        load_settings(cwd=tmp_path, environ={})


def test_malformed_toml_is_a_config_error(tmp_path):
    (tmp_path / "argentier.toml").write_text("[search\n")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_settings(cwd=tmp_path, environ={})


def test_bad_environment_value_names_the_environment():
    with pytest.raises(ConfigError, match=r"environment: invalid setting 'search.rrf_k'"):
        load_settings(cwd=Path("/nonexistent"), environ={"ARGENTIER_SEARCH__RRF_K": "zero"})


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(Exception):
        settings.home = Path("elsewhere")


def test_api_key_variables_are_never_read_as_settings():
    environ = {
        "ARGENTIER_EMBEDDINGS_API_KEY": "sk-embed-secret",
        "ARGENTIER_LLM_API_KEY": "sk-llm-secret",
        "ARGENTIER_LLM__PROVIDER": "openai",
        "ARGENTIER_LLM__BASE_URL": "http://127.0.0.1:8080/v1",
        "ARGENTIER_LLM__PRICE_PER_1K_INPUT": "0.15",
    }
    settings = load_settings(cwd=Path("/nonexistent"), environ=environ)
    assert (settings.llm.provider, settings.llm.base_url) == ("openai", "http://127.0.0.1:8080/v1")
    assert settings.llm.price_per_1k_input == 0.15 and settings.llm.api_key_env == "ARGENTIER_LLM_API_KEY"
    assert "secret" not in json.dumps(settings.to_dict())
    from argentier.config import _api_key_variables

    assert _api_key_variables() == {"ARGENTIER_EMBEDDINGS_API_KEY", "ARGENTIER_LLM_API_KEY"}


def test_llm_settings_default_to_no_provider():
    llm = Settings().llm
    assert (llm.provider, llm.cache, llm.gguf_path) == ("none", True, None)
    assert not llm.cache_nonzero_temperature
    with pytest.raises(ConfigError, match=r"invalid setting 'llm.provider'"):
        load_settings(cwd=Path("/nonexistent"), environ={"ARGENTIER_LLM__PROVIDER": "gpt"})
