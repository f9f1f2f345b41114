"""A fake cloud ERP on 127.0.0.1 that speaks :mod:`wardflow.tools.erp_http`'s protocol.

It is backed by a real :class:`~wardflow.tools.erp.SqliteErp` (so postings are unique by
idempotency key, as in a real system of record), and has fault knobs for the tests::

    with FakeErpServer(SqliteErp(tmp_path / "erp.sqlite")) as server:
        server.fail_next(2, status=503)    # the next 2 requests answer 503
        server.slow_next(1, seconds=2.0)   # the next request waits 2 s first (timeout)
        server.drop_next_posts(1)          # the next post is committed, then the
                                           # connection is closed with no answer
        HttpErp(server.url).post_invoice(args)

Standard library only (``http.server``), one thread per request.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import ValidationError

from wardflow.errors import ErpError
from wardflow.tools.erp import PostInvoice, SqliteErp

__all__ = ["FakeErpServer"]


class FakeErpServer:
    """The ERP protocol over a :class:`SqliteErp`, with faults on demand.

    Args:
        erp: the system of record behind the API.
        token: if set, requests must carry ``Authorization: Bearer <token>`` (else 401).
    """

    def __init__(self, erp: SqliteErp, *, token: str | None = None) -> None:
        self.erp = erp
        self.token = token
        self.requests: list[tuple[str, str]] = []
        # fault -> (requests left, the method it applies to or None for any)
        self._faults: dict[str, tuple[int, str | None]] = {
            "fail": (0, None), "slow": (0, None), "drop": (0, None)}
        self._fail_status = 503
        self._slow_s = 0.0
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # Fault knobs -------------------------------------------------------------------
    def fail_next(self, count: int, *, status: int = 503, method: str | None = None) -> None:
        """Answer the next ``count`` requests (of ``method``, or any) with ``status``."""
        with self._lock:
            self._faults["fail"], self._fail_status = (count, method), status

    def slow_next(self, count: int, *, seconds: float, method: str | None = None) -> None:
        """Wait ``seconds`` before handling each of the next ``count`` requests."""
        with self._lock:
            self._faults["slow"], self._slow_s = (count, method), seconds

    def drop_next_posts(self, count: int) -> None:
        """Commit each of the next ``count`` posts, then close the connection unanswered."""
        with self._lock:
            self._faults["drop"] = (count, "POST")

    def _take(self, fault: str, method: str) -> bool:
        with self._lock:
            left, only = self._faults[fault]
            if left <= 0 or only not in (None, method):
                return False
            self._faults[fault] = (left - 1, only)
            return True

    # Life cycle --------------------------------------------------------------------
    def start(self) -> FakeErpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="fake-erp")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeErpServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # Protocol ----------------------------------------------------------------------
    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, Any] | None:
        """Handle one request; None means: drop the connection without an answer."""
        self.requests.append((method, target))
        if self._take("slow", method):
            time.sleep(self._slow_s)
        if self._take("fail", method):
            return self._fail_status, {"error": "injected fault"}
        if self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "missing or wrong bearer token"}
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = [unquote(p) for p in url.path.strip("/").split("/") if p]
        if method == "GET" and parts == ["vendors"]:
            return 200, {"vendors": self._vendors(query)}
        if method == "GET" and len(parts) == 2 and parts[0] == "purchase-orders":
            po = self.erp.purchase_order(parts[1])
            if po is None:
                return 404, {"error": f"no purchase order {parts[1]!r}"}
            return 200, {**asdict(po), "amount": str(po.amount)}
        if method == "GET" and parts == ["postings"]:
            return 200, {"postings": self._postings(query)}
        if method == "POST" and parts == ["postings"]:
            return self._post(headers.get("idempotency-key"), body)
        return 404, {"error": f"no route {method} {url.path}"}

    def _vendors(self, query: dict[str, str]) -> list[dict[str, Any]]:
        if not query:
            return [asdict(v) for v in self.erp.vendors()]
        found = self.erp.find_vendor(name=query.get("name"), tax_id=query.get("tax_id"),
                                     iban=query.get("iban"))
        return [asdict(found)] if found else []

    def _postings(self, query: dict[str, str]) -> list[dict[str, Any]]:
        if "key" in query:
            found = [p for p in self.erp.postings() if p.idempotency_key == query["key"]]
        elif set(query) - {"vendor_id"}:
            found = self.erp.find_posting(vendor_id=query.get("vendor_id"),
                                          invoice_number=query.get("invoice_number"),
                                          document_sha256=query.get("document_sha256"))
        else:
            found = self.erp.postings(vendor_id=query.get("vendor_id"))
        return [_public(p.to_dict()) for p in found]

    def _post(self, key: str | None, body: bytes) -> tuple[int, Any] | None:
        try:
            args = PostInvoice.model_validate_json(body)
        except ValidationError as err:
            return 422, {"error": f"invalid posting: {err.errors()[0]['msg']}"}
        if key != args.idempotency_key:
            return 400, {"error": "the Idempotency-Key header must equal the body's"
                                  " idempotency_key"}
        try:
            posting = self.erp.post_invoice(args)
        except ErpError as err:
            return 503, {"error": str(err)}
        if self._take("drop", "POST"):
            return None
        return (201 if posting.created else 409), _public(posting.to_dict())


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout) closes its end first: not the server's error.
        return


def _public(posting: dict[str, Any]) -> dict[str, Any]:
    posting.pop("created", None)
    return posting


def _handler(server: FakeErpServer) -> Callable[..., BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            result = server.answer(method, self.path, headers, body)
            if result is None:
                self.close_connection = True
                return
            status, payload = result
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return  # quiet: the tests read ``requests`` instead

    return Handler
