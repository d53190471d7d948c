"""Signed records (Ed25519): the archive's chain heads and intake's receipts.

A signed record is a flat JSON object whose ``signature`` is Ed25519 over the canonical form of all its
other fields, ``key_id`` included: JSON with the keys sorted, no spaces (separators ``,`` and ``:``),
non-ASCII characters as they are, UTF-8. The signature is base64url without padding (86 characters).
``key_id`` is the first 16 hex digits of the SHA-256 of the raw 32-byte public key, so a verifier picks
the right public key and an old record stays checkable after a new key is added.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs records with one private key (a PEM file readable by its owner only)."""

    def __init__(self, private: Ed25519PrivateKey):
        self._private = private
        self.key_id = key_id(private.public_key())

    @classmethod
    def from_pem(cls, path: Path) -> Signer:
        key = serialization.load_pem_private_key(path.read_bytes(), None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self._private.public_key()

    def sign(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``fields`` with ``key_id`` and ``signature`` added."""
        record = {**fields, "key_id": self.key_id}
        return {**record, "signature": _b64(self._private.sign(canonical(record)))}


@dataclass(frozen=True)
class Refusal:
    """Why a record is not genuine, in Chinese and English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class KeyRing:
    """The public keys a verifier trusts, by key id."""

    def __init__(self, keys: Iterable[Ed25519PublicKey]):
        self._keys = {key_id(k): k for k in keys}

    @classmethod
    def from_pems(cls, paths: Iterable[Path]) -> KeyRing:
        keys = []
        for path in paths:
            key = serialization.load_pem_public_key(path.read_bytes())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError(f"{path} is not an Ed25519 public key")
            keys.append(key)
        return cls(keys)

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    def refusal(self, record: Mapping[str, Any]) -> Refusal | None:
        """None when ``record`` carries a genuine signature by one of these keys; else why not."""
        kid, signature = record.get("key_id"), record.get("signature")
        if not isinstance(kid, str) or not isinstance(signature, str):
            return Refusal("缺少 key_id 或 signature", "key_id or signature is missing")
        public = self._keys.get(kid)
        if public is None:
            return Refusal(f"不认识的签名密钥 {kid}", f"unknown signing key {kid!r}")
        try:
            raw = _unb64(signature)
        except (binascii.Error, ValueError):
            return Refusal("签名不是 base64url 文本", "the signature is not base64url")
        signed = {k: v for k, v in record.items() if k != "signature"}
        try:
            public.verify(raw, canonical(signed))
        except InvalidSignature:
            return Refusal("签名与内容不符（内容或签名被改动过）",
                           "the signature does not match the content (the content or the signature was changed)")
        return None

