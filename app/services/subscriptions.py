"""Subscribe messages: the user's one-time consent, as the mini-program reports it.

After wx.requestSubscribeMessage the mini-program posts the result per template id ('accept',
'reject', 'ban', 'filter'; newer clients also 'acceptWithAudio' / 'acceptWithAlert'). Each
acceptance of one of our templates allows one subscribe message of that template, which the
outbox spends (app/notify/consent.py). The consent belongs to the mini-program identity of the
caller's session (wx.login), since WeChat counts it per openid.
"""
from app.errors import DomainError
from app.extensions import db
from app.models import AuthSession, WechatIdentity
from app.notify import consent
from app.notify.templates import subscribe_template_ids
from app.services.unit_of_work import use_case

ACCEPTED = ("accept", "acceptWithAudio", "acceptWithAlert", "acceptWithForcePush")
RESULTS = (*ACCEPTED, "reject", "ban", "filter")


def _identity_of(session_id, account_id):
    identity = db.session.execute(
        db.select(WechatIdentity).join(AuthSession, AuthSession.wechat_identity_id == WechatIdentity.id)
        .where(AuthSession.id == session_id)
    ).scalar_one_or_none()
    if identity is None or identity.app != "miniprogram" or identity.account_id != account_id:
        raise DomainError("MINIPROGRAM_SESSION_REQUIRED")
    return identity


def subscriptions_of(session_id, account_id):
    """Our subscribe templates (what the mini-program may ask consent for) with the acceptances
    this identity holds."""
    identity = _identity_of(session_id, account_id)
    held = consent.remaining(identity.id)
    return [{"template_id": template_id, "kind": kind, "remaining": held.get(template_id, 0)}
            for template_id, kind in sorted(subscribe_template_ids().items(), key=lambda item: item[1])]


@use_case
def record_subscribe_results(session_id, account_id, results):
    """results: {template id: 'accept' | 'reject' | …} as wx.requestSubscribeMessage gave them.
    Unknown template ids and unknown results are ignored (a newer client may send more)."""
    identity = _identity_of(session_id, account_id)
    ours = subscribe_template_ids()
    for template_id, result in results.items():
        if template_id in ours and result in ACCEPTED:
            consent.grant(identity.id, template_id)
    return subscriptions_of(session_id, account_id)
