"""One exception tree for all of Argentier.

Low-level errors (a parser's, a driver's, an HTTP client's) are translated into these at the boundary,
so callers catch ``ArgentierError`` and get a one-line message that names the problem.
"""

from __future__ import annotations


class ArgentierError(Exception):
    """Root of every error Argentier raises on purpose."""


class ConfigError(ArgentierError, ValueError):
    """The configuration file or an environment variable is invalid."""


class InputError(ArgentierError, ValueError):
    """User data is unusable: a corrupt, encrypted, empty or unknown file, a wrong column, a bad value."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class NotFoundError(ArgentierError, LookupError):
    """A document, collection or other stored object does not exist."""


class AccessDeniedError(ArgentierError, PermissionError):
    """The caller's groups do not allow access to the object."""


class StoreError(ArgentierError):
    """The database could not be opened, migrated or written."""


class EmbeddingError(ArgentierError):
    """The embedding model could not be loaded or an embedding endpoint failed."""


class NotFittedError(ArgentierError, AttributeError):
    """An estimator was used before ``fit``."""


class InfeasibleError(ArgentierError):
    """A solver found no solution that satisfies the constraints."""


class ProviderError(ArgentierError):
    """An LLM endpoint failed or returned output that could not be used."""


class ProviderUnavailable(ProviderError):
    """No LLM is configured (provider "none"): the caller should take its deterministic path."""


class TransientProviderError(ProviderError):
    """An LLM endpoint failed in a way worth retrying: a timeout, a lost connection, 429, 5xx or throttling."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)
