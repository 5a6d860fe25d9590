"""The images of clock codes: a plain QR code of any clock or personal code, and a clock code
issued on WeChat's own surfaces — a mini-program code ("wxacode") that opens the scan page, or
the service account's parametric QR code ("mp_qrcode"), whose scan WeChat sends to the callback.

WeChat's answer (the image, or the QR code's URL) is kept in Redis for as long as the code lives,
so that the admin's screen can fetch it by the code alone. Where the images are served from is
the adapter's business (miniprogram_api/attendance.py): this module returns data, never a URL of
our API.
"""
from flask import current_app

from app.domain import codes
from app.errors import DomainError
from app.extensions import redis_store
from app.services import qrimage
from app.services.clock_codes import issue_clock_code
from app.wechat.gateway import WechatApiError, get_gateway

CLOCK_PAGE = "pages/attendance/scan"  # the mini-program page a mini-program code opens
SURFACES = ("qrcode", "wxacode", "mp_qrcode")  # a plain QR code, or one of WeChat's own
_STORED = {"wxacode": "clock-wxacode", "mp_qrcode": "clock-mpqr"}


def issue_on_surface(admin, activity_id, kind, surface):
    """A fresh clock code (clock_codes.issue_clock_code), issued on `surface` too.

    Returns issue_clock_code's {"code", "kind", "activity_id", "expires_at"} with "surface" and,
    for "mp_qrcode", WeChat's "ticket" and "qr_url". Raises WECHAT_CODE_FAILED when WeChat says no
    (the code itself stays issued: the admin may show it as a plain QR code)."""
    if surface not in SURFACES:
        raise ValueError(surface)
    issued = {**issue_clock_code(admin, activity_id, kind), "surface": surface}
    if surface == "qrcode":
        return issued
    code = issued["code"]
    seconds = current_app.config["CLOCK_CODE_SECONDS"]
    try:
        if surface == "wxacode":
            image = get_gateway().get_wxa_code_unlimited(code, page=CLOCK_PAGE)
            redis_store.client.set(redis_store.key(_STORED[surface], code), image, ex=seconds + 60)
            return issued
        qr = get_gateway().create_qr_scene(code, expire_seconds=max(60, seconds))
        redis_store.client.set(redis_store.key(_STORED[surface], code), qr["url"], ex=seconds + 60)
        return {**issued, "ticket": qr["ticket"], "qr_url": qr["url"]}
    except WechatApiError as exc:
        raise DomainError("WECHAT_CODE_FAILED", errcode=exc.errcode) from None


def code_png(code):
    """The PNG of a clock code or personal code; None for anything that is not shaped like one
    (the URL holds nothing but the code, so anyone may ask)."""
    if not (codes.looks_like_clock_code(code) or codes.looks_like_personal_code(code)):
        return None
    return qrimage.png(code)


def surface_png(code, surface):
    """The PNG issued on `surface` for a live clock code: the mini-program code WeChat made, or
    the parametric QR code drawn from its URL. None once the code has expired (or never was)."""
    value = redis_store.client.get(redis_store.key(_STORED[surface], code))
    if value is None:
        return None
    return value if surface == "wxacode" else qrimage.png(value.decode("utf-8"))
