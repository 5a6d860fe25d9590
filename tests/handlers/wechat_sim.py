"""Plays WeChat's server in tests: builds messages, signs and encrypts them as WeChat does
(WECHAT.md), posts them to the callback and decrypts the reply."""
import hashlib
import itertools
import secrets
import time

from defusedxml.ElementTree import fromstring
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from scripts.emulator import openid_for

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
_msgids = itertools.count(int(time.time() * 1000))


def sha1(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def xml_of(fields):
    body = []
    for key, value in fields.items():
        if isinstance(value, dict):
            body.append(f"<{key}>{xml_inner(value)}</{key}>")
        elif isinstance(value, (int, float)):
            body.append(f"<{key}>{value}</{key}>")
        else:
            body.append(f"<{key}><![CDATA[{value}]]></{key}>")
    return "<xml>" + "".join(body) + "</xml>"


def xml_inner(fields):
    return xml_of(fields)[len("<xml>"):-len("</xml>")]


class WechatServer:
    def __init__(self, client, config, aes_key=None):
        self.client = client
        self.token = config["WECHAT_TOKEN"]
        self.appid = config["WECHAT_APPID"]
        self.aes_key = aes_key
        self.crypto = WeChatCrypto(self.token, aes_key, self.appid) if aes_key else None

    def openid(self, user):
        return openid_for(self.appid, user)

    # --- message builders (fields as WeChat documents them) ---
    def base(self, user, msg_type, create_time=None):
        return {"ToUserName": "gh_izyz", "FromUserName": self.openid(user),
                "CreateTime": create_time or int(time.time()), "MsgType": msg_type}

    def text(self, user, content, msgid=None):
        return {**self.base(user, "text"), "Content": content, "MsgId": msgid or next(_msgids)}

    def event(self, user, event, create_time=None, **fields):
        return {**self.base(user, "event", create_time), "Event": event, **fields}

    # --- sending ---
    def query(self, timestamp, nonce, encrypt=None):
        q = {"signature": sha1(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
             "openid": "x"}
        if encrypt is not None:
            q.update(encrypt_type="aes", msg_signature=sha1(self.token, timestamp, nonce, encrypt))
        return q

    def envelope(self, message, timestamp, nonce, compatible=False):
        """→ (query, body) signed (and encrypted in safe mode) as WeChat sends them."""
        plain = xml_of(message)
        if not self.crypto:
            return self.query(timestamp, nonce), plain.encode()
        encrypt = PrpCrypto(self.crypto.key).encrypt(plain, self.appid).decode()
        fields = dict(message) if compatible else {"ToUserName": message["ToUserName"]}
        fields["Encrypt"] = encrypt
        return self.query(timestamp, nonce, encrypt), xml_of(fields).encode()

    def post(self, message, timestamp=None, nonce=None, compatible=False):
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        query, body = self.envelope(message, timestamp, nonce, compatible)
        return self.client.post("/wechat/callback", query_string=query, data=body,
                                content_type="text/xml")

    def reply(self, response):
        """The reply as a dict (decrypted and its signature checked in safe mode); {} for none."""
        assert response.status_code == 200, (response.status_code, response.data[:200])
        data = response.data
        if data in (b"", b"success"):
            return {}
        parsed = dict((c.tag, c.text) for c in fromstring(data))
        if self.crypto:
            assert set(parsed) >= {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}, parsed
            assert parsed["MsgSignature"] == sha1(self.token, parsed["TimeStamp"], parsed["Nonce"],
                                                  parsed["Encrypt"])
            plain = PrpCrypto(self.crypto.key).decrypt(parsed["Encrypt"], self.appid)
            parsed = dict((c.tag, c.text) for c in fromstring(plain.encode()))
        return parsed

    def say(self, message, **kwargs):
        return self.reply(self.post(message, **kwargs))
