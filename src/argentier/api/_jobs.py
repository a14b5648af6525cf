"""Background jobs of the API: long work runs in a thread pool and reports progress the client polls.

Limits, on purpose for now: jobs live in this process's memory, so a restart forgets them (finished or not)
and several server processes do not see each other's jobs; a running job cannot be cancelled; at most
``[api] job_workers`` jobs run at once, the rest wait in order. Finished jobs are kept for ``keep`` entries.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from argentier.errors import ArgentierError, NotFoundError

Progress = Callable[[int, int | None, str], None]
JobWork = Callable[[Progress], dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """A snapshot of one job: ``status`` ``queued``, ``running``, ``succeeded`` or ``failed``."""

    id: str
    kind: str
    owner: str
    status: str = "queued"
    done: int = 0
    total: int | None = None
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


class JobRunner:
    """Runs ``work(progress)`` callables in a thread pool and keeps their latest snapshot by id.

    >>> runner = JobRunner(workers=1)
    >>> job = runner.submit("demo.sum", "alice", lambda progress: {"total": sum(range(4))})
    >>> runner.shutdown()  # waits for the job
    >>> runner.get(job.id).status, runner.get(job.id).result
    ('succeeded', {'total': 6})
    """

    def __init__(self, workers: int = 2, *, keep: int = 1000) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argentier-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def _set(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)

    def submit(self, kind: str, owner: str, work: JobWork) -> Job:
        """Queue ``work``; it gets a ``progress(done, total, message)`` callback and returns a JSON-ready dict."""
        job = Job(id=uuid.uuid4().hex, kind=kind, owner=owner)
        with self._lock:
            self._jobs[job.id] = job
            finished = [key for key, item in self._jobs.items() if item.finished_at is not None]
            for key in finished[: max(0, len(self._jobs) - self._keep)]:
                del self._jobs[key]
        self._pool.submit(self._run, job.id, work)
        return job

    def _run(self, job_id: str, work: JobWork) -> None:
        self._set(job_id, status="running", started_at=datetime.now(UTC))

        def progress(done: int, total: int | None, message: str) -> None:
            self._set(job_id, done=done, total=total, message=message[-200:])

        try:
            result = work(progress)
        except ArgentierError as exc:
            self._set(job_id, status="failed", error=str(exc), finished_at=datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - a job's failure is reported to its poller, not lost in a thread
            message = f"{type(exc).__name__}: {exc}"
            self._set(job_id, status="failed", error=message, finished_at=datetime.now(UTC))
        else:
            self._set(job_id, status="succeeded", result=result, finished_at=datetime.now(UTC))

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no job {job_id}")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
