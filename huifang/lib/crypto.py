"""Personal data at rest: encryption, lookup hashes and masking.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256) from the `cryptography`
package, through MultiFernet so that keys can be rotated: the first key of
HUIFANG_DATA_KEY encrypts, every key decrypts (rotation: put the new key first). Exact lookups (find a borrower
by ID number) use an HMAC-SHA256 of the normalised value under a separate key;
both keys are derived from the master secret with HKDF, so one secret in the
environment is enough and the two uses never share a key.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"huifang", info=purpose).derive(
        secret.encode()
    )


def _secrets() -> list[str]:
    return [s.strip() for s in settings.HUIFANG_DATA_KEY.split(",") if s.strip()]


@cache
def _fernet(key_material: str) -> MultiFernet:
    keys = [
        Fernet(base64.urlsafe_b64encode(_derive(s, b"encrypt"))) for s in key_material.split(",")
    ]
    return MultiFernet(keys)


@cache
def _hash_key(secret: str) -> bytes:
    return _derive(secret, b"lookup-hash")


def _lookup_secret() -> str:
    # The lookup key must outlive key rotation, or stored hashes stop matching:
    # HUIFANG_LOOKUP_KEY when set, otherwise the last (oldest) data key, which a
    # rotation keeps at the end of the list while old ciphertext remains.
    return getattr(settings, "HUIFANG_LOOKUP_KEY", "") or _secrets()[-1]


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(",".join(_secrets())).encrypt(value.encode()).decode()


def encrypt_bytes(value: bytes) -> bytes:
    return _fernet(",".join(_secrets())).encrypt(value) if value else b""


def decrypt_bytes(token: bytes) -> bytes:
    return _fernet(",".join(_secrets())).decrypt(token) if token else b""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(",".join(_secrets())).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value, for exact-match lookups without decrypting."""
    if not value:
        return ""
    normalised = value.strip().upper().replace(" ", "")
    return hmac.new(_hash_key(_lookup_secret()), normalised.encode(), hashlib.sha256).hexdigest()


def mask_id(value: str) -> str:
    """110101********1234: the region and the last four characters stay visible."""
    if not value:
        return ""
    if len(value) <= 10:
        return (
            value[:2] + "*" * (len(value) - 4) + value[-2:] if len(value) > 4 else "*" * len(value)
        )
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678 for mobiles; landlines keep the area code and the last four digits."""
    if not value:
        return ""
    if "-" in value:
        area, number = value.split("-", 1)
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return "*" * (len(value) - 4) + value[-4:]
