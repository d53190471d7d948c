from pathlib import Path

import pytest

from shared.auth import InvalidToken, create_keypair, mint_token, verify_token


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, bytes]:
    create_keypair(tmp_path / "k.pem", tmp_path / "k.pub")
    return (tmp_path / "k.pem").read_bytes(), (tmp_path / "k.pub").read_bytes()


def test_token_round_trip_carries_subject_unit_and_roles(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    token = mint_token(private, subject="zhang@town-a", unit="town-a-office", roles=["reporter"])
    principal = verify_token(public, token)
    assert (principal.subject, principal.unit, principal.roles) == (
        "zhang@town-a", "town-a-office", frozenset({"reporter"}))


def test_token_signed_by_another_key_is_refused(keys: tuple[bytes, bytes], tmp_path: Path) -> None:
    create_keypair(tmp_path / "other.pem", tmp_path / "other.pub")
    token = mint_token((tmp_path / "other.pem").read_bytes(), subject="x", unit="u", roles=["reporter"])
    with pytest.raises(InvalidToken):
        verify_token(keys[1], token)


def test_expired_token_is_refused(keys: tuple[bytes, bytes]) -> None:
    token = mint_token(keys[0], subject="x", unit="u", roles=["reporter"], ttl_s=-10)
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(keys[1], token)


def test_unknown_role_cannot_be_minted(keys: tuple[bytes, bytes]) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        mint_token(keys[0], subject="x", unit="u", roles=["emperor"])
