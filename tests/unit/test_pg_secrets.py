"""The generated passwords' file and the pg_hba.conf check, without a server."""

import base64
import hashlib
import hmac
from pathlib import Path

from deploy.postgres_local import HBA, trusting_lines
from deploy.scram import scram_verifier
from deploy.secret_file import ensure_secrets, read_secrets


def test_passwords_are_generated_once_kept_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    first = ensure_secrets(path, ["postgres"])
    assert path.stat().st_mode & 0o777 == 0o600
    both = ensure_secrets(path, ["postgres", "intake_svc"])
    assert both["postgres"] == first["postgres"]
    assert len(both["intake_svc"]) >= 40 and both["intake_svc"] != both["postgres"]
    assert read_secrets(path) == both


def test_a_passwords_file_opened_to_others_is_closed_again(tmp_path: Path) -> None:
    path = tmp_path / "passwords.json"
    ensure_secrets(path, ["postgres"])
    path.chmod(0o644)
    ensure_secrets(path, ["postgres"])
    assert path.stat().st_mode & 0o777 == 0o600


def test_trusting_lines_finds_trust_but_not_in_comments() -> None:
    old = "# trust\nlocal all all trust\nhost all all 127.0.0.1/32 trust # loopback\nhost all all ::1/128 md5\n"
    assert trusting_lines(old) == ["local all all trust", "host all all 127.0.0.1/32 trust # loopback"]
    assert trusting_lines(HBA) == []


def test_the_scram_verifier_signs_rfc_7677s_example_exchange_as_the_rfc_says() -> None:
    """RFC 7677 §3: user "user", password "pencil"; the server's key signs the auth message to ``v=``."""
    verifier = scram_verifier("pencil", salt=base64.b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
    head, keys = verifier.rsplit("$", 1)
    assert head == "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=="
    server_key = base64.b64decode(keys.split(":")[1])
    nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    auth_message = f"n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}"
    signature = hmac.new(server_key, auth_message.encode(), hashlib.sha256).digest()
    assert base64.b64encode(signature).decode() == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    assert scram_verifier("pencil") != scram_verifier("pencil")  # a fresh salt each time
