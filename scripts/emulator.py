"""A local emulator of the WeChat API, on loopback, for development and tests.

It answers the calls the service makes the way WeChat documents them (JSON bodies with
errcode/errmsg), records everything it receives, and fails on request so that retries and
error paths can be tested:

    GET  /__emulator__/sent       messages "delivered" (template, subscribe, custom, sms, mail), newest last
    GET  /__emulator__/menu       the menu last created with /cgi-bin/menu/create
    POST /__emulator__/oauth-user {"user": "alice"}: who opens the next OAuth authorize page
    GET  /__emulator__/requests   every API request received, newest last
    POST /__emulator__/fail       {"api": "template_send", "errcode": 45009, "times": 2}
                                  or {"api": ..., "status": 503} or {"api": ..., "delay": 6}
    POST /__emulator__/reset      forget everything (tokens, messages, failures)
    GET  /__emulator__/qrcodes    mini-program codes and parametric QR codes made

It also plays the providers the service uses besides WeChat, as they document their APIs:

    POST /  with X-TC-Action: SendSms   Tencent Cloud SMS (API 2021-01-11), TC3-HMAC-SHA256 checked
    POST /  with x-acs-action: SendSms  Alibaba Cloud SMS (2017-05-25), ACS3-HMAC-SHA256 checked
    POST /identity/verify               a real-name verification service (name + ID number)
    POST /sms/send, /mail/send          stand-ins for development (rendered text, no signature)
    POST /__emulator__/sms-templates    {"provider": "tencent"|"aliyun", "templates": {id: text}, "signs": [...]}
    POST /__emulator__/sms-limits       {"per_day": 10}: a number's daily limit, as the providers keep
    POST /__emulator__/fail             {"api": "tencent_sms"|"aliyun_sms"|"identity", "code": "…"} too

The SDKs reach it through their endpoint setting; the credentials it accepts are SMS_KEYS.

Run it alone: python -m scripts.emulator --port 9100
"""
import argparse
import hashlib
import hmac
import io
import json
import re
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import qrcode
from flask import Flask, jsonify, request

TOKEN_SECONDS = 7200
# Characters WeChat allows in a mini-program code scene.
SCENE_CHARS = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$&'()*+,/:;=?@-._~")

ERRMSG = {
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40013: "invalid appid",
    40029: "invalid code",
    40125: "invalid appsecret",
    40163: "code been used",
    40017: "invalid button type",
    46003: "menu no exist",
    42001: "access_token expired",
    40097: "invalid args",
    40169: "invalid length for scene, or the data is not json string",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    -1: "system error",
}


# Provider credentials the emulator accepts (the tests configure the service with these).
SMS_KEYS = {
    "tencent": {"AKIDemulator0000000000": "emulator-tencent-secret-key"},
    "aliyun": {"LTAIemulator00000000": "emulator-aliyun-access-key-secret"},
}
IDENTITY_KEYS = {"dev-identity-key": "dev-identity-secret"}
TENCENT_SDK_APP_ID = "1400000001"
MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class EmulatorState:
    """Everything the emulator remembers; one lock because the dev server is threaded."""

    def __init__(self, apps=None):
        self.lock = threading.Lock()
        self.apps = dict(apps or {})  # appid → secret; empty accepts any pair
        self.reset()

    def reset(self):
        with self.lock:
            self.tokens = {}  # token → (appid, expires_at)
            self.current_token = {}  # appid → token
            self.token_fetches = []  # (appid, time, kind)
            self.sent = []
            self.requests = []
            self.failures = {}  # api → list of failure specs
            self.used_codes = set()
            self.msgid = 1000
            self.wxacodes = []  # mini-program codes made: {scene, page, at}
            self.qr_scenes = {}  # ticket → {action_name, scene, url, at}
            # service account: menu, JS-SDK tickets, OAuth codes
            self.menu = None
            self.tickets = {}  # ticket → (appid, expires_at)
            self.ticket_fetches = []
            self.oauth_user = "h5user"  # who "is" in WeChat when the authorize page is opened
            # SMS providers: approved templates {provider: {id: text}}, sign names, daily limit
            self.sms_templates = {"tencent": {}, "aliyun": {}}
            self.sms_signs = {"i志愿"}
            self.sms_per_day = None
            self.sms_counts = {}  # (provider, phone, day) → sent
            self.identity_requests = 0

    def next_failure(self, api):
        with self.lock:
            queue = self.failures.get(api) or []
            if not queue:
                return None
            spec = queue[0]
            spec["times"] -= 1
            if spec["times"] <= 0:
                queue.pop(0)
            return dict(spec)


def wechat_error(errcode, status=200):
    return jsonify({"errcode": errcode, "errmsg": ERRMSG.get(errcode, "error")}), status


def create_emulator(apps=None):
    app = Flask("wechat_emulator")
    app.config["JSON_AS_ASCII"] = False
    state = EmulatorState(apps)
    app.extensions["emulator_state"] = state

    def injected(api):
        """Apply a queued failure for this API, if any: a delay, an HTTP status or an errcode."""
        spec = state.next_failure(api)
        if spec is None:
            return None
        if spec.get("delay"):
            time.sleep(float(spec["delay"]))
        if spec.get("status"):
            return "emulated failure", int(spec["status"])
        if spec.get("errcode"):
            return wechat_error(int(spec["errcode"]))
        return None

    def check_secret(appid, secret):
        if state.apps and appid not in state.apps:
            return 40013
        if state.apps and state.apps[appid] != secret:
            return 40125
        return 0

    def issue_token(appid, kind, force=False):
        now = time.time()
        with state.lock:
            current = state.current_token.get(appid)
            # stable_token keeps a valid token unless forced; /cgi-bin/token always rotates.
            if kind == "stable" and not force and current and state.tokens[current][1] > now + 300:
                return current, int(state.tokens[current][1] - now)
            token = "EMU_" + secrets.token_hex(24)
            if current and kind == "token":
                state.tokens.pop(current, None)  # the old token stops working, as on WeChat
            state.tokens[token] = (appid, now + TOKEN_SECONDS)
            state.current_token[appid] = token
            state.token_fetches.append({"appid": appid, "at": now, "kind": kind})
            return token, TOKEN_SECONDS

    def token_problem():
        """40001 for an unknown token, 42001 for an expired one, else 0."""
        token = request.args.get("access_token", "")
        with state.lock:
            entry = state.tokens.get(token)
        if entry is None:
            return 40001
        if entry[1] <= time.time():
            return 42001
        return 0

    @app.before_request
    def record_request():
        if not request.path.startswith("/__emulator__"):
            body = request.get_json(silent=True, force=True)
            with state.lock:
                state.requests.append({"path": request.path, "args": request.args.to_dict(),
                                       "json": body, "at": time.time()})

    def secret_call(api, credentials):
        """Common start of an appid + secret call: an injected failure or bad credentials."""
        failure = injected(api)
        if failure:
            return failure
        problem = check_secret(credentials.get("appid", ""), credentials.get("secret", ""))
        return wechat_error(problem) if problem else None

    def spend_code(code):
        """wx.login and OAuth codes work once; the second use answers 40163."""
        with state.lock:
            if code in state.used_codes:
                return wechat_error(40163)
            state.used_codes.add(code)
        return None

    @app.get("/cgi-bin/token")
    def token():
        refused = secret_call("token", request.args)
        if refused:
            return refused
        access_token, expires_in = issue_token(request.args.get("appid", ""), "token")
        return jsonify({"access_token": access_token, "expires_in": expires_in})

    @app.post("/cgi-bin/stable_token")
    def stable_token():
        body = request.get_json(silent=True, force=True) or {}
        refused = secret_call("token", body)
        if refused:
            return refused
        access_token, expires_in = issue_token(body["appid"], "stable", bool(body.get("force_refresh")))
        return jsonify({"access_token": access_token, "expires_in": expires_in})

    def send_message(api, channel):
        refused = token_call(api)
        if refused:
            return refused
        body = request.get_json(silent=True, force=True) or {}
        if not body.get("touser") or not body.get("template_id", "x"):
            return wechat_error(40003 if not body.get("touser") else 40037)
        with state.lock:
            state.msgid += 1
            msgid = state.msgid
            state.sent.append({"channel": channel, "msgid": msgid, "at": time.time(), **body})
        return jsonify({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    @app.post("/cgi-bin/message/template/send")
    def template_send():
        return send_message("template_send", "template")

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send():
        return send_message("subscribe_send", "subscribe")

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():
        return send_message("custom_send", "custom")

    @app.get("/sns/jscode2session")
    def jscode2session():
        refused = secret_call("jscode2session", request.args)
        if refused:
            return refused
        appid, code = request.args.get("appid", ""), request.args.get("js_code", "")
        if not code:
            return wechat_error(40029)
        spent = spend_code(code)
        if spent:
            return spent
        user = code_user(code)
        return jsonify({
            "openid": openid_for(appid, user),
            "session_key": hashlib.sha256(code.encode()).hexdigest()[:24],
            "unionid": unionid_for(user),
        })

    # --- service account: menu, users, JS-SDK ticket, web OAuth ---
    def token_call(api):
        """Common start of an access_token call: an injected failure or a token problem."""
        failure = injected(api)
        if failure:
            return failure
        problem = token_problem()
        return wechat_error(problem) if problem else None

    @app.post("/cgi-bin/menu/create")
    def menu_create():
        refused = token_call("menu_create")
        if refused:
            return refused
        body = request.get_json(silent=True, force=True) or {}
        buttons = body.get("button") or []
        if not 1 <= len(buttons) <= 3 or any(len(b.get("sub_button") or []) > 5 for b in buttons):
            return wechat_error(40017)  # invalid button
        with state.lock:
            state.menu = body
        return jsonify({"errcode": 0, "errmsg": "ok"})

    @app.get("/cgi-bin/menu/get")
    def menu_get():
        refused = token_call("menu_get")
        if refused:
            return refused
        with state.lock:
            if state.menu is None:
                return wechat_error(46003)
            return jsonify({"menu": state.menu})

    @app.get("/cgi-bin/user/info")
    def user_info():
        refused = token_call("user_info")
        if refused:
            return refused
        openid = request.args.get("openid", "")
        user = KNOWN_OPENIDS.get(openid)
        info = {"subscribe": 1, "openid": openid, "language": "zh_CN",
                "subscribe_time": int(time.time())}
        if user is not None:
            info["unionid"] = unionid_for(user)
        return jsonify(info)

    @app.get("/cgi-bin/ticket/getticket")
    def getticket():
        refused = token_call("getticket")
        if refused:
            return refused
        token = request.args.get("access_token", "")
        now = time.time()
        with state.lock:
            appid = state.tokens[token][0]
            ticket = "EMU_TICKET_" + secrets.token_hex(20)
            state.tickets[ticket] = (appid, now + TOKEN_SECONDS)
            state.ticket_fetches.append({"appid": appid, "at": now})
        return jsonify({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": TOKEN_SECONDS})

    @app.get("/connect/oauth2/authorize")
    def oauth_authorize():
        """WeChat's authorize page: snsapi_base is silent, so it redirects straight back.
        `emulator_user` (an emulator extension) says who the WeChat user is."""
        from urllib.parse import urlencode

        from flask import redirect

        redirect_uri = request.args.get("redirect_uri", "")
        if not redirect_uri or request.args.get("response_type") != "code":
            return "invalid redirect_uri or response_type", 400
        user = request.args.get("emulator_user") or state.oauth_user
        code = f"oauth:{user}:{secrets.token_hex(8)}"
        separator = "&" if "?" in redirect_uri else "?"
        return redirect(redirect_uri + separator + urlencode({"code": code,
                                                              "state": request.args.get("state", "")}))

    @app.get("/sns/oauth2/access_token")
    def oauth_access_token():
        refused = secret_call("oauth_access_token", request.args)
        if refused:
            return refused
        appid, code = request.args.get("appid", ""), request.args.get("code", "")
        if not code.startswith("oauth:"):
            return wechat_error(40029)
        spent = spend_code(code)
        if spent:
            return spent
        user = code_user(code.replace("oauth:", "user:", 1))
        # snsapi_base answers without unionid (WeChat's documentation)
        return jsonify({"access_token": "EMU_OAUTH_" + secrets.token_hex(12), "expires_in": 7200,
                        "refresh_token": "EMU_REFRESH_" + secrets.token_hex(12),
                        "openid": openid_for(appid, user), "scope": "snsapi_base"})

    @app.post("/__emulator__/oauth-user")
    def set_oauth_user():
        """Who opens the next OAuth page: {"user": "alice"}."""
        with state.lock:
            state.oauth_user = (request.get_json(force=True) or {}).get("user") or "h5user"
        return jsonify({"ok": True})

    @app.get("/__emulator__/menu")
    def current_menu():
        with state.lock:
            return jsonify(state.menu)

    def relay(api, channel, required, optional=()):
        """A stand-in provider (SMS, mail): records the message among the sent ones."""
        failure = injected(api)
        if failure:
            return failure
        body = request.get_json(silent=True, force=True) or {}
        if not all(body.get(name) for name in required):
            return jsonify({"code": "INVALID", "message": " and ".join(required) + " required"}), 400
        with state.lock:
            state.msgid += 1
            message = {"channel": channel, "msgid": state.msgid, "at": time.time()}
            message.update({name: body[name] for name in required})
            message.update({name: body.get(name, "") for name in optional})
            state.sent.append(message)
            return jsonify({"code": "OK", "msgid": state.msgid})

    @app.post("/sms/send")
    def sms_send():
        """A stand-in SMS provider: records {phone, text}."""
        return relay("sms_send", "sms", ("phone", "text"))

    @app.post("/mail/send")
    def mail_send():
        """A stand-in mail relay: records {to, subject, text}."""
        return relay("mail_send", "mail", ("to", "text"), optional=("subject",))

    # --- SMS providers: Tencent Cloud and Alibaba Cloud, on "/" as their APIs are ---
    def provider_failure(api):
        """A queued failure for a provider API: {"code": …} (a refusal), {"status": …}, {"delay": …}."""
        spec = state.next_failure(api)
        if spec and spec.get("delay"):
            time.sleep(float(spec["delay"]))
        return spec or {}

    def record_sms(provider, phone, template_id, params, sign):
        names_text = state.sms_templates[provider][template_id]
        if provider == "tencent":
            text = re.sub(r"\{(\d+)\}", lambda m: params[int(m.group(1)) - 1], names_text)
        else:
            text = re.sub(r"\$\{(\w+)\}", lambda m: params.get(m.group(1), ""), names_text)
        with state.lock:
            state.msgid += 1
            state.sent.append({"channel": "sms", "provider": provider, "msgid": state.msgid, "at": time.time(),
                               "phone": phone, "template_id": template_id, "params": params, "sign": sign,
                               "text": f"【{sign}】{text}"})
            return state.msgid

    def over_daily_limit(provider, phone):
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        with state.lock:
            count = state.sms_counts.get((provider, phone, day), 0)
            if state.sms_per_day is not None and count >= state.sms_per_day:
                return True
            state.sms_counts[(provider, phone, day)] = count + 1
        return False

    def tencent_error(code, message, status=200):
        return jsonify({"Response": {"Error": {"Code": code, "Message": message},
                                     "RequestId": str(uuid.uuid4())}}), status

    def tencent_signature_problem(body):
        """TC3-HMAC-SHA256 as Tencent Cloud documents it: None when the request is signed right."""
        match = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/(\w+)/tc3_request, "
                             r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
                             request.headers.get("Authorization", ""))
        if not match:
            return "AuthFailure.InvalidAuthorization"
        secret_id, date, service, signed_headers, signature = match.groups()
        secret_key = SMS_KEYS["tencent"].get(secret_id)
        if secret_key is None:
            return "AuthFailure.SecretIdNotFound"
        timestamp = int(request.headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > 300 or \
                datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d") != date:
            return "AuthFailure.SignatureExpire"
        canonical_headers = "".join(f"{name}:{request.headers.get(name, '').lower()}\n"
                                    for name in signed_headers.split(";"))
        canonical_request = "\n".join(["POST", "/", "", canonical_headers, signed_headers,
                                        hashlib.sha256(body).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/tc3_request",
                              hashlib.sha256(canonical_request.encode()).hexdigest()])
        key = ("TC3" + secret_key).encode()
        for part in (date, service, "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, signature) else "AuthFailure.SignatureFailure"

    def tencent_send_sms():
        body = request.get_data()
        problem = tencent_signature_problem(body)
        if problem:
            return tencent_error(problem, "The provided credentials could not be validated.")
        failure = provider_failure("tencent_sms")
        if failure.get("status"):
            return "emulated failure", int(failure["status"])
        if failure.get("code") and not failure["code"].startswith("LimitExceeded"):
            return tencent_error(failure["code"], "emulated refusal")
        params = json.loads(body or b"{}")
        if params.get("SmsSdkAppId") != TENCENT_SDK_APP_ID:
            return tencent_error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        template_id = str(params.get("TemplateId", ""))
        if template_id not in state.sms_templates["tencent"] or params.get("SignName") not in state.sms_signs:
            return tencent_error("FailedOperation.TemplateIncorrectOrUnapproved" if template_id not in
                                 state.sms_templates["tencent"] else "FailedOperation.SignatureIncorrectOrUnapproved",
                                 "template or signature is not approved")
        values = [str(v) for v in params.get("TemplateParamSet") or []]
        wanted = len(set(re.findall(r"\{(\d+)\}", state.sms_templates["tencent"][template_id])))
        if len(values) != wanted:
            return tencent_error("InvalidParameterValue.TemplateParameterFormatError", "template parameters mismatch")
        statuses = []
        for number in params.get("PhoneNumberSet") or []:
            phone = re.sub(r"^(\+86|0086|86)", "", number)
            status = {"SerialNo": "", "PhoneNumber": number, "Fee": 0, "SessionContext": "", "IsoCode": "CN"}
            if not MAINLAND_MOBILE.match(phone):
                status.update(Code="InvalidParameterValue.IncorrectPhoneNumber", Message="incorrect phone number")
            elif failure.get("code"):
                status.update(Code=failure["code"], Message="the number reached its limit")
            elif over_daily_limit("tencent", phone):
                status.update(Code="LimitExceeded.PhoneNumberDailyLimit", Message="the number reached its daily limit")
            else:
                msgid = record_sms("tencent", phone, template_id, values, params["SignName"])
                status.update(Code="Ok", Message="send success", Fee=1, SerialNo=f"2433:{msgid}")
            statuses.append(status)
        return jsonify({"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})

    def aliyun_answer(code, message, status=200, **extra):
        return jsonify({"Code": code, "Message": message, "RequestId": str(uuid.uuid4()), **extra}), status

    def aliyun_signature_problem(body):
        """ACS3-HMAC-SHA256 (Alibaba Cloud's V3 request signature): None when signed right."""
        match = re.fullmatch(r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([a-z0-9;-]+),"
                             r"Signature=([0-9a-f]{64})", request.headers.get("Authorization", ""))
        if not match:
            return "IncompleteSignature"
        access_key_id, signed_headers, signature = match.groups()
        secret = SMS_KEYS["aliyun"].get(access_key_id)
        if secret is None:
            return "InvalidAccessKeyId.NotFound"
        names = signed_headers.split(";")
        if "host" not in names or "x-acs-date" not in names or "x-acs-content-sha256" not in names:
            return "IncompleteSignature"
        payload_hash = hashlib.sha256(body).hexdigest()
        if request.headers.get("x-acs-content-sha256") != payload_hash:
            return "SignatureDoesNotMatch"
        try:
            signed_at = datetime.strptime(request.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return "InvalidTimeStamp.Format"
        if abs(time.time() - signed_at.replace(tzinfo=UTC).timestamp()) > 900:
            return "InvalidTimeStamp.Expired"
        query = "&".join(f"{key}={quote(value, safe='~')}" for key, value in sorted(request.args.items()))
        headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in names)
        canonical_request = "\n".join([request.method, request.path, query, headers, signed_headers, payload_hash])
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        return None if hmac.compare_digest(expected, signature) else "SignatureDoesNotMatch"

    def aliyun_send_sms():
        body = request.get_data()
        problem = aliyun_signature_problem(body)
        if problem:
            return aliyun_answer(problem, "Specified signature does not match our calculation.", 400)
        failure = provider_failure("aliyun_sms")
        if failure.get("status"):
            return aliyun_answer("ServiceUnavailable", "emulated failure", int(failure["status"]))
        if failure.get("code"):
            return aliyun_answer(failure["code"], "emulated refusal")
        args = request.args
        template_id, sign = args.get("TemplateCode", ""), args.get("SignName", "")
        if template_id not in state.sms_templates["aliyun"]:
            return aliyun_answer("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法")
        if sign not in state.sms_signs:
            return aliyun_answer("isv.SMS_SIGNATURE_ILLEGAL", "签名不合法")
        try:
            values = json.loads(args.get("TemplateParam") or "{}")
        except ValueError:
            return aliyun_answer("isv.INVALID_JSON_PARAM", "JSON参数不合法")
        wanted = set(re.findall(r"\$\{(\w+)\}", state.sms_templates["aliyun"][template_id]))
        if not wanted.issubset(values) or not all(isinstance(v, str) for v in values.values()):
            return aliyun_answer("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        phones = [re.sub(r"^(\+86|0086|86)", "", p) for p in args.get("PhoneNumbers", "").split(",")]
        if not phones or not all(MAINLAND_MOBILE.match(p) for p in phones):
            return aliyun_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if any(over_daily_limit("aliyun", p) for p in phones):
            return aliyun_answer("isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10")
        msgid = None
        for phone in phones:
            msgid = record_sms("aliyun", phone, template_id, values, sign)
        return aliyun_answer("OK", "OK", BizId=f"{msgid}^0")

    @app.post("/")
    def cloud_api():
        """Both SMS providers answer on their API host's root; the action header says whose."""
        if request.headers.get("X-TC-Action"):
            if request.headers["X-TC-Action"] != "SendSms":
                return tencent_error("InvalidAction", "emulated API has SendSms only")
            return tencent_send_sms()
        if request.headers.get("x-acs-action"):
            if request.headers["x-acs-action"] != "SendSms":
                return aliyun_answer("InvalidAction.NotFound", "emulated API has SendSms only", 404)
            return aliyun_send_sms()
        return "unknown API", 404

    @app.post("/__emulator__/sms-templates")
    def sms_templates():
        """Approve templates (and sign names) at a provider, as its console would."""
        spec = request.get_json(force=True) or {}
        with state.lock:
            state.sms_templates[spec["provider"]].update({str(k): v for k, v in (spec.get("templates") or {}).items()})
            state.sms_signs.update(spec.get("signs") or [])
        return jsonify({"ok": True})

    @app.post("/__emulator__/sms-limits")
    def sms_limits():
        with state.lock:
            state.sms_per_day = (request.get_json(force=True) or {}).get("per_day")
        return jsonify({"ok": True})

    # --- a real-name verification service: name + ID number → match / mismatch / unknown ---
    @app.post("/identity/verify")
    def identity_verify():
        """Signed with X-Api-Key, X-Timestamp, X-Nonce and X-Signature = hex HMAC-SHA256(secret,
        "timestamp\nnonce\nsha256(body)"). Decides like the local checker, by the ID number's
        sequence code: 000 mismatch, 999 unknown (the registry has no answer), else match."""
        body = request.get_data()
        secret = IDENTITY_KEYS.get(request.headers.get("X-Api-Key", ""))
        timestamp = request.headers.get("X-Timestamp", "0")
        expected = hmac.new((secret or "").encode(), "\n".join(
            [timestamp, request.headers.get("X-Nonce", ""), hashlib.sha256(body).hexdigest()]).encode(),
            hashlib.sha256).hexdigest()
        if secret is None or not hmac.compare_digest(expected, request.headers.get("X-Signature", "")) \
                or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return jsonify({"code": 401, "message": "invalid signature"}), 401
        failure = provider_failure("identity")
        if failure.get("status"):
            return jsonify({"code": int(failure["status"]), "message": "emulated failure"}), int(failure["status"])
        with state.lock:
            state.identity_requests += 1
        data = json.loads(body or b"{}")
        id_number, name = str(data.get("id_number", "")), str(data.get("name", ""))
        if len(id_number) != 18 or not name:
            return jsonify({"code": 400, "message": "name and an 18-character id_number are required"}), 400
        result = {"000": "mismatch", "999": "unknown"}.get(id_number[14:17], "match")
        return jsonify({"code": 0, "result": result, "request_id": str(uuid.uuid4())})

    # --- QR codes: the mini-program code and the service account's parametric QR code ---
    @app.post("/wxa/getwxacodeunlimit")
    def wxacode_unlimited():
        """Answers a PNG on success and JSON {errcode, errmsg} on failure, as WeChat does."""
        refused = token_call("wxacode")
        if refused:
            return refused
        body = request.get_json(silent=True, force=True) or {}
        scene = body.get("scene")
        if not isinstance(scene, str) or not 1 <= len(scene) <= 32 or not SCENE_CHARS.issuperset(scene):
            return wechat_error(40169)  # invalid length for scene, or the data parameter is wrong
        image = io.BytesIO()
        qrcode.make(f"wxacode:{scene}").save(image, format="PNG")
        with state.lock:
            state.wxacodes.append({"scene": scene, "page": body.get("page"), "at": time.time()})
        return image.getvalue(), 200, {"Content-Type": "image/png"}

    @app.post("/cgi-bin/qrcode/create")
    def qrcode_create():
        refused = token_call("qrcode_create")
        if refused:
            return refused
        body = request.get_json(silent=True, force=True) or {}
        action = body.get("action_name")
        scene = (body.get("action_info") or {}).get("scene") or {}
        if action in ("QR_STR_SCENE", "QR_LIMIT_STR_SCENE"):
            value = scene.get("scene_str")
            if not isinstance(value, str) or not 1 <= len(value) <= 64:
                return wechat_error(40097)
        elif action in ("QR_SCENE", "QR_LIMIT_SCENE"):
            value = scene.get("scene_id")
            if not isinstance(value, int) or value <= 0:
                return wechat_error(40097)
        else:
            return wechat_error(40097)
        expire = body.get("expire_seconds", 60) if "LIMIT" not in action else None
        if expire is not None:
            if not isinstance(expire, int):
                return wechat_error(40097)
            expire = min(max(expire, 60), 2_592_000)  # WeChat clamps to at most 30 days
        ticket = "gQ" + secrets.token_urlsafe(40)
        url = "http://weixin.qq.com/q/" + secrets.token_urlsafe(16)
        with state.lock:
            state.qr_scenes[ticket] = {"action_name": action, "scene": value, "url": url, "at": time.time()}
        answer = {"ticket": ticket, "url": url}
        if expire is not None:
            answer["expire_seconds"] = expire
        return jsonify(answer)

    @app.get("/__emulator__/qrcodes")
    def qrcodes_seen():
        with state.lock:
            return jsonify({"wxacodes": list(state.wxacodes), "qr_scenes": dict(state.qr_scenes)})

    # --- control API for tests and developers ---
    @app.get("/__emulator__/sent")
    def sent():
        with state.lock:
            return jsonify(list(state.sent))

    @app.get("/__emulator__/requests")
    def requests_seen():
        with state.lock:
            return jsonify(list(state.requests))

    @app.get("/__emulator__/token-fetches")
    def token_fetches():
        with state.lock:
            return jsonify(list(state.token_fetches))

    @app.post("/__emulator__/expire-tokens")
    def expire_tokens():
        with state.lock:
            state.tokens = {t: (a, 0) for t, (a, _) in state.tokens.items()}
        return jsonify({"ok": True})

    @app.post("/__emulator__/fail")
    def fail():
        spec = request.get_json(force=True)
        spec.setdefault("times", 1)
        with state.lock:
            state.failures.setdefault(spec["api"], []).append(spec)
        return jsonify({"ok": True})

    @app.post("/__emulator__/reset")
    def reset():
        state.reset()
        return jsonify({"ok": True})

    return app


def code_user(code):
    """wx.login codes made by tests look like "user:<name>:<anything>"; others stand alone."""
    parts = code.split(":")
    return parts[1] if len(parts) >= 3 and parts[0] == "user" else code


# openid → user for every openid this process has made (so that user/info knows the unionid)
KNOWN_OPENIDS = {}


def openid_for(appid, user):
    openid = "o" + hashlib.sha256(f"{appid}:{user}".encode()).hexdigest()[:27]
    KNOWN_OPENIDS[openid] = user
    return openid


def unionid_for(user):
    return "u" + hashlib.sha256(f"union:{user}".encode()).hexdigest()[:27]


class EmulatorServer:
    """Runs the emulator in a thread on a free loopback port (tests, scripts/serve)."""

    def __init__(self, host="127.0.0.1", port=0, apps=None):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            """No request lines: the providers it plays get numbers and codes in their URLs, and
            the service's own log (which tests scan for them) is no place for a stand-in's lines."""

            def log_request(self, *args, **kwargs):
                pass

        self.app = create_emulator(apps)
        self.server = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def state(self):
        return self.app.extensions["emulator_state"]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = EmulatorServer(args.host, args.port)
    print(f"WeChat emulator on {server.url}", flush=True)
    server.server.serve_forever()


if __name__ == "__main__":
    main()
