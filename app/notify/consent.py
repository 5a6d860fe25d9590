"""One-time consent to subscribe messages, per mini-program identity and template.

wx.requestSubscribeMessage lets a user accept a template once; each acceptance allows WeChat
to deliver one message of that template (43101 otherwise). The mini-program reports the
results (POST /api/v1/me/subscriptions, app/services/subscriptions.py); the outbox spends one
acceptance per subscribe message it queues. The caller commits.
"""
from app.extensions import db
from app.models import SubscribeConsent
from app.timeutil import utcnow

# Acceptances kept per template: a user who taps "allow" many times is not owed a flood.
MAX_REMAINING = 20


def grant(wechat_identity_id, template_id):
    """One more acceptance; returns how many the identity now holds for the template."""
    row = db.session.execute(
        db.select(SubscribeConsent).filter_by(wechat_identity_id=wechat_identity_id, template_id=template_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = SubscribeConsent(wechat_identity_id=wechat_identity_id, template_id=template_id, remaining=0)
        db.session.add(row)
    row.remaining = min(MAX_REMAINING, (row.remaining or 0) + 1)
    row.updated_at = utcnow()
    db.session.flush()
    return row.remaining


def spend(wechat_identity_id, template_id):
    """True when an acceptance was there (and is now spent); one conditional UPDATE, so two
    messages queued at once never spend the same acceptance."""
    spent = db.session.execute(
        db.update(SubscribeConsent)
        .where(SubscribeConsent.wechat_identity_id == wechat_identity_id,
               SubscribeConsent.template_id == template_id, SubscribeConsent.remaining > 0)
        .values(remaining=SubscribeConsent.remaining - 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(spent)


def forget(wechat_identity_id, template_id):
    """WeChat said 43101: whatever we counted, the user holds no acceptance for this template."""
    db.session.execute(
        db.update(SubscribeConsent)
        .where(SubscribeConsent.wechat_identity_id == wechat_identity_id,
               SubscribeConsent.template_id == template_id)
        .values(remaining=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def remaining(wechat_identity_id):
    """{template id: acceptances left} for one identity."""
    rows = db.session.execute(
        db.select(SubscribeConsent.template_id, SubscribeConsent.remaining)
        .filter_by(wechat_identity_id=wechat_identity_id)
    ).all()
    return {template_id: count for template_id, count in rows}
