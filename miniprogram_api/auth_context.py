"""Who is calling: the bearer token → session → account, for the /api views."""
from functools import wraps

from flask import g, request

from app.errors import DomainError
from app.services.authz import require_admin
from app.services.login import caller_restriction
from app.services.sessions import resolve_caller


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def optional_account_id():
    """The calling account's id on a public view: None without a token, or with one that is no
    longer good (the view then answers as to anyone)."""
    token = bearer_token()
    if not token:
        return None
    try:
        return resolve_caller(token).account_id
    except DomainError:
        return None


def optional_login():
    """The calling account on a view open to anyone that acts for the caller when there is one:
    None without a token; with one, the same checks as login_required (a bad token or a
    restriction is refused, not ignored)."""
    if not bearer_token():
        return None
    g.caller = resolve_caller(bearer_token())
    restriction = caller_restriction(g.caller) if g.caller.account_id else None
    if restriction:
        raise DomainError(restriction)
    return g.account


def login_required(view):
    """Requires a session bound to an account; sets g.caller (g.account and g.session load on
    first use, app/request_globals.py).

    An account that must first change its password, or a rejected volunteer who must first
    fix the profile, gets that error code from every view not marked @allowed_while(code).
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.caller = resolve_caller(bearer_token())
        if g.caller.account_id is None:
            raise DomainError("UNAUTHORIZED", "请先绑定 i志愿 帐号。")
        restriction = caller_restriction(g.caller)
        if restriction and restriction not in _allowed(wrapper, view):
            raise DomainError(restriction)
        return view(*args, **kwargs)

    return wrapper


def allowed_while(*restrictions):
    """Marks a view as usable under these restrictions (e.g. "PASSWORD_CHANGE_REQUIRED")."""

    def mark(view):
        view._allowed_while = frozenset(restrictions) | getattr(view, "_allowed_while", frozenset())
        return view

    return mark


def _allowed(*views):
    allowed = set()
    for view in views:
        allowed |= getattr(view, "_allowed_while", frozenset())
    return allowed


def session_required(view):
    """Any live session, bound or not (e.g. a wx.login session before binding)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.caller = resolve_caller(bearer_token())
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):
    """login_required, and the account administers at least one organisation (or the platform).

    Which organisation a given operation may touch is decided by app.services.authz.
    """

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        require_admin(g.account)
        return view(*args, **kwargs)

    return wrapper
