"""Tokens, password hashes and the credential table, without a server."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from wardflow.errors import ReviewError
from wardflow.review.principals import PrincipalStore
from wardflow.web.auth import (
    AuthError,
    CredentialStore,
    authenticate,
    hash_password,
    sign_token,
    verify_password,
    verify_token,
)

KEY = b"k" * 32


def test_a_token_names_its_principal_until_it_expires() -> None:
    token = sign_token(KEY, "dan", 2_000)
    assert verify_token(KEY, token, now=1_999).principal == "dan"
    with pytest.raises(AuthError, match="expired"):
        verify_token(KEY, token, now=2_000)
    with pytest.raises(AuthError, match="invalid token signature"):
        verify_token(b"x" * 32, token, now=1_000)


@pytest.mark.parametrize("change", ["principal", "expiry", "version", "garbage"])
def test_a_changed_token_is_refused(change: str) -> None:
    version, name, expiry, signature = sign_token(KEY, "eve", 5_000).split(".")
    forged = {
        "principal": f"{version}.{sign_token(KEY, 'dan', 5_000).split('.')[1]}.{expiry}.{signature}",
        "expiry": f"{version}.{name}.9999999999.{signature}",
        "version": f"v2.{name}.{expiry}.{signature}",
        "garbage": "v1.%%%.5000.abc",
    }[change]
    with pytest.raises(AuthError):
        verify_token(KEY, forged, now=1_000)


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("a long password"), hash_password("a long password")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert "a long password" not in first
    assert verify_password("a long password", first)
    assert not verify_password("a long passworD", first)
    assert not verify_password("a long password", "md5$abc")


def test_credentials_live_beside_the_principals(tmp_path: Path) -> None:
    path = tmp_path / "review.sqlite"
    principals = PrincipalStore(path)
    principals.add("dan", "controller")
    principals.add("olaf", "controller")
    principals.deactivate("olaf")
    credentials = CredentialStore(path)
    with pytest.raises(ReviewError, match="at least 12 characters"):
        credentials.set_password(principals, "dan", "short")
    for name in ("mallory", "olaf"):
        with pytest.raises(ReviewError, match="not an active principal"):
            credentials.set_password(principals, name, "long enough password")
    credentials.set_password(principals, "dan", "long enough password")
    assert authenticate(principals, credentials, "dan", "long enough password").role == "controller"
    for name, password in (("dan", "wrong password!!"), ("mallory", "long enough password")):
        with pytest.raises(AuthError, match="^unknown principal or wrong password$"):
            authenticate(principals, credentials, name, password)
    # At rest: only the hash, in its own table of the same SQLite file.
    [(name, stored)] = sqlite3.connect(path).execute(
        "SELECT name, password_hash FROM web_credentials").fetchall()
    assert name == "dan" and verify_password("long enough password", stored)
    assert all(b"long enough password" not in f.read_bytes() for f in tmp_path.iterdir())
    assert credentials.remove("dan") and not credentials.remove("dan")
    with pytest.raises(AuthError):
        authenticate(principals, credentials, "dan", "long enough password")


def test_setting_passwords_does_not_need_the_web_extra() -> None:
    code = ("import sys, wardflow.web.auth, wardflow.web; "
            "print(','.join(m for m in ('fastapi', 'starlette', 'uvicorn') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == ""


def test_the_web_room_exports_what_it_lists() -> None:
    import wardflow.web

    for name in wardflow.web.__all__:
        assert callable(getattr(wardflow.web, name)), name
    with pytest.raises(AttributeError):
        _ = wardflow.web.nothing_here  # type: ignore[attr-defined]
