from pathlib import Path
from typing import Annotated

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from shared.auth import InvalidToken, Principal, create_keypair, mint_token, verify_token
from shared.http import bearer_auth, install_problem_handlers


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


def test_clearance_defaults_to_internal_and_round_trips(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    assert verify_token(public, mint_token(private, subject="x", unit="u", roles=["reporter"])).clearance == "internal"
    token = mint_token(private, subject="x", unit="u", roles=["reporter"], clearance="top_secret")
    assert verify_token(public, token).clearance == "top_secret"
    with pytest.raises(ValueError, match="unknown clearance"):
        mint_token(private, subject="x", unit="u", roles=["reporter"], clearance="绝密")


def test_a_token_claiming_an_unknown_clearance_is_refused(keys: tuple[bytes, bytes]) -> None:
    claims = {"iss": "baosong-local", "sub": "x", "unit": "u", "roles": ["reporter"], "clearance": "everything",
              "exp": 4102444800}
    token = jwt.encode(claims, serialization.load_pem_private_key(keys[0], None), "EdDSA")  # type: ignore[arg-type]
    with pytest.raises(InvalidToken, match="clearance"):
        verify_token(keys[1], token)


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


def test_bearer_auth_takes_a_query_token_only_when_asked(keys: tuple[bytes, bytes]) -> None:
    token = mint_token(keys[0], subject="x", unit="u", roles=["reporter"])
    app = FastAPI()
    install_problem_handlers(app)
    header_only, either = bearer_auth(keys[1]), bearer_auth(keys[1], query_param="token")

    @app.get("/h")
    async def h(p: Annotated[Principal, Depends(header_only)]) -> str:
        return p.subject

    @app.get("/q")
    async def q(p: Annotated[Principal, Depends(either)]) -> str:
        return p.subject

    client = TestClient(app)
    assert client.get("/h", headers={"Authorization": f"Bearer {token}"}).json() == "x"
    assert client.get("/h", params={"token": token}).status_code == 401
    assert client.get("/q", params={"token": token}).json() == "x"
    assert client.get("/q", headers={"Authorization": f"Basic {token}"}).status_code == 401
    refused = client.get("/q", params={"token": "nope"})
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")


def test_a_private_key_is_owner_only_and_a_new_one_replaces_the_old(tmp_path: Path) -> None:
    private = tmp_path / "keys" / "k.pem"
    create_keypair(private, tmp_path / "keys" / "k.pub.pem")
    first = private.read_bytes()
    assert private.stat().st_mode & 0o777 == 0o600
    create_keypair(private, tmp_path / "keys" / "k.pub.pem")
    assert private.read_bytes() != first and private.stat().st_mode & 0o777 == 0o600


def test_tokens_may_carry_the_work_information_roles(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    token = mint_token(private, subject="x", unit="county", roles=["editor", "section_head", "leader"])
    assert verify_token(public, token).roles == {"editor", "section_head", "leader"}
