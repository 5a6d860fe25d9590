"""WeChat identities: following and unfollowing the service account, binding an openid to an
i志愿 account, unbinding, linking one person's identities by unionid, and the latest position
a user reported (for the check-in geofence).

The binding of a service-account openid is read on every callback, so it is cached in Redis:
`wx-binding:<openid>` → "<account id or ->:<s|u>" (bound account, subscribed or not). Every
change of an identity goes through this module, which rewrites or drops the entry after its
commit (after_commit); the entry also expires after an hour, which bounds any drift.
"""
import json

from app.errors import DomainError
from app.extensions import db, redis_store
from app.models import Account, AuthSession, WechatIdentity
from app.services.login import check_may_log_in, verify_credentials
from app.services.sessions import issue_token
from app.services.unit_of_work import after_commit, use_case
from app.timeutil import utcnow

MP = "mp"
MINIPROGRAM = "miniprogram"
BINDING_CACHE_SECONDS = 3600
LOCATION_SECONDS = 300
UNBOUND = "-"

# Built once: the callback runs these on its hot path (SQLAlchemy caches their compiled SQL).
_BINDING_OF = db.select(WechatIdentity.account_id, WechatIdentity.subscribed).where(
    WechatIdentity.app == db.bindparam("app"), WechatIdentity.openid == db.bindparam("openid"))
_SUBSCRIPTION_OF = db.select(
    WechatIdentity.subscribed, WechatIdentity.account_id, WechatIdentity.unionid
).where(
    WechatIdentity.app == db.bindparam("app"), WechatIdentity.openid == db.bindparam("openid"))


def binding_cache_key(openid):
    return redis_store.key("wx-binding", openid)


def forget_binding(*openids):
    keys = [binding_cache_key(o) for o in openids if o]
    if keys:
        redis_store.client.delete(*keys)


def _decode(cached):
    """A binding-cache value → (account id or None, subscribed or None when not recorded)."""
    value = cached.decode() if isinstance(cached, bytes) else str(cached)
    account, _, flag = value.partition(":")
    return (None if account == UNBOUND else int(account)), {"s": True, "u": False}.get(flag)


def bound_account_id(openid, cached=None):
    """The account bound to a service-account openid, or None. `cached`: the value already read
    from the binding cache (the callback reads it together with its de-duplication key)."""
    if cached is not None:
        return _decode(cached)[0]
    row = db.session.connection().execute(_BINDING_OF, {"app": MP, "openid": openid}).first()
    account_id, subscribed = (row.account_id, row.subscribed) if row is not None else (None, False)
    _cache_binding(openid, account_id, subscribed)
    return account_id


def _cache_binding(openid, account_id, subscribed):
    redis_store.client.set(binding_cache_key(openid), f"{account_id or UNBOUND}:{'s' if subscribed else 'u'}",
                           ex=BINDING_CACHE_SECONDS)


def _identity(app, openid, lock=False):
    query = db.select(WechatIdentity).filter_by(app=app, openid=openid)
    if lock:
        query = query.with_for_update()
    return db.session.execute(query).scalar_one_or_none()


def _get_or_create(app, openid, unionid=None):
    identity = _identity(app, openid, lock=True)
    if identity is None:
        identity = WechatIdentity(app=app, openid=openid, unionid=unionid, subscribed=False)
        db.session.add(identity)
        try:
            db.session.flush()
        except Exception:  # another request created it at the same moment
            # Rolled back here on purpose, inside the use case: the insert lost the race, and
            # nothing else has been written yet (every caller creates the identity first).
            db.session.rollback()
            identity = _identity(app, openid, lock=True)
            if identity is None:
                raise
    if unionid and not identity.unionid:
        identity.unionid = unionid
    return identity


def record_subscription(openid, subscribed, cached=None):
    """subscribe / unsubscribe: only subscribed identities receive template messages.
    Returns (account id or None, unionid or None, changed: whether anything was written).

    WeChat's repeats are de-duplicated before this runs, so an identity already in the wanted
    state (per the binding cache `cached`, else the database) is left alone: no write, no lock.
    Those read-only answers stay outside the use case (_store_subscription): they run on the
    callback's hot path, where an empty commit would only cost time.
    """
    if cached is not None:
        account_id, cached_subscribed = _decode(cached)
        if cached_subscribed is subscribed:
            return account_id, None, False
    # Core execution (no ORM layer): this read runs for every subscribe and unsubscribe.
    state = db.session.connection().execute(_SUBSCRIPTION_OF, {"app": MP, "openid": openid}).first()
    if state is not None and state.subscribed == subscribed:
        db.session.rollback()  # end the read-only transaction
        _cache_binding(openid, state.account_id, subscribed)
        return state.account_id, state.unionid, False
    return _store_subscription(openid, subscribed)


@use_case
def _store_subscription(openid, subscribed):
    identity = _get_or_create(MP, openid)
    identity.subscribed = subscribed
    if subscribed:
        link_by_unionid(identity)
    account_id, unionid = identity.account_id, identity.unionid
    after_commit(_cache_binding, openid, account_id, subscribed)
    return account_id, unionid, True


@use_case
def set_unionid(app, openid, unionid):
    """A unionid learned later (user info of a follower): link the person's identities."""
    identity = _get_or_create(app, openid, unionid)
    _forget_after_commit(link_by_unionid(identity))
    return identity


def _forget_after_commit(changed):
    """The cached bindings of the changed service-account identities go once the change commits."""
    after_commit(forget_binding, *(i.openid for i in changed if i.app == MP))


def link_by_unionid(identity):
    """One person, one account: identities sharing a unionid share the binding.
    Caller commits. Returns the identities whose binding changed."""
    if not identity.unionid:
        return []
    others = db.session.execute(
        db.select(WechatIdentity).where(WechatIdentity.unionid == identity.unionid,
                                        WechatIdentity.id != identity.id)
    ).scalars().all()
    changed = []
    if identity.account_id is None:
        bound = next((o for o in others if o.account_id is not None), None)
        if bound is not None:
            identity.account_id, identity.bound_at = bound.account_id, utcnow()
            changed.append(identity)
    if identity.account_id is not None:
        for other in others:
            if other.account_id is None:
                other.account_id, other.bound_at = identity.account_id, utcnow()
                changed.append(other)
    return changed


@use_case
def bind(app, openid, account_id, unionid=None):
    """Bind the identity (and, by unionid, the person's other identities) to an account.
    An openid bound to another account is refused: it must be unbound first."""
    identity = _get_or_create(app, openid, unionid)
    _forget_after_commit(_attach(identity, account_id))
    return identity


def _attach(identity, account_id):
    """Caller commits. → the identities whose binding changed."""
    if identity.account_id is not None and identity.account_id != account_id:
        raise DomainError("WECHAT_ALREADY_BOUND")
    identity.account_id, identity.bound_at = account_id, utcnow()
    return [identity] + link_by_unionid(identity)


@use_case
def unbind(app, openid):
    """The identity no longer belongs to an account: no more template messages to it, and
    its mini-program sessions lose the account (the unionid link is dropped with it)."""
    identity = _identity(app, openid, lock=True)
    if identity is None or identity.account_id is None:
        raise DomainError("WECHAT_NOT_BOUND")
    identity.account_id, identity.bound_at = None, None
    db.session.execute(
        db.update(AuthSession)
        .where(AuthSession.wechat_identity_id == identity.id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    after_commit(forget_binding, openid)


def account_of(app, openid):
    identity = _identity(app, openid)
    if identity is None or identity.account_id is None:
        return None
    return db.session.get(Account, identity.account_id)


def remember_location(openid, latitude, longitude, precision=None):
    """LOCATION events: the user's latest position, kept briefly for the check-in geofence."""
    value = json.dumps({"latitude": float(latitude), "longitude": float(longitude),
                        "precision": float(precision) if precision not in (None, "") else None})
    redis_store.client.set(redis_store.key("wx-location", openid), value, ex=LOCATION_SECONDS)


def latest_location(openid):
    """→ (latitude, longitude) reported in the last 5 minutes, or (None, None)."""
    return latest_fix(openid)[:2]


def latest_fix(openid):
    """→ (latitude, longitude, precision in metres or None) reported in the last 5 minutes, or
    (None, None, None). The precision (LOCATION events' Precision) is the fix's accuracy."""
    raw = redis_store.client.get(redis_store.key("wx-location", openid))
    if not raw:
        return None, None, None
    data = json.loads(raw)
    return data["latitude"], data["longitude"], data.get("precision")


# --- binding by account and password (H5 page, mini-program) ---

@use_case
def bind_with_password(app, openid, identifier, password, config, ip=None):
    """H5 binding page: the user proves the account with its password; the openid is bound."""
    account = verify_credentials(identifier, password, config=config, ip=ip)
    bind(app, openid, account.id)
    return account


@use_case
def wx_login(openid, unionid, config):
    """Mini-program wx.login (after code2session): a session for the identity, bound to its
    account when there is one (directly or through the unionid). → (token, account or None)."""
    identity = _get_or_create(MINIPROGRAM, openid, unionid)
    changed = link_by_unionid(identity)
    account = db.session.get(Account, identity.account_id) if identity.account_id else None
    if account is not None:
        check_may_log_in(account, config)
    token, _ = issue_token(config["SESSION_TTL_SECONDS"], account_id=account.id if account else None,
                           wechat_identity_id=identity.id)
    _forget_after_commit(changed)
    return token, account


@use_case
def bind_session(session_id, identifier, password, config, ip=None):
    """POST /auth/bind: the session's WeChat identity is bound to the account, and the session
    (the same token) now belongs to that account."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.wechat_identity_id is None:
        raise DomainError("WECHAT_SESSION_REQUIRED")
    account = verify_credentials(identifier, password, config=config, ip=ip)
    identity = db.session.execute(
        db.select(WechatIdentity).filter_by(id=session.wechat_identity_id).with_for_update()
    ).scalar_one()
    changed = _attach(identity, account.id)
    session.account_id = account.id
    _forget_after_commit(changed)
    return account
