"""Document storage on any S3-compatible service (AWS S3, MinIO, Ceph), on boto3.

Every key lives under one ``s3://bucket/prefix``: a key is checked by
:func:`~wardflow.tools.storage.check_key` and becomes the object ``prefix/key``, so
nothing outside the prefix can be named. A put is one ``PutObject``, which S3 makes
visible whole or not at all; a move is a copy then a delete, and a move repeated after
a crash between the two finds the copy and finishes. Needs the ``s3`` extra
(``pip install 'wardflow[s3]'``); boto3 is imported when a storage is opened.
"""

from __future__ import annotations

import builtins
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from wardflow.errors import ConfigError, StorageError
from wardflow.tools.storage import StoredObject, check_key

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = ["ObjectVersion", "S3Storage", "parse_s3_url"]

_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
_RETRYABLE = frozenset({"500", "502", "503", "504", "InternalError", "RequestTimeout",
                        "ServiceUnavailable", "SlowDown", "Throttling", "RequestTimeTooSkewed"})
_CHANGED = frozenset({"412", "PreconditionFailed", "NoSuchVersion", "InvalidArgument"})

Sse = Literal["none", "AES256", "aws:kms"]


@dataclass(frozen=True, slots=True)
class ObjectVersion:
    """The current version of one object: its storage key, version id and ETag.

    Attributes:
        key: the storage key (relative to the prefix).
        version_id: the version id, or ``None`` where the bucket is not versioned.
        etag: the ETag, without quotes.
    """

    key: str
    version_id: str | None
    etag: str


def parse_s3_url(url: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``s3://bucket/prefix`` (the prefix may be empty).

    Raises:
        ConfigError: not an ``s3://`` URL, no bucket, or a prefix that is not a key.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"WARDFLOW_STORAGE_URL {url!r} must look like s3://bucket/prefix")
    prefix = parts.path.strip("/")
    if prefix:
        try:
            prefix = check_key(prefix)
        except StorageError as err:
            raise ConfigError(f"WARDFLOW_STORAGE_URL {url!r}: bad prefix ({err})") from err
    return parts.netloc, prefix


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


class S3Storage:
    """Objects under ``s3://bucket/prefix``; fills the :class:`~wardflow.tools.storage.Storage`
    protocol.

    Args:
        bucket: the bucket (it must exist).
        prefix: the folder every key lives under (``""``: the whole bucket).
        client: a boto3 S3 client to use; default: one built from the other arguments.
        endpoint_url: an S3-compatible service (MinIO, Ceph); ``None``: AWS.
        region: the region; ``None``: boto's default.
        access_key_id: the access key; ``None`` (with ``secret_access_key``): boto's
            default credential chain.
        secret_access_key: its secret.
        sse: server-side encryption of every object written: ``AES256`` or ``aws:kms``.
        kms_key_id: the KMS key of ``aws:kms`` (``None``: the account's default key).
        timeout_s: connect and read timeout of one request.
    """

    def __init__(self, bucket: str, prefix: str = "", *, client: Any = None,
                 endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 sse: Sse = "none", kms_key_id: str | None = None,
                 timeout_s: float = 30.0) -> None:
        if not bucket:
            raise ConfigError("S3Storage needs a bucket")
        if kms_key_id and sse != "aws:kms":
            raise ConfigError("a KMS key id needs WARDFLOW_STORAGE_SSE=aws:kms")
        self.bucket = bucket
        self.prefix = check_key(prefix) if prefix else ""
        self._sse: dict[str, str] = {}
        if sse != "none":
            self._sse["ServerSideEncryption"] = sse
        if kms_key_id:
            self._sse["SSEKMSKeyId"] = kms_key_id
        self._client = client if client is not None else _client(
            endpoint_url, region, access_key_id, secret_access_key, timeout_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        """The storage at ``settings.storage_url``, with the settings' endpoint,
        region, credentials and encryption."""
        if not settings.storage_url:
            raise ConfigError("WARDFLOW_STORAGE_URL is not set")
        bucket, prefix = parse_s3_url(settings.storage_url)
        key_id = _secret(settings.storage_access_key_id)
        secret = _secret(settings.storage_secret_access_key)
        if (key_id is None) != (secret is None):
            raise ConfigError("set both WARDFLOW_STORAGE_ACCESS_KEY_ID and"
                              " WARDFLOW_STORAGE_SECRET_ACCESS_KEY, or neither (boto's"
                              " default credential chain)")
        return cls(bucket, prefix, endpoint_url=settings.storage_endpoint_url,
                   region=settings.storage_region, access_key_id=key_id,
                   secret_access_key=secret, sse=settings.storage_sse,
                   kms_key_id=settings.storage_kms_key_id, timeout_s=settings.storage_timeout_s)

    # Names -----------------------------------------------------------------------------
    def object_name(self, key: str) -> str:
        """The object name of a storage key (checked: it cannot leave the prefix)."""
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def storage_key(self, bucket: str, name: str) -> str | None:
        """The storage key of object ``name`` in ``bucket``, or ``None`` when it is not
        under this storage's bucket and prefix (or is no valid key)."""
        if bucket != self.bucket:
            return None
        if self.prefix:
            if not name.startswith(self.prefix + "/"):
                return None
            name = name[len(self.prefix) + 1:]
        try:
            return check_key(name)
        except StorageError:
            return None

    @property
    def location(self) -> str:
        """``s3://bucket/prefix``."""
        return self._where()

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.object_name(key)}"

    # The Storage protocol ----------------------------------------------------------------
    def put(self, key: str, data: bytes) -> StoredObject:
        name = self.object_name(key)
        self._call("write", key, self._client.put_object, Bucket=self.bucket, Key=name,
                   Body=data, **self._sse)
        return StoredObject(key=check_key(key), size=len(data), uri=self.uri(key))

    def get(self, key: str) -> bytes:
        name = self.object_name(key)
        response = self._call("read", key, self._client.get_object, Bucket=self.bucket,
                              Key=name)
        return self._body(key, response)

    def move(self, src: str, dst: str) -> StoredObject:
        source, target = self.object_name(src), self.object_name(dst)
        if source == target:  # S3 refuses to copy an object onto itself unchanged
            head = self._head(src)
            if head is None:
                raise StorageError("storage", f"no object {src!r} in {self._where()}")
            return StoredObject(key=check_key(dst), size=int(head.get("ContentLength", 0)),
                                uri=self.uri(dst))
        if not self.exists(src):
            head = self._head(dst)
            if head is None:
                raise StorageError("storage", f"no object {src!r} in {self._where()}")
            # Already moved (or the delete after the copy was cut short): done.
            return StoredObject(key=check_key(dst), size=int(head.get("ContentLength", 0)),
                                uri=self.uri(dst))
        self._call("move", src, self._client.copy_object, Bucket=self.bucket, Key=target,
                   CopySource={"Bucket": self.bucket, "Key": source}, **self._sse)
        self._call("move", src, self._client.delete_object, Bucket=self.bucket, Key=source)
        head = self._head(dst)
        return StoredObject(key=check_key(dst), size=int((head or {}).get("ContentLength", 0)),
                            uri=self.uri(dst))

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def list(self, prefix: str = "") -> list[str]:
        base = self.object_name(prefix) if prefix else self.prefix
        keys = []
        for item in self._objects(base):
            name = str(item["Key"])
            if prefix and name != base and not name.startswith(base + "/"):
                continue  # "a" lists a and a/..., never ab/...
            key = self.storage_key(self.bucket, name)
            if key is not None:
                keys.append(key)
        return sorted(keys)

    def delete(self, key: str) -> bool:
        """Delete ``key``'s object; ``False`` when there was none (safe to repeat). In a
        versioned bucket this adds a delete marker; old versions follow the bucket's
        lifecycle rules."""
        if self._head(key) is None:
            return False
        self._call("delete", key, self._client.delete_object, Bucket=self.bucket,
                   Key=self.object_name(key))
        return True

    def purge(self, key: str) -> int:
        """Delete every version of ``key``'s object and its delete markers (what an
        erasure needs in a versioned bucket, where :meth:`delete` only hides the object);
        the number of versions and markers deleted. Needs ``s3:ListBucketVersions`` and
        ``s3:DeleteObjectVersion``; in an unversioned bucket it is :meth:`delete`."""
        name = self.object_name(key)
        paginator = self._client.get_paginator("list_object_versions")
        pages = self._call("list", key, lambda: list(paginator.paginate(Bucket=self.bucket,
                                                                      Prefix=name)))
        versions = [{"Key": name, "VersionId": str(item["VersionId"])}
                    for page in pages
                    for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                    if item.get("Key") == name and item.get("VersionId") not in (None, "")]
        for start in range(0, len(versions), 1000):  # DeleteObjects takes 1,000 at most
            batch = versions[start:start + 1000]
            answer = self._call("delete", key, self._client.delete_objects, Bucket=self.bucket,
                                Delete={"Objects": batch, "Quiet": True})
            if answer.get("Errors"):
                first = answer["Errors"][0]
                raise StorageError("storage", f"deleting versions of {key!r} failed:"
                                   f" {first.get('Code')} {first.get('Message', '')}".strip())
        return len(versions)

    # For the S3 event sources ----------------------------------------------------------
    def latest_versions(self, prefix: str = "") -> builtins.list[ObjectVersion]:
        """The current version of each object under ``prefix`` (deleted ones left out),
        by key. Needs ``s3:ListBucketVersions``; an unversioned bucket answers
        ``version_id`` ``None``."""
        base = self.object_name(prefix) if prefix else self.prefix
        start = f"{base}/" if base else ""
        found: builtins.list[ObjectVersion] = []
        paginator = self._client.get_paginator("list_object_versions")
        pages = self._call("list", prefix or "/", lambda: list(paginator.paginate(
            Bucket=self.bucket, Prefix=start)))
        for page in pages:
            for item in page.get("Versions", []):
                key = self.storage_key(self.bucket, str(item["Key"]))
                if key is None or not item.get("IsLatest", True):
                    continue
                version = item.get("VersionId")
                found.append(ObjectVersion(key, None if version in (None, "", "null")
                                           else str(version), str(item["ETag"]).strip('"')))
        return sorted(found, key=lambda v: v.key)

    def get_version(self, key: str, *, version_id: str | None = None,
                    etag: str | None = None, max_bytes: int | None = None) -> bytes | int | None:
        """One version of an object (by version id, else the current one if its ETag
        is ``etag``); ``None`` when it is gone or was overwritten since; its size (an
        ``int``, nothing read) when it is larger than ``max_bytes``."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.object_name(key)}
        if version_id:
            args["VersionId"] = version_id
        elif etag:
            args["IfMatch"] = f'"{etag}"'
        try:
            response = self._call("read", key, self._client.get_object, **args)
        except StorageError as err:
            if _code(err.__cause__) in _MISSING | _CHANGED or "no object" in str(err):
                return None
            raise
        size = int(response.get("ContentLength") or 0)
        if max_bytes is not None and size > max_bytes:
            response["Body"].close()
            return size
        return self._body(key, response)

    def close(self) -> None:
        """Nothing to release: the client is shared by the process's storages."""

    # Internals -------------------------------------------------------------------------
    def _where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def _objects(self, base: str) -> builtins.list[dict[str, Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        pages = self._call("list", base or "/", lambda: list(paginator.paginate(
            Bucket=self.bucket, Prefix=base)))
        return [item for page in pages for item in page.get("Contents", [])]

    def _head(self, key: str) -> dict[str, Any] | None:
        name = self.object_name(key)
        try:
            head: dict[str, Any] = self._call("read", key, self._client.head_object,
                                              Bucket=self.bucket, Key=name)
        except StorageError as err:
            if _code(err.__cause__) in _MISSING:
                return None
            raise
        return head

    def _body(self, key: str, response: dict[str, Any]) -> bytes:
        from botocore.exceptions import BotoCoreError

        try:
            return bytes(response["Body"].read())
        except (BotoCoreError, OSError) as err:
            raise StorageError("storage", f"cannot read {key!r} from {self._where()}:"
                               f" {type(err).__name__}", retryable=True) from err

    def _call(self, op: str, key: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        """``method(...)``, its boto errors as :class:`StorageError` (never with
        credentials: a botocore message names the operation and the service's code)."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return method(*args, **kwargs)
        except ClientError as err:
            code = _code(err)
            detail = err.response.get("Error", {}).get("Message") or code
            if code in _MISSING:
                raise StorageError("storage", f"no object {key!r} in {self._where()}") from err
            if code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
                raise StorageError("storage", f"cannot {op} {key!r} in {self._where()}:"
                                   f" {code}: check the storage credentials and the"
                                   " bucket policy") from err
            if code == "NoSuchBucket":
                raise StorageError("storage", f"cannot {op} {key!r}: bucket {self.bucket!r}"
                                   " does not exist (check WARDFLOW_STORAGE_URL)") from err
            raise StorageError("storage", f"cannot {op} {key!r} in {self._where()}: {code}:"
                               f" {detail}", retryable=code in _RETRYABLE) from err
        except NoCredentialsError as err:
            raise StorageError("storage", f"cannot {op} {key!r}: no S3 credentials (set"
                               " WARDFLOW_STORAGE_ACCESS_KEY_ID and"
                               " WARDFLOW_STORAGE_SECRET_ACCESS_KEY, or configure boto's"
                               " default chain)") from err
        except BotoCoreError as err:
            raise StorageError("storage", f"cannot {op} {key!r} in {self._where()}:"
                               f" {type(err).__name__}", retryable=True) from err


def _code(err: BaseException | None) -> str:
    response = getattr(err, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


_CLIENTS: dict[tuple[Any, ...], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def _client(endpoint_url: str | None, region: str | None, access_key_id: str | None,
            secret_access_key: str | None, timeout_s: float) -> Any:
    """One client per configuration and process: a boto3 client is thread-safe, and
    building one (its service model, its connection pool) costs far more than a
    request, while every web request opens its own workspace."""
    key = (endpoint_url, region, access_key_id, secret_access_key, timeout_s)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            client = _CLIENTS[key] = _new_client(*key)
        return client


def _new_client(endpoint_url: str | None, region: str | None, access_key_id: str | None,
                secret_access_key: str | None, timeout_s: float) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError as err:
        raise ConfigError("S3 storage needs boto3: pip install 'wardflow[s3]'") from err
    # Path-style addressing for S3-compatible services (MinIO, Ceph): their buckets are
    # rarely set up as DNS names.
    config = Config(connect_timeout=timeout_s, read_timeout=timeout_s,
                    retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path" if endpoint_url else "auto"})
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint_url, region_name=region,
                          aws_access_key_id=access_key_id,
                          aws_secret_access_key=secret_access_key, config=config)
