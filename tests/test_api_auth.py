"""Users, scrypt password hashes and API tokens (``argentier.api.auth``), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from argentier.api.auth import (
    DEFAULT_SCRYPT,
    AuthenticationError,
    ConflictError,
    ScryptParams,
    authenticate_password,
    authenticate_token,
    create_token,
    create_user,
    hash_password,
    list_tokens,
    list_users,
    revoke_token,
    verify_password,
)
from argentier.core.store._auth_models import ApiToken, User
from argentier.errors import AccessDeniedError, InputError, NotFoundError

FAST = ScryptParams(n=2**10, r=8, p=1)


def test_default_hash_is_scrypt_with_documented_cost_and_a_fresh_salt():
    first = hash_password("correct horse battery staple")
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**15, 8, 3) == ("scrypt", DEFAULT_SCRYPT.n, 8, 3)
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert verify_password("correct horse battery staple", first)
    assert not verify_password("correct horse battery stapl", first)
    assert hash_password("correct horse battery staple", params=FAST) != hash_password(
        "correct horse battery staple", params=FAST
    )


def test_hash_matches_hashlib_scrypt_known_answer():
    # RFC 7914 test vector 2: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
    expected = bytes.fromhex(
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
    )
    encoded = f"scrypt$1024$8$16${base64.b64encode(b'NaCl').decode()}${base64.b64encode(expected).decode()}"
    assert verify_password("password", encoded)
    assert not verify_password("Password", encoded)


@pytest.mark.parametrize(
    "encoded", ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AA==$AA==", "scrypt$1024$8$1$%%$AA=="]
)
def test_malformed_hashes_never_verify(encoded):
    assert not verify_password("anything at all", encoded)


def test_short_passwords_bad_names_and_roles_are_refused(store):
    with pytest.raises(InputError, match="at least 12"):
        create_user(store, "eve", "short", params=FAST)
    with pytest.raises(InputError, match="not a user name"):
        create_user(store, "e ve", "long enough password", params=FAST)
    with pytest.raises(InputError, match="role must be one of"):
        create_user(store, "eve", "long enough password", role="root", params=FAST)
    with pytest.raises(InputError, match="list of names"):
        create_user(store, "eve", "long enough password", groups="sales", params=FAST)
    assert list_users(store) == []


def test_users_passwords_and_tokens_round_trip(store):
    alice = create_user(
        store, "alice", "alice long password", role="analyst", groups=["b", "a", "a "], params=FAST
    )
    assert (alice.role, alice.groups) == ("analyst", ("a", "b"))
    with pytest.raises(ConflictError):
        create_user(store, "alice", "another long password", params=FAST)
    assert authenticate_password(store, "alice", "alice long password") == alice
    for name, password in (("alice", "wrong long password"), ("nobody", "alice long password")):
        with pytest.raises(AuthenticationError, match="wrong user name or password"):
            authenticate_password(store, name, password)

    issued = create_token(store, "alice", name="laptop")
    assert authenticate_token(store, issued.token) == alice
    with store.session() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert stored.token_hash != issued.token and issued.token not in stored.token_hash
        assert session.scalars(select(User.password_hash)).one().startswith("scrypt$1024$8$1$")
        # The secret appears nowhere in the table.
        dump = " ".join(str(value) for value in session.execute(text("SELECT * FROM api_tokens")).one())
        assert issued.token not in dump and issued.token[:10] in dump
    for bad in ("", "arg_" + "x" * 43, issued.token[:-1], "Bearer " + issued.token):
        with pytest.raises(AuthenticationError):
            authenticate_token(store, bad)
    with pytest.raises(NotFoundError):
        create_token(store, "nobody")


def test_revoke_expire_and_ownership(store):
    alice = create_user(store, "alice", "alice long password", role="analyst", params=FAST)
    bob = create_user(store, "bob", "bob long password", params=FAST)
    admin = create_user(store, "root", "root long password", role="admin", params=FAST)
    first, second = create_token(store, "alice"), create_token(store, "alice", expires_in_days=1)
    with pytest.raises(NotFoundError):
        revoke_token(store, first.id, by=bob)  # not his: reported as missing
    assert revoke_token(store, first.id, by=alice).revoked_at is not None
    with pytest.raises(AuthenticationError):
        authenticate_token(store, first.token)
    assert authenticate_token(store, second.token) == alice
    with store.session() as session:
        session.get(ApiToken, second.id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(AuthenticationError):
        authenticate_token(store, second.token)
    revoke_token(store, second.id, by=admin)
    assert [t.id for t in list_tokens(store, user=alice)] == [first.id, second.id]
    assert list_tokens(store, user=bob) == []
    with pytest.raises(AccessDeniedError):
        list_tokens(store, user=bob, everyone=True)
    assert len(list_tokens(store, user=admin, everyone=True)) == 2
    with pytest.raises(InputError):
        create_token(store, "alice", expires_in_days=0)
    assert alice.has_role("viewer") and alice.has_role("analyst") and not alice.has_role("admin")


def test_users_cli_bootstraps_an_admin_and_a_token(database_url, tmp_path, monkeypatch):
    from argentier.cli._common import AppContext
    from argentier.cli._serve import users_group

    monkeypatch.setenv("ARGENTIER_DATABASE_URL", database_url)
    monkeypatch.setenv("ARGENTIER_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    added = runner.invoke(
        users_group,
        ["add", "root", "--role", "admin", "--groups", "treasury,sales", "--json"],
        input="root long password\nroot long password\n",
        obj=AppContext(),
    )
    assert added.exit_code == 0, added.output
    assert '"groups": [\n    "sales",\n    "treasury"\n  ]' in added.output
    again = runner.invoke(users_group, ["add", "root", "--password", "root long password"], obj=AppContext())
    assert again.exit_code == 1 and "already exists" in again.output
    token = runner.invoke(users_group, ["token", "root", "--json"], obj=AppContext())
    assert token.exit_code == 0 and '"token": "arg_' in token.output
    listed = runner.invoke(users_group, ["list"], obj=AppContext())
    assert "root" in listed.output and "admin" in listed.output


def test_checked_tokens_are_trusted_for_the_cache_time_only(store):
    from argentier.api._token_cache import TokenCache
    from argentier.api.auth import AuthenticationError

    create_user(store, "erin", "erin-long-password", role="viewer", groups=["sales"])
    issued = create_token(store, "erin")
    now = [100.0]
    cache = TokenCache(5.0, clock=lambda: now[0])
    check = lambda token: authenticate_token(store, token)  # noqa: E731
    assert cache.get(issued.token, check).username == "erin"
    admin = create_user(store, "root", "root-long-password", role="admin", groups=[])
    revoke_token(store, issued.id, by=admin)  # elsewhere: another process on the same store
    now[0] += 4.9
    assert cache.get(issued.token, check).username == "erin"  # still within the cache time
    now[0] += 0.2
    with pytest.raises(AuthenticationError):
        cache.get(issued.token, check)  # the store is read again: revoked
    with pytest.raises(AuthenticationError):
        TokenCache(0.0).get(issued.token, check)  # no cache: every request reads the store
    with pytest.raises(AuthenticationError):
        cache.get("arg_unknown", check)  # a failed check is never cached
