"""``/auth``: log in for a token, manage your tokens; admins manage users."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from argentier.api import auth
from argentier.api._audit import record_write
from argentier.api._deps import Admin, ServicesDep, Viewer
from argentier.api._schemas import IssuedTokenOut, LoginIn, TokenIn, TokenOut, UserIn, UserOut
from argentier.errors import NotFoundError

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=IssuedTokenOut, status_code=status.HTTP_201_CREATED)
def login(request: Request, services: ServicesDep, body: LoginIn) -> dict:
    """Exchange a user name and password for a new API token (401 if they do not match, 429 after repeated
    failures for one name)."""
    throttle = request.app.state.login_throttle
    throttle.check(body.username)
    try:
        user = auth.authenticate_password(services.store, body.username, body.password)
    except auth.AuthenticationError:
        throttle.failed(body.username)
        raise
    throttle.succeeded(body.username)
    issued = auth.create_token(
        services.store, user.username, name=body.token_name, expires_in_days=body.expires_in_days
    )
    record_write(
        services.store, user.username, "auth.login", "api_token", issued.id, {"name": body.token_name}
    )
    return issued.to_dict()


@router.get("/me", response_model=UserOut)
def me(user: Viewer) -> dict:
    return user.to_dict()


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(services: ServicesDep, user: Viewer, everyone: bool = False) -> list[dict]:
    """Your tokens (``everyone=true``: all users' tokens, admins only); never the secrets."""
    return [token.to_dict() for token in auth.list_tokens(services.store, user=user, everyone=everyone)]


@router.post("/tokens", response_model=IssuedTokenOut, status_code=status.HTTP_201_CREATED)
def create_token(services: ServicesDep, user: Viewer, body: TokenIn) -> dict:
    """A new token for you, or (admins) for another user."""
    owner = body.username or user.username
    if owner != user.username and not user.has_role("admin"):
        raise NotFoundError(f"no user {owner!r}")
    issued = auth.create_token(services.store, owner, name=body.name, expires_in_days=body.expires_in_days)
    record_write(services.store, user.username, "auth.token.create", "api_token", issued.id, {"for": owner})
    return issued.to_dict()


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(services: ServicesDep, user: Viewer, token_id: int) -> dict:
    info = auth.revoke_token(services.store, token_id, by=user)
    services.tokens.clear()
    record_write(
        services.store, user.username, "auth.token.revoke", "api_token", token_id, {"of": info.username}
    )
    return info.to_dict()


@router.get("/users", response_model=list[UserOut])
def list_users(services: ServicesDep, user: Admin) -> list[dict]:
    return [item.to_dict() for item in auth.list_users(services.store)]


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(services: ServicesDep, user: Admin, body: UserIn) -> dict:
    """Add a user (409 if the name is taken)."""
    created = auth.create_user(
        services.store, body.username, body.password, role=body.role, groups=body.groups
    )
    record_write(
        services.store,
        user.username,
        "auth.user.create",
        "user",
        created.id,
        {
            "username": created.username,
            "role": created.role,
            "groups": list(created.groups),
        },
    )
    return created.to_dict()


@router.delete("/users/{username}", response_model=UserOut)
def deactivate_user(services: ServicesDep, user: Admin, username: str) -> dict:
    """Switch a user off: their password and tokens stop working; the audit log keeps their name."""
    gone = auth.deactivate_user(services.store, username, by=user)
    services.tokens.clear()
    record_write(
        services.store, user.username, "auth.user.deactivate", "user", gone.id, {"username": username}
    )
    return gone.to_dict()
