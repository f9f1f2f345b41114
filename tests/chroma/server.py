"""A throwaway Chroma server for the tests: the installed chromadb package's own
``chroma run``, persisting in a temporary folder, listening on 127.0.0.1 (a free port),
with telemetry off. Ready when its heartbeat answers.

The server is started through the Rust bindings that the ``chroma`` script calls, not
the script itself: the script first imports all of chromadb (seconds) for nothing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

# What the ``chroma`` console script does for ``chroma run ...``.
_RUN = ("import sys, chromadb_rust_bindings as rust;"
        " rust.cli(['chroma', 'run', *sys.argv[1:]])")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """One ``chroma run`` process; :meth:`stop` and :meth:`start` restart it on the
    same port and folder (the records survive)."""

    def __init__(self, *, startup_s: float = 60.0) -> None:
        import importlib.util

        if importlib.util.find_spec("chromadb_rust_bindings") is None:
            raise RuntimeError("the chromadb package is not installed in this environment"
                               " (pip install chromadb)")
        self.root = Path(tempfile.mkdtemp(prefix="wardflow-chroma-"))
        self.port = _free_port()
        self.startup_s = startup_s
        self.log = self.root / "server.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # Telemetry off for the Python side of the CLI; the Rust server sends none
        # unless an OpenTelemetry endpoint is configured (none is).
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _RUN, "--path", str(self.root / "data"), "--host",
                 "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + self.startup_s
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chroma run exited ({self._proc.returncode}):"
                                   f" {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"chroma server not ready after {self.startup_s}s")
            time.sleep(0.2)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)

    def __enter__(self) -> ChromaServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
