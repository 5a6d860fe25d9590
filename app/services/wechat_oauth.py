"""WeChat web OAuth (snsapi_base) and JS-SDK configuration for the city-service pages. The code
WeChat sends back after OAuth becomes the user's openid of the service account, once.

WeChat itself refuses a code used twice (40163); the code is also claimed here in Redis first,
so that a code replayed from a log, a proxy or a browser history never reaches WeChat again,
even while WeChat's own answer is cached or slow.
"""
import hashlib

from app.extensions import redis_store
from app.wechat.gateway import WechatApiError, get_gateway

CODE_MEMORY_SECONDS = 600  # WeChat's codes live 5 minutes; a claim outlives them


class OAuthRefused(Exception):
    """The code was used before, or WeChat refused it: the user goes through OAuth again."""


class OAuthUnavailable(Exception):
    """WeChat could not be reached: try again later."""


def authorize_url(redirect_uri, state):
    """WeChat's silent authorize page, which comes back to redirect_uri with ?code=&state=."""
    return get_gateway().oauth_authorize_url(redirect_uri, state, scope="snsapi_base")


def openid_from_code(code):
    """The openid behind a single-use OAuth code. Raises OAuthRefused / OAuthUnavailable."""
    if not code or len(code) > 512:
        raise OAuthRefused()
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()
    claimed = redis_store.client.set(redis_store.key("h5-oauth-code", digest), 1, nx=True, ex=CODE_MEMORY_SECONDS)
    if not claimed:
        raise OAuthRefused()
    try:
        result = get_gateway().oauth_exchange(code)
    except WechatApiError as exc:
        if exc.errcode is None:  # no answer at all (network, timeout): WeChat is away
            raise OAuthUnavailable() from None
        raise OAuthRefused() from None
    openid = result.get("openid")
    if not openid:
        raise OAuthRefused()
    return openid


def jsapi_config(page_url):
    """wx.config for a page that uses the JS-SDK (scanQRCode), or None when WeChat cannot be
    reached (the page still works by typing the code)."""
    try:
        return get_gateway().jsapi_signature(page_url)
    except WechatApiError:
        return None
