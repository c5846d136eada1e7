"""Secrets derived from SECRET_KEY: the pepper for API-key digests and the
key that encrypts upstream channel secrets at rest. SECRET_KEY must therefore
stay stable for the life of a deployment (rotating it invalidates all keys)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken


def _derive(secret_key: str, purpose: bytes) -> bytes:
    return hmac.new(secret_key.encode("utf-8"), purpose, hashlib.sha256).digest()


@lru_cache(maxsize=8)
def key_pepper(secret_key: str) -> bytes:
    return _derive(secret_key, b"tollgate/api-key-digest/v1")


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"tollgate/channel-secrets/v1")))


def encrypt_secret(secret_key: str, plaintext: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_secret(secret_key: str, token: str | None) -> str:
    if not token:
        return ""
    try:
        return _fernet(secret_key).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise RuntimeError("a channel secret cannot be decrypted: was SECRET_KEY changed?") from exc
