"""Signed heads and the check that a chain still holds every published one (no database needed)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.archive.domain.anchor import PublishedHead, first_break, wanted_positions
from shared.signing import KeyRing, Signer

SIGNER = Signer(Ed25519PrivateKey.generate())
KEYS = KeyRing([SIGNER.public_key])
CHAIN = {3: "aa", 7: "bb"}


def head(line: int, position: int, hash_hex: str) -> PublishedHead:
    return PublishedHead(line, SIGNER.sign({"position": position, "hash": hash_hex,
                                            "recorded_at": "2026-12-05T08:00:00Z"}))


def test_heads_the_chain_holds_pass() -> None:
    heads = [head(1, 3, "aa"), head(2, 7, "bb")]
    assert wanted_positions(heads) == {3, 7}
    assert first_break(heads, KEYS, chain_end=9, hashes_at=CHAIN) is None


def test_the_first_head_that_differs_is_named_with_why() -> None:
    heads = [head(1, 3, "aa"), head(2, 7, "cc"), head(3, 9, "dd")]
    broken = first_break(heads, KEYS, chain_end=9, hashes_at=CHAIN)
    assert broken is not None and broken.head.line == 2
    assert "rewritten" in broken.reason.en and "改写" in broken.reason.zh
    assert "line 2 (position 7, hash cc" in broken.head.describe()


def test_a_head_beyond_the_chains_end_means_it_was_cut_short() -> None:
    broken = first_break([head(1, 3, "aa"), head(2, 7, "bb")], KEYS, chain_end=5, hashes_at=CHAIN)
    assert broken is not None and broken.head.line == 2 and "cut short" in broken.reason.en


def test_a_head_changed_after_signing_or_signed_by_another_key_or_malformed_is_refused() -> None:
    changed = head(1, 3, "aa")
    assert changed.record is not None
    edited = PublishedHead(1, {**changed.record, "hash": "ab"})
    broken = first_break([edited], KEYS, chain_end=9, hashes_at={3: "ab"})
    assert broken is not None and "signature does not match" in broken.reason.en
    stranger = Signer(Ed25519PrivateKey.generate()).sign({"position": 3, "hash": "aa", "recorded_at": "x"})
    broken = first_break([PublishedHead(1, stranger)], KEYS, chain_end=9, hashes_at=CHAIN)
    assert broken is not None and "unknown signing key" in broken.reason.en
    for record in (None, {"position": "3", "hash": "aa", "recorded_at": "x"}):
        broken = first_break([PublishedHead(4, record)], KEYS, chain_end=9, hashes_at=CHAIN)
        assert broken is not None and broken.head.line == 4


def test_a_signature_covers_every_other_field_including_the_key_id() -> None:
    record = SIGNER.sign({"id": "rpt-1", "content_sha256": "00", "received_at": "t"})
    assert KEYS.refusal(record) is None
    assert KEYS.refusal({**record, "extra": 1}) is not None
    assert KEYS.refusal({**record, "signature": record["signature"][:-2]}) is not None
    assert KEYS.refusal({**record, "signature": "!!not base64!!"}) is not None
