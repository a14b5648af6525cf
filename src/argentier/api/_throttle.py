"""Slow down password guessing: after ``max_failures`` failed logins for one user name within ``window_s``,
further attempts for that name are refused (429) until the oldest failure leaves the window.

In-process memory, like the jobs: a restart forgets the failures, and each server process counts its own.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from argentier.errors import ArgentierError


class TooManyAttemptsError(ArgentierError):
    """Too many failed logins for this user name; wait before trying again."""


class LoginThrottle:
    """Counts failed logins per user name in a sliding window.

    >>> throttle = LoginThrottle(max_failures=2, window_s=60, clock=lambda: 0.0)
    >>> throttle.failed("alice"); throttle.failed("alice")
    >>> throttle.check("alice")
    Traceback (most recent call last):
    ...
    argentier.api._throttle.TooManyAttemptsError: too many failed logins for 'alice'; retry in 60 s
    >>> throttle.check("bob")  # other names are not affected
    """

    def __init__(
        self, max_failures: int = 5, window_s: float = 300.0, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def check(self, username: str) -> None:
        """Raise :class:`TooManyAttemptsError` if ``username`` may not try now."""
        key = username.strip().lower()
        with self._lock:
            now = self._clock()
            failures = self._recent(key, now)
            if len(failures) >= self.max_failures:
                wait = failures[0] + self.window_s - now
                raise TooManyAttemptsError(f"too many failed logins for {username!r}; retry in {wait:.0f} s")

    def failed(self, username: str) -> None:
        with self._lock:
            self._recent(username.strip().lower(), self._clock()).append(self._clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.strip().lower(), None)
