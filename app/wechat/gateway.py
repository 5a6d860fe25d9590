"""One gateway to the WeChat API for every process (service account and mini-program).

The access token lives in Redis (wechatpy's RedisStorage) so that gunicorn workers and job
workers share one token; a refresh happens under a Redis lock and re-reads after taking it,
so that an expiry costs one fetch, not one per process (the 40001 storms of WECHAT.md).
WECHAT_API_BASE points every call at the real API or at the local emulator.
"""
from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from app.extensions import redis_store


class WechatApiError(Exception):
    """WeChat answered with an errcode (or not at all: errcode None)."""

    def __init__(self, errcode, errmsg):
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class SharedTokenClient(WeChatClient):
    """wechatpy's client with a shared, lock-guarded token and a configurable API base."""

    def __init__(self, appid, secret, api_base, redis_client, key_prefix, timeout=5):
        session = RedisStorage(redis_client, prefix=key_prefix + "wechat")
        super().__init__(appid, secret, session=session, timeout=timeout)
        self.api_base = api_base
        self.API_BASE_URL = api_base + "/cgi-bin/"
        self._redis = redis_client
        self._lock_key = f"{key_prefix}wechat:token-lock:{appid}"

    def fetch_access_token(self):
        with self._redis.lock(self._lock_key, timeout=15, blocking_timeout=15):
            # Another process may have refreshed while we waited for the lock.
            token = self.session.get(self.access_token_key)
            if token:
                return {"access_token": token}
            return self._fetch_access_token(
                url=self.api_base + "/cgi-bin/token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    @property
    def access_token(self):
        # The shared Redis entry (set with WeChat's expires_in) is the only truth.
        token = self.session.get(self.access_token_key)
        if token:
            return token
        self.fetch_access_token()
        return self.session.get(self.access_token_key)


class Gateway:
    """The calls the service makes; each raises WechatApiError on a WeChat error."""

    def __init__(self, config, redis_client, key_prefix):
        base = config["WECHAT_API_BASE"]
        self.api_base = base
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
            try:
                response = self.mini._http.post(
                    self.api_base + "/wxa/getwxacodeunlimit",
                    params={"access_token": self.mini.access_token}, json=body, timeout=5)
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
                self.mini.session.delete(self.mini.access_token_key)  # stale token: fetch and retry once
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

