"""Throwaway redis-server and nats-server processes for the stream event tests (Debian's
packages), each on a free port of 127.0.0.1, persisting nothing outside a temp folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

INSTALL_HINT = ("{name} not found: the stream event tests need a real server; install"
                " Debian's package with `apt-get install -y redis-server nats-server` (the"
                " README's second command does)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _binary(name: str, *folders: str) -> str:
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in folders if Path(f"{d}/{name}").exists()), None)
    if found is None:
        raise RuntimeError(INSTALL_HINT.format(name=name))
    return found


class _Server:
    def __init__(self, name: str, command: list[str], root: Path, port: int) -> None:
        self.name, self.root, self.port = name, root, port
        self.log = root / "server.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=root)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError(f"{name} did not listen on {port}: {self.log.read_text()[-2000:]}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> _Server:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class RedisServer(_Server):
    """``redis-server`` with no persistence (``--save ""``, no AOF)."""

    def __init__(self, *, password: str | None = None) -> None:
        root = Path(tempfile.mkdtemp(prefix="wardflow-redis-"))
        port = _free_port()
        command = [_binary("redis-server", "/usr/bin", "/usr/sbin"), "--port", str(port),
                   "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", str(root)]
        if password:
            command += ["--requirepass", password]
        super().__init__("redis-server", command, root, port)
        self.url = f"redis://{f':{password}@' if password else ''}127.0.0.1:{port}/0"


class NatsServer(_Server):
    """``nats-server`` with JetStream storing under a temp folder (``-js -sd``), or core
    NATS only (``jetstream=False``)."""

    def __init__(self, *, jetstream: bool = True) -> None:
        root = Path(tempfile.mkdtemp(prefix="wardflow-nats-"))
        port = _free_port()
        command = [_binary("nats-server", "/usr/sbin", "/usr/bin"), "-a", "127.0.0.1",
                   "-p", str(port)]
        if jetstream:
            command += ["-js", "-sd", str(root / "js")]
        super().__init__("nats-server", command, root, port)
        self.url = f"nats://127.0.0.1:{port}"
