"""S3Storage against a real S3-protocol server (moto's, on 127.0.0.1): the storage
conformance suite, encryption headers, containment, errors, and one invoice run whose
documents live only in S3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INBOX
from tests.s3.server import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from wardflow.config import Settings
from wardflow.errors import ConfigError, StorageError
from wardflow.services import build_services
from wardflow.testing import StorageConformance
from wardflow.tools.s3storage import S3Storage, parse_s3_url

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"


def _storage(server: S3Server, bucket: str, prefix: str = "docs", **kw: Any) -> S3Storage:
    return S3Storage(bucket, prefix, endpoint_url=server.url, region=REGION,
                     access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY, **kw)


class TestS3Storage(StorageConformance):
    @pytest.fixture
    def storage(self, s3_server: S3Server) -> S3Storage:
        return _storage(s3_server, s3_server.bucket())


def test_keys_live_under_the_prefix_and_nothing_outside_is_seen(s3_server: S3Server) -> None:
    bucket = s3_server.bucket()
    client = s3_server.client()
    client.put_object(Bucket=bucket, Key="other/secret.pdf", Body=b"not ours")
    client.put_object(Bucket=bucket, Key="docsx/near.pdf", Body=b"not ours either")
    storage = _storage(s3_server, bucket, "docs")
    stored = storage.put("inbox/a.pdf", b"a")
    assert stored.uri == f"s3://{bucket}/docs/inbox/a.pdf"
    assert client.get_object(Bucket=bucket, Key="docs/inbox/a.pdf")["Body"].read() == b"a"
    assert storage.list() == ["inbox/a.pdf"]
    assert not storage.exists("other/secret.pdf")
    for key in ("../other/secret.pdf", "inbox/../../other/secret.pdf", "/other/secret.pdf"):
        with pytest.raises(StorageError):
            storage.get(key)
        with pytest.raises(StorageError):
            storage.move("inbox/a.pdf", key)
    assert storage.storage_key(bucket, "other/secret.pdf") is None
    assert storage.storage_key("elsewhere", "docs/inbox/a.pdf") is None
    assert storage.storage_key(bucket, "docs/inbox/a.pdf") == "inbox/a.pdf"
    assert storage.storage_key(bucket, "docs/inbox/../../x") is None


def test_list_of_a_prefix_is_a_folder_not_a_string_prefix(s3_server: S3Server) -> None:
    storage = _storage(s3_server, s3_server.bucket())
    storage.put("a/1", b"1")
    storage.put("ab/2", b"2")
    storage.put("a", b"0")
    assert storage.list("a") == ["a", "a/1"]


@pytest.mark.parametrize(("sse", "kms_key"), [("AES256", None), ("aws:kms", "alias/wardflow")])
def test_server_side_encryption_is_requested_on_every_write(
        s3_server: S3Server, sse: Any, kms_key: str | None) -> None:
    bucket = s3_server.bucket()
    storage = _storage(s3_server, bucket, sse=sse, kms_key_id=kms_key)
    storage.put("incoming/x.pdf", b"x")
    storage.move("incoming/x.pdf", "archive/x.pdf")
    head = s3_server.client().head_object(Bucket=bucket, Key="docs/archive/x.pdf")
    assert head["ServerSideEncryption"] == sse
    if kms_key:
        assert kms_key in head["SSEKMSKeyId"]


def test_no_encryption_header_unless_asked(s3_server: S3Server) -> None:
    bucket = s3_server.bucket()
    _storage(s3_server, bucket).put("k", b"x")
    head = s3_server.client().head_object(Bucket=bucket, Key="docs/k")
    assert "SSEKMSKeyId" not in head
    assert head.get("ServerSideEncryption") in (None, "AES256")  # a bucket default may apply


def test_move_finishes_after_a_crash_between_copy_and_delete(s3_server: S3Server) -> None:
    bucket = s3_server.bucket()
    storage = _storage(s3_server, bucket)
    storage.put("incoming/x.pdf", b"x")
    # The copy landed, the delete did not: the retried move completes it.
    s3_server.client().copy_object(Bucket=bucket, Key="docs/archive/x.pdf",
                                   CopySource={"Bucket": bucket, "Key": "docs/incoming/x.pdf"})
    moved = storage.move("incoming/x.pdf", "archive/x.pdf")
    assert moved.size == 1 and storage.list() == ["archive/x.pdf"]


def test_move_onto_itself_keeps_the_object(s3_server: S3Server) -> None:
    storage = _storage(s3_server, s3_server.bucket())
    storage.put("a/x.pdf", b"x")
    assert storage.move("a/x.pdf", "a/x.pdf").size == 1
    assert storage.get("a/x.pdf") == b"x"


def test_delete_is_idempotent(s3_server: S3Server) -> None:
    storage = _storage(s3_server, s3_server.bucket())
    storage.put("a/b", b"1")
    assert storage.delete("a/b") is True
    assert storage.delete("a/b") is False
    assert not storage.exists("a/b")
    with pytest.raises(StorageError):
        storage.delete("../a/b")


def test_purge_deletes_every_version_of_a_key_in_a_versioned_bucket(s3_server: S3Server
                                                                   ) -> None:
    bucket = s3_server.bucket(versioned=True)
    storage = _storage(s3_server, bucket)
    storage.put("a/card.pdf", b"4111 1111 1111 1111")
    storage.put("a/card.pdf", b"second version")
    storage.put("a/card.pdf.keep", b"another key with the same beginning")
    assert storage.delete("a/card.pdf")  # a delete marker: both versions remain
    client = s3_server.client()

    def versions() -> list[str]:
        listed = client.list_object_versions(Bucket=bucket)
        return sorted(v["Key"] for v in [*listed.get("Versions", []),
                                         *listed.get("DeleteMarkers", [])])

    assert versions().count(storage.object_name("a/card.pdf")) == 3
    assert storage.purge("a/card.pdf") == 3
    assert versions() == [storage.object_name("a/card.pdf.keep")]
    assert storage.purge("a/card.pdf") == 0  # safe to repeat


def test_errors_are_storage_errors_without_credentials(s3_server: S3Server) -> None:
    missing = _storage(s3_server, "no-such-bucket-wardflow")
    with pytest.raises(StorageError, match="does not exist") as caught:
        missing.put("a", b"1")
    assert SECRET_KEY not in str(caught.value) and ACCESS_KEY not in str(caught.value)
    unreachable = S3Storage("b", endpoint_url="http://127.0.0.1:9", region=REGION,
                            access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                            timeout_s=1)
    with pytest.raises(StorageError) as down:
        unreachable.get("a")
    assert down.value.retryable and SECRET_KEY not in str(down.value)


def test_storage_url_is_validated() -> None:
    assert parse_s3_url("s3://bucket/a/b/") == ("bucket", "a/b")
    assert parse_s3_url("s3://bucket") == ("bucket", "")
    for bad in ("http://bucket/a", "s3:///a", "s3://bucket/a/../b", "s3://b/a?x=1"):
        with pytest.raises(ConfigError):
            parse_s3_url(bad)
    with pytest.raises(ConfigError, match="both"):
        S3Storage.from_settings(Settings(storage_url="s3://b/p", storage_access_key_id="k"))


def test_invoice_run_keeps_its_documents_in_s3(s3_server: S3Server, tmp_path: Path) -> None:
    """The opener picks S3 from the settings; the run's archive and failed areas are there."""
    from tests.conftest import EXAMPLES
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    bucket = s3_server.bucket()
    settings = Settings(home=tmp_path / "home", model="none", max_invoice_age_days=36500,
                        **s3_server.env(bucket, "wardflow"))
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with build_services(settings) as services:
        assert isinstance(services.storage, S3Storage)
        with Workspace(settings, services=services) as ws:
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            runs = {Path(r.document).name: r for r in ws.process([INBOX / CLEAN, bad])}
    assert runs[CLEAN].status == "posted", runs[CLEAN]
    assert runs["broken.pdf"].status == "failed"
    names = [o["Key"] for o in s3_server.client().list_objects_v2(Bucket=bucket)["Contents"]]
    doc = runs[CLEAN].thread_id
    assert f"wardflow/archive/posted/{doc}/{CLEAN}" in names
    assert f"wardflow/archive/posted/{doc}/summary.json" in names
    failed = runs["broken.pdf"].thread_id
    assert f"wardflow/failed/{failed}/reason.json" in names
    assert not [n for n in names if n.startswith("wardflow/incoming/")]
    assert not (settings.storage_root).exists()  # nothing went to local files
