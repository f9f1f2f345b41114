"""Encryption at rest: AES-256-GCM with a key id on every blob.

Checkpoints and the token vault's values are encrypted with the primary key
(``WARDFLOW_ENCRYPTION_KEY``, base64 of 32 random bytes: ``wardflow keys generate``).
Every blob names the key that sealed it (an 8-hex-digit id derived from the key), so
old keys (``WARDFLOW_ENCRYPTION_KEYS_OLD``) can still be read while
``wardflow keys rotate`` re-encrypts their data under the primary key, and a missing
or wrong key is named instead of read as garbage: AES-GCM authenticates every blob.

Checkpoints go through LangGraph's own
:class:`~langgraph.checkpoint.serde.encrypted.EncryptedSerializer` with
:class:`AesGcmCipher` as its cipher, minus its fallback: LangGraph reads a blob that
names no cipher as clear data, so anyone who can write the data home could swap a
run's state without the key; with a key, wardflow refuses such a blob
(:class:`~wardflow.errors.UnencryptedData`) and only ``wardflow keys encrypt`` (or
``rotate``) seals data from before the key. Without a key, :func:`checkpoint_serde`
gives a plain serializer that refuses encrypted blobs with a clear error. ``cryptography`` and
LangGraph are imported only when a key is used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wardflow.errors import ConfigError, UnencryptedData

if TYPE_CHECKING:
    from langgraph.checkpoint.serde.base import SerializerProtocol

    from wardflow.config import Settings

__all__ = [
    "CIPHER_PREFIX",
    "TEXT_PREFIX",
    "AesGcmCipher",
    "Keyring",
    "checkpoint_serde",
    "generate_key",
    "is_encrypted_text",
    "key_id",
    "missing_key_error",
    "parse_key",
    "split_blob_type",
    "text_key_id",
]

KEY_BYTES = 32
NONCE_BYTES = 12
# A checkpoint blob's type becomes ``msgpack+aesgcm-<key id>``; a vault value becomes
# ``wfenc1:<key id>:<base64 of nonce + ciphertext>``.
CIPHER_PREFIX = "aesgcm-"
TEXT_PREFIX = "wfenc1:"


def key_id(key: bytes) -> str:
    """A short public name for ``key`` (a hash: it reveals nothing of the key)."""
    return hashlib.sha256(b"wardflow-key-id\0" + key).hexdigest()[:8]


def generate_key() -> str:
    """A new random key, base64-encoded, for ``WARDFLOW_ENCRYPTION_KEY``."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text: str, *, name: str = "WARDFLOW_ENCRYPTION_KEY") -> bytes:
    """Decode a base64 key; the error names the setting, never the value."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as err:
        raise ConfigError(f"{name} is not valid base64; make a key with"
                          " `wardflow keys generate`") from err
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{name} must be base64 of {KEY_BYTES} bytes (got {len(key)});"
                          " make a key with `wardflow keys generate`")
    return key


@dataclass(frozen=True)
class Keyring:
    """The primary key (encrypts and decrypts) and old keys (decrypt only).

    Key bytes are kept out of ``repr`` so that a logged keyring shows ids only.
    """

    primary: bytes = field(repr=False)
    old: tuple[bytes, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        for key in (self.primary, *self.old):
            if len(key) != KEY_BYTES:
                raise ConfigError(f"an encryption key must be {KEY_BYTES} bytes")

    @property
    def primary_id(self) -> str:
        return key_id(self.primary)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key id this keyring can decrypt, the primary first."""
        return tuple(dict.fromkeys(key_id(k) for k in (self.primary, *self.old)))

    def key(self, kid: str) -> bytes | None:
        """The key named ``kid``, if this keyring holds it."""
        for key in (self.primary, *self.old):
            if key_id(key) == kid:
                return key
        return None

    def __repr__(self) -> str:
        return f"Keyring(primary={self.primary_id!r}, old={list(self.ids[1:])!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring | None:
        """The keyring ``settings`` configure, or ``None`` (data stored in clear).

        Raises:
            ConfigError: a key is malformed, or old keys are set without a primary.
        """
        old_text = (settings.encryption_keys_old.get_secret_value()
                    if settings.encryption_keys_old is not None else "")
        old = tuple(parse_key(part, name="WARDFLOW_ENCRYPTION_KEYS_OLD")
                    for part in old_text.split(",") if part.strip())
        if settings.encryption_key is None:
            if old:
                raise ConfigError("WARDFLOW_ENCRYPTION_KEYS_OLD is set but"
                                  " WARDFLOW_ENCRYPTION_KEY is not: set the new key too")
            return None
        return cls(parse_key(settings.encryption_key.get_secret_value()), old)

    # Text (the token vault) --------------------------------------------------------
    def encrypt_text(self, text: str, *, aad: str) -> str:
        """``text`` sealed under the primary key, bound to ``aad`` (where it is stored)."""
        name, sealed = AesGcmCipher(self).seal(text.encode("utf-8"), aad.encode("utf-8"))
        kid = name.removeprefix(CIPHER_PREFIX)
        return f"{TEXT_PREFIX}{kid}:{base64.b64encode(sealed).decode('ascii')}"

    def decrypt_text(self, stored: str, *, aad: str) -> str:
        """The clear text of a value :meth:`encrypt_text` made.

        Raises:
            UnencryptedData: ``stored`` is not sealed (with a key, clear is refused).
        """
        if not is_encrypted_text(stored):
            raise UnencryptedData("vault")
        kid, _, body = stored.removeprefix(TEXT_PREFIX).partition(":")
        plain = AesGcmCipher(self).open(CIPHER_PREFIX + kid, base64.b64decode(body),
                                        aad.encode("utf-8"))
        return plain.decode("utf-8")


def is_encrypted_text(stored: str) -> bool:
    """Whether a stored vault value is sealed (by any key)."""
    return stored.startswith(TEXT_PREFIX)


def text_key_id(stored: str) -> str | None:
    """The key id a sealed vault value names, ``None`` for a clear one."""
    if not is_encrypted_text(stored):
        return None
    return stored.removeprefix(TEXT_PREFIX).partition(":")[0]


def missing_key_error(kid: str, keyring: Keyring | None) -> ConfigError:
    """The error for data sealed with a key this process was not given."""
    if keyring is None:
        return ConfigError(
            f"data is encrypted with key {kid} but no WARDFLOW_ENCRYPTION_KEY is set;"
            " set it (or the secrets file) to that key")
    return ConfigError(
        f"data is encrypted with key {kid}, which is neither WARDFLOW_ENCRYPTION_KEY"
        f" ({keyring.primary_id}) nor one of WARDFLOW_ENCRYPTION_KEYS_OLD; set the key"
        " that wrote it (after a rotation, keep the old key in"
        " WARDFLOW_ENCRYPTION_KEYS_OLD until `wardflow keys rotate` has finished)")


class AesGcmCipher:
    """LangGraph's ``CipherProtocol`` with AES-256-GCM; the cipher name carries the key id.

    A blob is ``nonce (12 bytes) + ciphertext + tag``; decrypting with a missing or
    wrong key, or a tampered blob, raises :class:`~wardflow.errors.ConfigError`.
    """

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def encrypt(self, plaintext: bytes) -> tuple[str, bytes]:
        """Seal under the primary key: ``(aesgcm-<key id>, blob)``."""
        return self.seal(plaintext, b"")

    def decrypt(self, ciphername: str, ciphertext: bytes) -> bytes:
        """Open a blob :meth:`encrypt` made with any key of the keyring."""
        return self.open(ciphername, ciphertext, b"")

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        aead = _aesgcm(self.keyring.primary)
        nonce = os.urandom(NONCE_BYTES)
        return CIPHER_PREFIX + self.keyring.primary_id, nonce + aead.encrypt(nonce, plaintext, aad)

    def open(self, ciphername: str, blob: bytes, aad: bytes) -> bytes:
        if not ciphername.startswith(CIPHER_PREFIX):
            raise ConfigError(f"data is encrypted with an unknown cipher {ciphername!r};"
                              " wardflow reads only AES-GCM (aesgcm-<key id>)")
        kid = ciphername.removeprefix(CIPHER_PREFIX)
        key = self.keyring.key(kid)
        if key is None:
            raise missing_key_error(kid, self.keyring)
        from cryptography.exceptions import InvalidTag

        try:
            plain: bytes = _aesgcm(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag as err:
            raise ConfigError(f"encrypted data under key {kid} failed authentication:"
                              " it was altered or belongs elsewhere") from err
        return plain


def _aesgcm(key: bytes) -> Any:
    """``cryptography``'s AESGCM (``Any``: keeps the import lazy and out of type stubs)."""
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as err:
        raise ConfigError("encryption at rest needs `pip install cryptography`") from err
    return AESGCM(key)


def checkpoint_serde(keyring: Keyring | None) -> SerializerProtocol:
    """The checkpoint serializer: LangGraph's ``EncryptedSerializer`` with
    :class:`AesGcmCipher` when a key is set, else a plain one that refuses
    encrypted blobs (rather than handing LangGraph bytes it cannot read)."""
    from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    if keyring is not None:

        class SealedSerializer(EncryptedSerializer):
            """LangGraph's ``EncryptedSerializer`` without its fallback to clear blobs:
            with a key, a blob that names no cipher is refused, not read."""

            def loads_typed(self, data: tuple[str, bytes]) -> Any:
                if "+" not in data[0]:
                    raise UnencryptedData("checkpoints")
                return super().loads_typed(data)

        return SealedSerializer(AesGcmCipher(keyring), JsonPlusSerializer())

    class ClearSerializer(JsonPlusSerializer):
        """JsonPlus, refusing blobs that ``EncryptedSerializer`` wrote."""

        def loads_typed(self, data: tuple[str, bytes]) -> Any:
            typ = data[0]
            if "+" in typ:
                cipher = typ.split("+", 1)[1]
                raise missing_key_error(cipher.removeprefix(CIPHER_PREFIX), None)
            return super().loads_typed(data)

    return ClearSerializer()


def split_blob_type(typ: str) -> tuple[str, str | None]:
    """A checkpoint blob type as ``(serializer type, key id or None when clear)``."""
    base, plus, cipher = typ.partition("+")
    if not plus:
        return base, None
    return base, cipher.removeprefix(CIPHER_PREFIX)
