"""One gateway to the WeChat API for every process (service account and mini-program).

The access token lives in Redis (wechatpy's RedisStorage) so that gunicorn workers and job
workers share one token; a refresh happens under a Redis lock and re-reads after taking it,
so that an expiry costs one fetch, not one per process (the 40001 storms of WECHAT.md).
WECHAT_API_BASE points every call at the real API or at the local emulator.
"""
import hashlib
import json
import secrets
import time
from urllib.parse import quote

from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from app import metrics
from app.extensions import redis_store


class WechatApiError(Exception):
    """WeChat answered with an errcode (or not at all: errcode None)."""

    def __init__(self, errcode, errmsg):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


# WeChat's answers meaning "this access_token is not (or no longer) valid".
STALE_TOKEN_ERRCODES = (40001, 40014, 42001)

# Delete the key only while it still holds the token that failed: a process that saw 40001
# late must not throw away the fresh token another process has just fetched.
_COMPARE_AND_DELETE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class SharedTokenClient(WeChatClient):
    """wechatpy's client with a shared, lock-guarded token and a configurable API base.

    A 40001/40014/42001 is answered by ONE refresh: the failed token is dropped from Redis
    only if it is still the current one (compare-and-delete), the refresh happens under the
    lock and re-reads first, and the request is retried once. wechatpy's own retry (a fetch
    with no lock, repeated on every 40001) is switched off.
    """

    TOKEN_MARGIN_SECONDS = 120  # refresh a little before WeChat's expiry

    def __init__(self, appid, secret, api_base, redis_client, key_prefix, timeout=5):
        session = RedisStorage(redis_client, prefix=key_prefix + "wechat")
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.api_base = api_base
        self.API_BASE_URL = api_base + "/cgi-bin/"
        self._redis = redis_client
        self._lock_key = f"{key_prefix}wechat:token-lock:{appid}"
        self._ticket_lock_key = f"{key_prefix}wechat:ticket-lock:{appid}"
        self._compare_and_delete = redis_client.register_script(_COMPARE_AND_DELETE)

    def _token_redis_key(self):
        return self.session.key_name(self.access_token_key)

    def fetch_access_token(self):
        with self._redis.lock(self._lock_key, timeout=15, blocking_timeout=15):
            # Another process may have refreshed while we waited for the lock.
            token = self.session.get(self.access_token_key)
            if token:
                return {"access_token": token}
            result = self._fetch_access_token(
                url=self.api_base + "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )
            metrics.token_refreshed("access_token")
            # Stored with a margin, so that every process refreshes before WeChat expires it.
            expires_in = max(60, int(result.get("expires_in", 7200)) - self.TOKEN_MARGIN_SECONDS)
            self.session.set(self.access_token_key, result["access_token"], expires_in)
            return result

    @property
    def access_token(self):
        # The shared Redis entry (set with WeChat's expires_in) is the only truth.
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key)

    def invalidate_token(self, failed_token):
        """Drop the shared token only if it is still the one WeChat refused."""
        # RedisStorage keeps values JSON-encoded.
        return bool(self._compare_and_delete(keys=[self._token_redis_key()], args=[json.dumps(failed_token)]))

    def _request(self, method, url_or_endpoint, **kwargs):
        params = dict(kwargs.pop("params", None) or {})
        if "access_token" in params:  # a caller's own token (not ours to refresh)
            return super()._request(method, url_or_endpoint, params=params, **kwargs)
        token = self.access_token
        try:
            return super()._request(method, url_or_endpoint, params={**params, "access_token": token},
                                    **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in STALE_TOKEN_ERRCODES:
                raise
        self.invalidate_token(token)
        return super()._request(method, url_or_endpoint,
                                params={**params, "access_token": self.access_token}, **kwargs)

    def jsapi_ticket(self):
        """The JS-SDK ticket, shared through Redis like the token and refreshed under a lock."""
        key = f"{self.appid}_jsapi_ticket"
        ticket = self.session.get(key)
        if ticket:
            return ticket
        with self._redis.lock(self._ticket_lock_key, timeout=15, blocking_timeout=15):
            ticket = self.session.get(key)
            if ticket:
                return ticket
            result = self.get("ticket/getticket", params={"type": "jsapi"})
            metrics.token_refreshed("jsapi_ticket")
            expires_in = max(60, int(result.get("expires_in", 7200)) - self.TOKEN_MARGIN_SECONDS)
            self.session.set(key, result["ticket"], expires_in)
            return result["ticket"]


class Gateway:
    """The calls the service makes; each raises WechatApiError on a WeChat error."""

    def __init__(self, config, redis_client, key_prefix):
        base = config["WECHAT_API_BASE"]
        self.api_base = base
        self.open_base = config.get("WECHAT_OPEN_BASE") or "https://open.weixin.qq.com"
        self.mp = SharedTokenClient(config["WECHAT_APPID"], config["WECHAT_SECRET"], base,
                                    redis_client, key_prefix)
        self.mini = SharedTokenClient(config["MINIPROGRAM_APPID"], config["MINIPROGRAM_SECRET"],
                                      base, redis_client, key_prefix)

    def _call(self, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WeChatClientException as exc:
            raise WechatApiError(exc.errcode, exc.errmsg) from exc
        except Exception as exc:  # network errors, timeouts: transient
            raise WechatApiError(None, f"{type(exc).__name__}: {exc}") from exc

    def send_template(self, openid, template_id, data, url=None, miniprogram=None):
        """Service-account template message (keywords only since May 2023). Returns msgid."""
        body = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = miniprogram
        result = self._call(self.mp.post, "message/template/send", data=body)
        return result.get("msgid")

    def send_subscribe(self, openid, template_id, data, page=None, state="formal", lang="zh_CN"):
        """Mini-program subscribe message; 43101 means the user did not subscribe."""
        body = {"touser": openid, "template_id": template_id, "data": data,
                "miniprogram_state": state, "lang": lang}
        if page:
            body["page"] = page
        return self._call(self.mini.post, "message/subscribe/send", data=body)

    def code_to_session(self, js_code):
        """wx.login code → {openid, session_key, unionid?}. session_key never leaves the server."""
        params = {"appid": self.mini.appid, "secret": self.mini.secret, "js_code": js_code,
                  "grant_type": "authorization_code"}
        return self._get_without_token("/sns/jscode2session", params)

    # --- service hours: the clock code as a mini-program code and a parametric QR code ---

    def get_wxa_code_unlimited(self, scene, page=None, width=430):
        """Mini-program code (getwxacodeunlimit) for `scene` (≤ 32 characters). Returns image bytes.

        WeChat answers an image on success and JSON {errcode, errmsg} on failure; wechatpy's
        wxa client posts to a fixed api.weixin.qq.com URL, so this call is made here against
        WECHAT_API_BASE with the mini-program's shared token.
        """
        body = {"scene": scene, "width": width, "check_path": False}
        if page:
            body["page"] = page
        for attempt in range(2):
            token = self.mini.access_token
            try:
                response = self.mini._http.post(
                    self.api_base + "/wxa/getwxacodeunlimit",
                    params={"access_token": token}, json=body, timeout=5)
                response.raise_for_status()
            except Exception as exc:  # network errors, timeouts: transient
                raise WechatApiError(None, f"{type(exc).__name__}: {exc}") from exc
            if response.headers.get("Content-Type", "").startswith("image/"):
                return response.content
            try:
                result = response.json()
            except ValueError as exc:
                raise WechatApiError(None, "unexpected answer from getwxacodeunlimit") from exc
            errcode = result.get("errcode")
            if errcode in (40001, 40014, 42001) and attempt == 0:
                self.mini.invalidate_token(token)  # stale: drop it only if still current, retry once
                continue
            raise WechatApiError(errcode, result.get("errmsg", ""))
        raise WechatApiError(None, "getwxacodeunlimit failed")

    def create_qr_scene(self, scene_str, expire_seconds):
        """Temporary service-account QR code with a string scene (QR_STR_SCENE, 1–64 characters).

        Returns {"ticket", "expire_seconds", "url"}; scanning it sends SCAN (or subscribe with
        EventKey qrscene_<scene_str>) to the callback.
        """
        data = {"expire_seconds": int(expire_seconds), "action_name": "QR_STR_SCENE",
                "action_info": {"scene": {"scene_str": scene_str}}}
        result = self._call(self.mp.qrcode.create, data)
        return {"ticket": result["ticket"], "expire_seconds": result.get("expire_seconds"), "url": result["url"]}
    # --- service account: customer-service messages, users, menu, JS-SDK, OAuth ---

    def send_custom_text(self, openid, content):
        """A customer-service text message (allowed within 48 h of the user's last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return self._call(self.mp.post, "message/custom/send", data=body)

    def user_info(self, openid):
        """A follower's profile; carries `unionid` when the account is on the open platform."""
        return self._call(self.mp.get, "user/info", params={"openid": openid, "lang": "zh_CN"})

    def create_menu(self, menu):
        return self._call(self.mp.post, "menu/create", data=menu)

    def jsapi_signature(self, url):
        """wx.config for a page: sha1 over jsapi_ticket, noncestr, timestamp, url (no #part)."""
        url = url.split("#", 1)[0]
        ticket = self._call(self.mp.jsapi_ticket)
        noncestr = secrets.token_hex(8)
        timestamp = int(time.time())
        plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
        return {"appId": self.mp.appid, "timestamp": timestamp, "nonceStr": noncestr,
                "signature": hashlib.sha1(plain.encode("utf-8")).hexdigest()}

    def oauth_authorize_url(self, redirect_uri, state, scope="snsapi_base"):
        """Where WeChat asks the user (silently for snsapi_base) and redirects back with ?code."""
        return (f"{self.open_base}/connect/oauth2/authorize?appid={self.mp.appid}"
                f"&redirect_uri={quote(redirect_uri, safe='')}&response_type=code&scope={scope}"
                f"&state={quote(state, safe='')}#wechat_redirect")

    def oauth_exchange(self, code):
        """The OAuth code (single use) → {openid, access_token, …} of the service account."""
        params = {"appid": self.mp.appid, "secret": self.mp.secret, "code": code,
                  "grant_type": "authorization_code"}
        return self._get_without_token("/sns/oauth2/access_token", params)

    def _get_without_token(self, path, params):
        """/sns/… calls authenticate by appid and secret, not by access_token."""
        try:
            response = self.mini._http.get(self.api_base + path, params=params, timeout=5)
            response.raise_for_status()
            result = response.json()
        except Exception as exc:  # network errors, timeouts, non-JSON: transient
            raise WechatApiError(None, f"{type(exc).__name__}: {exc}") from exc
        if result.get("errcode"):
            raise WechatApiError(result["errcode"], result.get("errmsg", ""))
        return result


def get_gateway():
    """The gateway for the current app (one per process, built on first use)."""
    gateway = current_app.extensions.get("izyz_wechat_gateway")
    if gateway is None:
        gateway = Gateway(current_app.config, redis_store.client, redis_store.prefix)
        current_app.extensions["izyz_wechat_gateway"] = gateway
    return gateway

