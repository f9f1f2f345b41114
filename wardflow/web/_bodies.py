"""Reading request bodies of the runs API under a size limit: JSON, and multipart forms
split exactly (the document's bytes come through unchanged: their hash is the run id)."""

from __future__ import annotations

import email.policy
import json
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Any

from fastapi import HTTPException, Request

__all__ = ["MAX_JSON_BYTES", "Form", "read_form", "read_json", "too_large"]

MAX_JSON_BYTES = 64 * 1024


class _TooLarge(Exception):
    pass


def too_large(limit: int) -> HTTPException:
    """The 413 answer to a body bigger than ``limit`` bytes."""
    return HTTPException(413, f"request body too large: the limit is {limit} bytes")


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The body, refused as soon as it is bigger than ``limit`` (declared or sent)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        yield chunk


async def read_json(request: Request, limit: int = MAX_JSON_BYTES) -> Any:
    try:
        body = b"".join([chunk async for chunk in _limited(request, limit)])
    except _TooLarge:
        raise too_large(limit) from None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise HTTPException(400, f"the body is not valid JSON: {err}") from err


@dataclass(frozen=True, slots=True)
class Form:
    """A parsed multipart form: text fields and files (name -> (file name, bytes))."""

    fields: dict[str, str]
    files: dict[str, tuple[str, bytes]]


async def read_form(request: Request, limit: int) -> Form:
    """Read and split a multipart/form-data body of at most ``limit`` bytes.

    A small exact splitter rather than a MIME parser: the document's bytes must come
    through unchanged (its hash is the run id), and the ``python-multipart`` package
    is then not needed.
    """
    header = _headers(b"Content-Type: " + request.headers.get("content-type", "").encode(
        "latin-1", errors="replace"))
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise HTTPException(400, "malformed multipart form: no boundary in Content-Type")
    try:
        body = b"".join([chunk async for chunk in _limited(request, limit)])
    except _TooLarge:
        raise too_large(limit) from None
    form = Form({}, {})
    for head, data in _split_parts(body, b"--" + boundary.encode("latin-1")):
        part = _headers(head)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in form.fields or name in form.files:
            raise HTTPException(400, "malformed multipart form: each part needs its own name")
        filename = part.get_filename()
        if filename is not None:
            form.files[name] = (filename, data)
        else:
            form.fields[name] = data.decode("utf-8", errors="replace")
    return form


def _headers(block: bytes) -> Message:
    return BytesHeaderParser(policy=email.policy.HTTP).parsebytes(block + b"\r\n\r\n")


def _split_parts(body: bytes, delimiter: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(headers, content) of each part between the delimiters (RFC 7578, RFC 2046)."""
    start = body.find(delimiter)
    if start < 0:
        raise HTTPException(400, "malformed multipart form: no part")
    rest = body[start + len(delimiter):]
    while not rest.startswith(b"--"):
        end = rest.find(b"\r\n" + delimiter)
        head, separator, data = rest[2:max(end, 2)].partition(b"\r\n\r\n")
        if not rest.startswith(b"\r\n") or end < 0 or not separator:
            raise HTTPException(400, "malformed multipart form: a part is cut short")
        yield head, data
        rest = rest[end + 2 + len(delimiter):]

