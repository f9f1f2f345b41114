"""A real S3-protocol server on 127.0.0.1 for the tests: moto's standalone server in a
subprocess (``moto[server]``, in the test extra)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

ACCESS_KEY = "wardflow-test-key"
SECRET_KEY = "wardflow-test-secret-0123456789"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class S3Server:
    """``moto_server`` on a free port; :meth:`bucket` makes a fresh bucket."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._client: Any = None

    def __enter__(self) -> S3Server:
        exe = Path(sys.executable).with_name("moto_server")
        command = [str(exe)] if exe.exists() else [sys.executable, "-m", "moto.server"]
        self._process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start (pip install"
                                       " 'moto[server]>=5')") from None
                time.sleep(0.1)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def client(self) -> Any:
        """A boto3 client of the server (one for the session: building one is slow)."""
        import boto3

        if self._client is None:
            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                aws_secret_access_key=SECRET_KEY)
        return self._client

    def bucket(self, *, versioned: bool = False) -> str:
        """A new, empty bucket."""
        name = f"wardflow-{uuid.uuid4().hex[:12]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        if versioned:
            client.put_bucket_versioning(Bucket=name,
                                         VersioningConfiguration={"Status": "Enabled"})
        return name

    def env(self, bucket: str, prefix: str = "docs") -> dict[str, str]:
        """The ``WARDFLOW_STORAGE_*`` settings of a storage in ``bucket``."""
        return {"storage_url": f"s3://{bucket}/{prefix}", "storage_endpoint_url": self.url,
                "storage_region": REGION, "storage_access_key_id": ACCESS_KEY,
                "storage_secret_access_key": SECRET_KEY}
