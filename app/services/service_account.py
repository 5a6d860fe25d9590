"""What the service account's callback asks of the app beyond its immediate reply.

The callback answers within WeChat's five seconds; anything that talks to WeChat's API is queued
and runs in the worker (app/worker.py). These are those jobs — a new follower's unionid, the
volunteer's recent activities sent as a customer-service message — and WeChat's report on a
template message it delivered (TEMPLATESENDJOBFINISH), handed to the outbox's delivery records.
"""
import logging

from app.extensions import jobs
from app.notify.delivery import mark_template_result
from app.services import volunteer_digest, wechat_identity
from app.wechat.gateway import WechatApiError, get_gateway

log = logging.getLogger(__name__)


def follow(openid, cached_binding=None):
    """A follow (subscribe event): recorded; for a new follower a job asks WeChat for the unionid.
    → the account bound to the follower, or None."""
    account_id, unionid, changed = wechat_identity.record_subscription(openid, True, cached_binding)
    if changed and unionid is None:
        jobs.enqueue(learn_unionid, openid)
    return account_id


def queue_my_activities(openid, account_id, render):
    """The volunteer asked for their activities: a job sends the list (see send_my_activities)."""
    jobs.enqueue(send_my_activities, openid, account_id, render)


def learn_unionid(openid):
    """Job: a new follower — ask WeChat for the unionid, which links the person's mini-program identity."""
    try:
        info = get_gateway().user_info(openid)
    except WechatApiError as exc:
        log.warning("user info for a follower failed: %s", exc)
        return None
    if info.get("unionid"):
        wechat_identity.set_unionid(wechat_identity.MP, openid, info["unionid"])
    return info.get("unionid")


def send_my_activities(openid, account_id, render):
    """Job: the volunteer's latest enrollments as a customer-service message.

    render(items) → the text, items as volunteer_digest.recent_activities gives them. The callback
    passes its own function (handlers/replies.py), so that every text the service account says
    stays in that one place."""
    get_gateway().send_custom_text(openid, render(volunteer_digest.recent_activities(account_id)))


def record_template_result(msgid, status, openid=None):
    """WeChat's report on a template message: delivered, or refused by the user (app/notify/delivery.py)."""
    return mark_template_result(msgid, status, openid=openid)
