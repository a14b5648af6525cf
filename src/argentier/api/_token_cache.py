"""A short-lived cache of checked API tokens, so a request does not read the store to know its caller.

A token checked once is trusted for ``ttl`` seconds ([api] token_cache_seconds, default 5). Revoking a token or
deactivating a user through this server clears the cache at once; a change made elsewhere (``argentier users
revoke`` in another process, another server on the same store) reaches this server within ``ttl`` seconds. With
``ttl`` 0 every request reads the store.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from argentier.api.auth import Principal

__all__ = ["TokenCache"]


class TokenCache:
    """Checked tokens (keyed by the token itself, held only in memory) and the caller each belongs to.

    >>> cache = TokenCache(ttl=5.0)
    >>> calls = []
    >>> check = lambda token: calls.append(token) or "ann"
    >>> cache.get("arg_x", check), cache.get("arg_x", check), len(calls)
    ('ann', 'ann', 1)
    >>> cache.clear(); cache.get("arg_x", check), len(calls)
    ('ann', 2)
    """

    def __init__(self, ttl: float, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, check: Callable[[str], Principal]) -> Principal:
        """The caller of ``token``: from the cache while fresh, else from ``check`` (which raises if invalid)."""
        if self.ttl <= 0:
            return check(token)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None and entry[0] > now:
                return entry[1]
        principal = check(token)  # raises for an unknown, expired or revoked token: nothing is cached then
        with self._lock:
            self._entries[token] = (now + self.ttl, principal)
            self._entries.move_to_end(token)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return principal

    def clear(self) -> None:
        """Forget every checked token (after a revocation or a change of users)."""
        with self._lock:
            self._entries.clear()
