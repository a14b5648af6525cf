"""Users, passwords and API tokens of the REST API.

Passwords are hashed with scrypt (``hashlib.scrypt``, RFC 7914) and a random 16-byte salt per user. The
default cost, ``N=2**15, r=8, p=3`` (32 MiB of memory, about 0.4 s on one core here), is one of the
equivalent settings OWASP's Password Storage Cheat Sheet recommends; the parameters are stored in each hash
(``scrypt$N$r$p$salt$hash``, base64), so raising the default later leaves old hashes verifiable. Hashes are
compared in constant time, and an unknown user costs a hash too, so timing does not tell which names exist.

API tokens are 32 random bytes (``secrets``), shown once when issued and stored only as their SHA-256: a
token has 256 bits of entropy, so a fast hash is enough and lets the token be looked up by its hash.

Roles are ordered ``viewer < analyst < admin``: viewers read, analysts also write (upload, review, watch),
admins also manage users and tokens. A user's groups decide which documents they may read, exactly as the
``groups=`` argument of the Python API does.

>>> from argentier.core.store import Store
>>> store = Store.open("sqlite://")
>>> fast = ScryptParams(n=2**10, r=8, p=1)  # a low cost keeps this example quick; keep the default in use
>>> alice = create_user(store, "alice", "correct horse battery", role="analyst", groups=["treasury"], params=fast)
>>> issued = create_token(store, "alice", name="laptop")
>>> authenticate_token(store, issued.token).groups
('treasury',)
>>> authenticate_password(store, "alice", "correct horse battery").role
'analyst'
>>> _ = revoke_token(store, issued.id, by=alice)
>>> authenticate_token(store, issued.token)
Traceback (most recent call last):
...
argentier.api.auth.AuthenticationError: invalid, expired or revoked token
>>> store.close()
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from argentier.core.store import Store
from argentier.core.store._auth_models import ROLES, ApiToken, User
from argentier.errors import AccessDeniedError, ArgentierError, InputError, NotFoundError

__all__ = [
    "DEFAULT_SCRYPT",
    "ROLES",
    "AuthenticationError",
    "ConflictError",
    "IssuedToken",
    "Principal",
    "RoleError",
    "ScryptParams",
    "TokenInfo",
    "authenticate_password",
    "authenticate_token",
    "create_token",
    "create_user",
    "deactivate_user",
    "hash_password",
    "list_tokens",
    "list_users",
    "revoke_token",
    "verify_password",
]

TOKEN_PREFIX = "arg_"
MIN_PASSWORD_CHARS = 12
# Writing last_used_at on every request would turn every read into a write; once a minute is plenty.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AuthenticationError(ArgentierError):
    """The credentials are missing, wrong, expired or revoked."""


class RoleError(ArgentierError):
    """The caller's role is too low for the operation (viewer < analyst < admin)."""


class ConflictError(InputError):
    """The object to create already exists (a user name, a watched URL)."""


@dataclass(frozen=True)
class ScryptParams:
    """scrypt's cost: CPU/memory cost ``n`` (a power of two), block size ``r``, parallelism ``p``."""

    n: int = 2**15
    r: int = 8
    p: int = 3
    dklen: int = 32

    @property
    def maxmem(self) -> int:
        # hashlib refuses anything above 32 MiB by default; scrypt needs 128 * n * r bytes plus a margin.
        return 128 * self.n * self.r * 2 + 1024 * 1024


DEFAULT_SCRYPT = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, params: ScryptParams = DEFAULT_SCRYPT) -> str:
    """The self-describing scrypt hash of ``password`` with a fresh random salt.

    >>> encoded = hash_password("s3cret passphrase", params=ScryptParams(n=2**10, r=8, p=1))
    >>> encoded.split("$")[:4], verify_password("s3cret passphrase", encoded), verify_password("guess", encoded)
    (['scrypt', '1024', '8', '1'], True, False)
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"a password needs at least {MIN_PASSWORD_CHARS} characters", source="password")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        dklen=params.dklen,
        maxmem=params.maxmem,
    )
    return f"scrypt${params.n}${params.r}${params.p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (from :func:`hash_password`); compared in constant time."""
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt":
            return False
        params = ScryptParams(int(n), int(r), int(p), len(base64.b64decode(expected)))
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=params.n,
            r=params.r,
            p=params.p,
            dklen=params.dklen,
            maxmem=params.maxmem,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


# Verified against when the user does not exist, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = "scrypt$32768$8$3$" + _b64(b"\0" * 16) + "$" + _b64(b"\0" * 32)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: who, with which role, reading as which groups."""

    id: int
    username: str
    role: str
    groups: tuple[str, ...]

    def has_role(self, role: str) -> bool:
        """Whether this caller's role is ``role`` or above (``viewer < analyst < admin``)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "role": self.role, "groups": list(self.groups)}

    @classmethod
    def from_row(cls, row: User) -> Principal:
        return cls(row.id, row.username, row.role, tuple(row.groups or ()))


@dataclass(frozen=True)
class TokenInfo:
    """A token's bookkeeping, never its secret."""

    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiToken) -> TokenInfo:
        return cls(
            row.id,
            row.user.username,
            row.name,
            row.prefix,
            _utc(row.created_at),
            _utc(row.expires_at),
            _utc(row.last_used_at),
            _utc(row.revoked_at),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            **{
                key: value.isoformat() if value else None
                for key, value in self.__dict__.items()
                if "_at" in key
            },
        }


@dataclass(frozen=True)
class IssuedToken:
    """A token just issued: ``token`` is the secret, shown this once."""

    id: int
    token: str
    info: TokenInfo

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, **self.info.to_dict()}


def _utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _clean_groups(groups: Iterable[str]) -> list[str]:
    if isinstance(groups, str):
        raise InputError("groups must be a list of names, not one string", source="groups")
    return sorted({str(group).strip() for group in groups if str(group).strip()})


def create_user(
    store: Store,
    username: str,
    password: str,
    *,
    role: str = "viewer",
    groups: Iterable[str] = (),
    params: ScryptParams = DEFAULT_SCRYPT,
) -> Principal:
    """Add a user; :class:`ConflictError` if the name is taken, :class:`InputError` for a bad role or name."""
    username = (username or "").strip()
    if not username or len(username) > 200 or any(ch.isspace() for ch in username):
        raise InputError(f"{username!r} is not a user name (1-200 characters, no spaces)", source="username")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}, got {role!r}", source="role")
    encoded = hash_password(password, params=params)
    try:
        with store.session() as session:
            if session.scalar(select(User.id).where(User.username == username)) is not None:
                raise ConflictError(f"user {username!r} already exists")
            row = User(username=username, password_hash=encoded, role=role, groups=_clean_groups(groups))
            session.add(row)
            session.flush()
            return Principal.from_row(row)
    except IntegrityError as exc:  # created by someone else between the check and the insert
        raise ConflictError(f"user {username!r} already exists") from exc


def list_users(store: Store) -> list[Principal]:
    """Every active user, by name."""
    with store.session() as session:
        rows = session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)).all()
        return [Principal.from_row(row) for row in rows]


def deactivate_user(store: Store, username: str, *, by: Principal) -> Principal:
    """Switch a user off (admins only, not themselves): their password and every token stop working at once.

    The row stays, so the audit log's names keep pointing at someone.
    """
    if not by.has_role("admin"):
        raise RoleError("only admins may deactivate users")
    if username == by.username:
        raise InputError("you cannot deactivate yourself", source="username")
    with store.session() as session:
        row = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
        if row is None:
            raise NotFoundError(f"no user {username!r}")
        row.active = False
        return Principal.from_row(row)


def authenticate_password(store: Store, username: str, password: str) -> Principal:
    """The user with this name and password; :class:`AuthenticationError` otherwise."""
    with store.session() as session:
        row = session.scalars(select(User).where(User.username == (username or "").strip())).first()
        encoded = row.password_hash if row is not None and row.active else _DUMMY_HASH
        if not verify_password(password or "", encoded) or row is None or not row.active:
            raise AuthenticationError("wrong user name or password")
        return Principal.from_row(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    store: Store, username: str, *, name: str = "api", expires_in_days: float | None = None
) -> IssuedToken:
    """Issue a new API token for ``username``; keep ``.token``, it cannot be shown again."""
    if expires_in_days is not None and expires_in_days <= 0:
        raise InputError("expires_in_days must be positive", source="expires_in_days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.session() as session:
        user = session.scalars(select(User).where(User.username == username, User.active.is_(True))).first()
        if user is None:
            raise NotFoundError(f"no user {username!r}")
        row = ApiToken(
            user=user,
            name=(name or "api").strip()[:200] or "api",
            prefix=token[:10],
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(days=expires_in_days) if expires_in_days is not None else None,
        )
        session.add(row)
        session.flush()
        return IssuedToken(row.id, token, TokenInfo.from_row(row))


def authenticate_token(store: Store, token: str) -> Principal:
    """The user a live token belongs to; :class:`AuthenticationError` for an unknown, expired or revoked one."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("invalid, expired or revoked token")
    digest = _token_hash(token)
    now = datetime.now(UTC)
    with store.session() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
        if (
            row is None
            or not hmac.compare_digest(row.token_hash, digest)
            or row.revoked_at is not None
            or (row.expires_at is not None and _utc(row.expires_at) <= now)
            or not row.user.active
        ):
            raise AuthenticationError("invalid, expired or revoked token")
        if row.last_used_at is None or now - _utc(row.last_used_at) > _LAST_USED_RESOLUTION:
            row.last_used_at = now
        return Principal.from_row(row.user)


def list_tokens(store: Store, *, user: Principal, everyone: bool = False) -> list[TokenInfo]:
    """The caller's tokens (every user's if ``everyone``, for admins), oldest first."""
    if everyone and not user.has_role("admin"):
        raise AccessDeniedError("only admins may list other users' tokens")
    with store.session() as session:
        statement = select(ApiToken).order_by(ApiToken.id)
        if not everyone:
            statement = statement.where(ApiToken.user_id == user.id)
        return [TokenInfo.from_row(row) for row in session.scalars(statement).all()]


def revoke_token(store: Store, token_id: int, *, by: Principal) -> TokenInfo:
    """Revoke a token (its owner or an admin may); revoking twice keeps the first time."""
    with store.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None or (row.user_id != by.id and not by.has_role("admin")):
            raise NotFoundError(f"no token with id {token_id}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        session.flush()
        return TokenInfo.from_row(row)
