"""argon2id as the web service uses it (cheap parameters: the algorithm and its checks are what is tested)."""

from services.web.adapters.passwords import Passwords
from services.web.domain.accounts import ALPHABET, PASSWORD_LENGTH, generate_password


async def test_a_password_is_kept_as_an_argon2id_hash_that_verifies_it_and_nothing_else() -> None:
    passwords = Passwords(time_cost=1, memory_cost=64)
    hashed = await passwords.hash("rT7kq2mWx9Pz4HcB")
    assert hashed.startswith("$argon2id$v=19$m=64,t=1,p=4$")
    assert "rT7kq2mWx9Pz4HcB" not in hashed
    assert await passwords.matches(hashed, "rT7kq2mWx9Pz4HcB")
    assert not await passwords.matches(hashed, "rT7kq2mWx9Pz4Hcb")
    assert not await passwords.matches("not a hash", "rT7kq2mWx9Pz4HcB")


async def test_the_same_password_hashes_differently_each_time_salted() -> None:
    passwords = Passwords(time_cost=1, memory_cost=64)
    assert await passwords.hash("same") != await passwords.hash("same")


async def test_an_unknown_login_is_checked_against_a_decoy_and_fails() -> None:
    passwords = Passwords(time_cost=1, memory_cost=64)
    assert not await passwords.matches(None, "")
    assert not await passwords.matches(None, "anything")


def test_generated_passwords_are_long_random_and_without_look_alikes() -> None:
    made = {generate_password() for _ in range(200)}
    assert len(made) == 200
    assert all(len(p) == PASSWORD_LENGTH and set(p) <= set(ALPHABET) for p in made)
    assert not set("0O1lI") & set(ALPHABET)
