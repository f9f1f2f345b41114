"""A throwaway PostgreSQL server for the tests: Debian's binaries, a data directory in a
temporary folder, listening on 127.0.0.1 (a free port) and a socket in that folder.

initdb refuses to run as root, so as root the server runs as the ``postgres`` user
(created by Debian's package) or ``nobody``.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

INSTALL_HINT = (
    "PostgreSQL server binaries not found (looked for /usr/lib/postgresql/*/bin/initdb)."
    " The Postgres tests need a real server: install Debian's package with"
    " `apt-get install -y postgresql` (the README's second command does), or set"
    " WARDFLOW_PG_BIN to a folder holding initdb, pg_ctl and postgres."
)


def find_bin() -> Path:
    """The folder of initdb/pg_ctl: WARDFLOW_PG_BIN, else the newest Debian install."""
    if os.environ.get("WARDFLOW_PG_BIN"):
        return Path(os.environ["WARDFLOW_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if not found:
        raise RuntimeError(INSTALL_HINT)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """One server; :meth:`create_database` gives each test its own database."""

    def __init__(self) -> None:
        self.bin = find_bin()
        self.root = Path(tempfile.mkdtemp(prefix="wardflow-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.password = secrets.token_hex(8)
        self.user = "wardflow"
        self._run_as: str | None = None
        if os.geteuid() == 0:
            self._run_as = next((name for name in ("postgres", "nobody") if _exists(name)),
                                None)
            if self._run_as is None:
                raise RuntimeError("running as root and no `postgres` or `nobody` user to run"
                                   " PostgreSQL as (initdb refuses root)")
            entry = pwd.getpwnam(self._run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.log = self.root / "server.log"

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{name}"

    def _cmd(self, *args: str) -> list[str]:
        if self._run_as is None:
            return list(args)
        return ["runuser", "-u", self._run_as, "--", *args]

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(self._cmd(*args), capture_output=True, text=True,
                                timeout=timeout, cwd=self.root)
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({result.returncode}):"
                               f" {result.stdout}{result.stderr}\n{log[-2000:]}")

    def start(self) -> PostgresServer:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password)
        if self._run_as is not None:
            entry = pwd.getpwnam(self._run_as)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user,
                  f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C")
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
                   " -c fsync=off -c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-l", str(self.log),
                  "-o", options, "-w", "-t", "60", *extra)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is cut, as in a failover."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w")

    def start_again(self) -> None:
        self._pg_ctl("start")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def close(self) -> None:
        try:
            self.stop()
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def wait_until(predicate: object, timeout: float = 30.0, every: float = 0.05) -> bool:
    """Poll ``predicate()`` until true or ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(every)
    return False


def _has_c_utf8() -> bool:
    return Path("/usr/lib/locale/C.utf8").exists() or Path("/usr/lib/locale/C.UTF-8").exists()
