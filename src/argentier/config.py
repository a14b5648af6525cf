"""Typed configuration: one ``argentier.toml`` plus ``ARGENTIER_*`` environment variables.

Where the file is looked for, first hit wins:

1. ``./argentier.toml`` (the working directory),
2. ``$ARGENTIER_HOME/argentier.toml``.

Environment variables override the file. ``ARGENTIER_DATABASE_URL`` and ``ARGENTIER_HOME`` set the top-level
keys; any other key is reached with a double underscore between section and key, e.g.
``ARGENTIER_SEARCH__FUSION=weighted`` or ``ARGENTIER_EMBEDDINGS__BATCH_SIZE=64``. Variables that hold API keys
(``ARGENTIER_EMBEDDINGS_API_KEY``, ``ARGENTIER_LLM_API_KEY``: the sections' default ``api_key_env``) are
never read as settings.

>>> settings = Settings()
>>> settings.search.fusion
'rrf'
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from argentier.errors import ConfigError

CONFIG_FILE_NAME = "argentier.toml"
ENV_PREFIX = "ARGENTIER_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingSettings(_Section):
    """Which sentence-embedding model turns chunks and queries into vectors."""

    provider: Literal["minilm", "openai"] = "minilm"
    model: str = "all-MiniLM-L6-v2"
    batch_size: int = Field(32, ge=1, le=4096)
    max_tokens: int = Field(256, ge=8, le=512)
    base_url: str | None = None
    api_key_env: str = "ARGENTIER_EMBEDDINGS_API_KEY"
    dimensions: int | None = Field(None, ge=1)
    timeout_s: float = Field(30.0, gt=0)


class ChunkingSettings(_Section):
    """How documents are cut into retrievable chunks (sizes in characters)."""

    max_chars: int = Field(1200, ge=100)
    min_chars: int = Field(200, ge=0)


class SearchSettings(_Section):
    """How keyword and vector hits are fused, and the group everybody belongs to."""

    fusion: Literal["rrf", "weighted"] = "rrf"
    rrf_k: int = Field(60, ge=1)
    keyword_weight: float = Field(0.5, ge=0.0, le=1.0)
    candidates: int = Field(100, ge=1, le=10_000)
    common_term_fraction: float = Field(0.1, gt=0.0, le=1.0)
    max_query_terms: int = Field(8, ge=1, le=64)
    public_group: str = "public"
    postgres_text_config: str = "english"


class LLMSettings(_Section):
    """Which LLM, if any, modules may call, and how robustly (see ``argentier.core.llm``).

    ``provider = "none"`` (the default) keeps every module on its deterministic path. Prices are in US dollars
    per 1,000 tokens; left unset, the cost of a call is recorded as unknown.
    """

    provider: Literal["none", "openai", "bedrock", "llamacpp"] = "none"
    base_url: str | None = None
    model: str | None = None
    api_key_env: str = "ARGENTIER_LLM_API_KEY"
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0, le=20)
    backoff_s: float = Field(0.5, ge=0)
    concurrency: int = Field(4, ge=1, le=256)
    max_tokens: int = Field(1024, ge=1)
    cache: bool = True
    cache_nonzero_temperature: bool = False
    price_per_1k_input: float | None = Field(None, ge=0)
    price_per_1k_output: float | None = Field(None, ge=0)
    region: str | None = None
    gguf_path: Path | None = None
    n_ctx: int = Field(4096, ge=256)


class RegwatchSettings(_Section):
    """``[regwatch]``: polite fetching, summary length, the impact taxonomy and the grouping of related updates.

    The grouping score and the reasons for its defaults are in :mod:`argentier.regwatch.grouping`.
    """

    min_interval_s: float = Field(1.0, ge=0, description="Seconds between two requests to the same host.")
    timeout_s: float = Field(20.0, gt=0)
    user_agent: str | None = Field(None, description="Sent with every request; default names Argentier.")
    summary_words: int = Field(250, ge=10, le=5000)
    taxonomy: Path | None = Field(None, description="A TOML taxonomy replacing the bundled one.")
    group_threshold: float = Field(0.25, ge=-1.0, le=2.0)
    group_keyword_weight: float = Field(0.65, ge=0.0, le=1.0)
    group_jurisdiction_penalty: float = Field(0.2, ge=0.0, le=2.0)
    group_link: Literal["centroid", "best_member"] = "centroid"


class FraudSettings(_Section):
    """``[fraud]``: how transaction files name the contract's columns, the label delay, decision thresholds."""

    columns: dict[str, str] = Field(
        default_factory=dict, description="Contract column -> column in your files, e.g. customer_id = \"card\"."
    )
    label_delay_days: float = Field(7.0, ge=0, description="When a label has no label_time: known this late.")
    review_at: float = Field(500.0, ge=0, le=1000, description="Default rule: scores from here go to review.")
    block_at: float = Field(900.0, ge=0, le=1000, description="Default rule: scores from here are blocked.")


class ForecastSettings(_Section):
    """``[forecast]``: where forecasts run when the caller does not say (the CLI's ``--engine``, the API's jobs)."""

    engine: Literal["local", "dask", "ray", "spark"] = Field(
        "local", description="local (statsforecast in this process), dask, ray or spark (through fugue)."
    )
    address: str | None = Field(
        None,
        description="The cluster to join: a Dask scheduler (tcp://host:8786), a Ray address (ray://host:10001,"
        " auto) or a Spark master (spark://host:7077). None: Dask's local scheduler, a local Ray cluster (Ray"
        " also reads RAY_ADDRESS) or a local Spark session.",
    )


class ApiSettings(_Section):
    """``[api]``: the REST API server (``argentier serve``), upload size and the background-job pool."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    max_upload_mb: float = Field(50.0, gt=0, description="Largest document upload accepted, in MiB.")
    job_workers: int = Field(2, ge=1, le=64, description="Threads running background jobs (in-process).")
    blas_threads: int | None = Field(
        1, ge=1, description="BLAS threads per matrix product in the server; None leaves the library's default."
    )
    token_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="How long a checked API token is trusted without reading the store (0: check every request).",
    )


class Settings(_Section):
    """All of Argentier's settings, read once and passed down explicitly."""

    home: Path = Path(".argentier")
    database_url: str | None = None
    embeddings: EmbeddingSettings = EmbeddingSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    search: SearchSettings = SearchSettings()
    llm: LLMSettings = LLMSettings()
    api: ApiSettings = ApiSettings()
    fraud: FraudSettings = FraudSettings()
    forecast: ForecastSettings = ForecastSettings()
    regwatch: RegwatchSettings = RegwatchSettings()
    source: str | None = Field(None, description="The TOML file these settings came from, if any.")

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: the configured one, else a SQLite file in ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'argentier.db').as_posix()}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view, with the effective database URL filled in and secrets hidden."""
        data = json.loads(self.model_dump_json())
        data["database_url"] = _redact_url(self.effective_database_url)
        return data


def _redact_url(url: str) -> str:
    """Hide the password in ``scheme://user:password@host``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def find_config_file(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """Return the first ``argentier.toml`` in the working directory, then ``$ARGENTIER_HOME``."""
    environ = os.environ if environ is None else environ
    candidates = [(cwd or Path.cwd()) / CONFIG_FILE_NAME]
    if environ.get("ARGENTIER_HOME"):
        candidates.append(Path(environ["ARGENTIER_HOME"]) / CONFIG_FILE_NAME)
    return next((path for path in candidates if path.is_file()), None)


def _api_key_variables() -> frozenset[str]:
    """The default ``api_key_env`` of every section: variables that hold secrets, never settings."""
    return frozenset(
        field.default.api_key_env
        for field in Settings.model_fields.values()
        if isinstance(getattr(field.default, "api_key_env", None), str)
    )


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    secrets = _api_key_variables()
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in secrets:
            continue
        path = name[len(ENV_PREFIX) :].lower().split("__")
        if len(path) == 1 and path[0] not in Settings.model_fields:
            continue  # an unrelated ARGENTIER_* variable (e.g. an API key named by api_key_env)
        target = overrides
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = value
    return overrides


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    path: Path | None = None, *, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the settings: the TOML file (given, or found), then environment overrides.

    Raises :class:`ConfigError` with the file and field named when anything is invalid.
    """
    environ = os.environ if environ is None else environ
    path = path or find_config_file(cwd, environ)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        data.pop("source", None)
    if "ARGENTIER_HOME" in environ and "home" not in data:
        data["home"] = environ["ARGENTIER_HOME"]
    data = _merge(data, _env_overrides(environ))
    if path is not None:
        data["source"] = str(path)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        origin = path or "environment"
        raise ConfigError(f"{origin}: invalid setting '{where}': {first['msg']}") from exc
