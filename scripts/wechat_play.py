"""Play WeChat's server against a running service: hold a conversation with the local
service account from a terminal.

Messages are built, signed and (in safe mode) encrypted exactly as WeChat sends them to
/wechat/callback; the reply is decrypted, its signature checked, and printed.

    python -m scripts.wechat_play --url http://127.0.0.1:8000 --user alice subscribe
    python -m scripts.wechat_play text 时长
    python -m scripts.wechat_play scan poster-2026        # SCAN of a parametric QR code
    python -m scripts.wechat_play subscribe --scene 42    # subscribe with EventKey qrscene_42
    python -m scripts.wechat_play click MY_HOURS
    python -m scripts.wechat_play scancode <scanned text> # scancode_waitmsg (menu 扫码计时)
    python -m scripts.wechat_play location 23.1291 113.2644
    python -m scripts.wechat_play                          # interactive: type text, or /subscribe …

Safe mode when --aes-key (or WECHAT_AES_KEY) is given; the token and AppID default to the
development values (WECHAT_TOKEN, WECHAT_APPID). The user's openid is the one the emulator
gives that user name, so the H5 binding page (emulator_user=<name>) binds the same person.
"""
import argparse
import hashlib
import itertools
import os
import secrets
import shlex
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from defusedxml.ElementTree import fromstring  # noqa: E402
from wechatpy.crypto import PrpCrypto, WeChatCrypto  # noqa: E402

from scripts.emulator import openid_for  # noqa: E402

DEV_TOKEN = "devtoken"
DEV_APPID = "wxdev0000000000001"
_msgids = itertools.count(int(time.time() * 1000))


def sha1(*parts):
    return hashlib.sha1("".join(sorted(str(p) for p in parts)).encode()).hexdigest()


def xml_of(fields):
    """{tag: value or nested dict} → WeChat's XML (strings in CDATA, numbers bare)."""
    body = []
    for key, value in fields.items():
        if isinstance(value, dict):
            body.append(f"<{key}>{xml_of(value)[5:-6]}</{key}>")
        elif isinstance(value, (int, float)):
            body.append(f"<{key}>{value}</{key}>")
        else:
            # A "]]>" inside the text is split across two CDATA sections, as XML requires.
            body.append(f"<{key}><![CDATA[{str(value).replace(']]>', ']]]]><![CDATA[>')}]]></{key}>")
    return "<xml>" + "".join(body) + "</xml>"


def children(data):
    return {c.tag: (children_of(c) if len(c) else c.text) for c in fromstring(data)}


def children_of(element):
    return {c.tag: c.text for c in element}


class WechatPeer:
    """WeChat's side of the callback: builds, signs, encrypts; reads replies."""

    def __init__(self, token, appid, aes_key=None):
        self.token, self.appid, self.aes_key = token, appid, aes_key
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None

    def openid(self, user):
        return openid_for(self.appid, user)

    # --- messages, with the fields WeChat documents ---
    def base(self, user, msg_type, create_time=None):
        return {"ToUserName": "gh_izyz", "FromUserName": self.openid(user),
                "CreateTime": create_time or int(time.time()), "MsgType": msg_type}

    def text(self, user, content, msgid=None):
        return {**self.base(user, "text"), "Content": content, "MsgId": msgid or next(_msgids)}

    def event(self, user, event, create_time=None, **fields):
        return {**self.base(user, "event", create_time), "Event": event, **fields}

    # --- the envelope ---
    def query(self, timestamp, nonce, encrypt=None):
        q = {"signature": sha1(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce,
             "openid": "x"}
        if encrypt is not None:
            q.update(encrypt_type="aes", msg_signature=sha1(self.token, timestamp, nonce, encrypt))
        return q

    def envelope(self, message, timestamp=None, nonce=None, compatible=False):
        """→ (query, body) signed, and encrypted in safe mode, as WeChat sends them."""
        timestamp = str(timestamp or int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        plain = xml_of(message)
        if not self.crypto:
            return self.query(timestamp, nonce), plain.encode()
        encrypt = PrpCrypto(self.crypto.key).encrypt(plain, self.appid).decode()
        fields = dict(message) if compatible else {"ToUserName": message["ToUserName"]}
        fields["Encrypt"] = encrypt
        return self.query(timestamp, nonce, encrypt), xml_of(fields).encode()

    def read_reply(self, data):
        """The reply body → dict ({} for no reply); decrypted and its signature checked in safe mode."""
        if data in (b"", b"success"):
            return {}
        parsed = children(data)
        if self.crypto:
            if not {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"} <= set(parsed):
                raise ValueError(f"safe-mode reply without its envelope: {parsed}")
            expected = sha1(self.token, parsed["TimeStamp"], parsed["Nonce"], parsed["Encrypt"])
            if parsed["MsgSignature"] != expected:
                raise ValueError("reply MsgSignature does not match")
            parsed = children(PrpCrypto(self.crypto.key).decrypt(parsed["Encrypt"], self.appid).encode())
        return parsed


def build(peer, user, command, args):
    """A command line ("text 你好", "scan 42", …) → the message WeChat would send."""
    if command == "text":
        return peer.text(user, " ".join(args))
    if command == "subscribe":
        scene = args[1] if args[:1] == ["--scene"] and len(args) > 1 else None
        if scene:
            return peer.event(user, "subscribe", EventKey=f"qrscene_{scene}",
                              Ticket="gQEMU" + secrets.token_hex(6))
        return peer.event(user, "subscribe")
    if command == "unsubscribe":
        return peer.event(user, "unsubscribe")
    if command == "scan":
        return peer.event(user, "SCAN", EventKey=args[0], Ticket="gQEMU" + secrets.token_hex(6))
    if command == "click":
        return peer.event(user, "CLICK", EventKey=args[0])
    if command == "view":
        return peer.event(user, "VIEW", EventKey=args[0])
    if command in ("scancode", "scancode_push", "scancode_waitmsg"):
        event = "scancode_push" if command == "scancode_push" else "scancode_waitmsg"
        return peer.event(user, event, EventKey="SCAN_CLOCK",
                          ScanCodeInfo={"ScanType": "qrcode", "ScanResult": " ".join(args)})
    if command == "location":
        return peer.event(user, "LOCATION", Latitude=args[0], Longitude=args[1], Precision="20.0")
    if command == "template-finished":
        return peer.event(user, "TEMPLATESENDJOBFINISH", MsgID=args[0],
                          Status=args[1] if len(args) > 1 else "success")
    raise SystemExit(f"unknown command {command!r}")


def show(reply):
    if not reply:
        return "(no reply: success)"
    if reply.get("MsgType") == "text":
        return reply.get("Content", "")
    if reply.get("MsgType") == "transfer_customer_service":
        return "(transferred to customer service)"
    return repr(reply)


def send(session, url, peer, message, verbose=False):
    query, body = peer.envelope(message)
    response = session.post(url.rstrip("/") + "/wechat/callback", params=query, data=body,
                            headers={"Content-Type": "text/xml"}, timeout=10)
    if verbose:
        print(f"→ POST /wechat/callback?{'&'.join(f'{k}={v}' for k, v in query.items())}")
        print(f"  {body.decode()}")
        print(f"← {response.status_code} {response.text[:300]}")
    if response.status_code != 200:
        return f"(refused: HTTP {response.status_code} {response.text[:100]})"
    return show(peer.read_reply(response.content))


def main(argv=None):
    import requests

    parser = argparse.ArgumentParser(description="Play WeChat's server against the local service account.")
    parser.add_argument("--url", default=os.environ.get("SERVICE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--user", default="alice", help="the WeChat user (openid as the emulator makes it)")
    parser.add_argument("--token", default=os.environ.get("WECHAT_TOKEN", DEV_TOKEN))
    parser.add_argument("--appid", default=os.environ.get("WECHAT_APPID", DEV_APPID))
    parser.add_argument("--aes-key", default=os.environ.get("WECHAT_AES_KEY") or None,
                        help="EncodingAESKey: safe mode (as the service is configured)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print the raw request and reply")
    parser.add_argument("command", nargs="?")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    peer = WechatPeer(options.token, options.appid, options.aes_key)
    session = requests.Session()
    mode = "safe mode" if options.aes_key else "plain mode"
    if options.command:
        message = build(peer, options.user, options.command, options.args)
        print(send(session, options.url, peer, message, options.verbose))
        return 0
    print(f"Talking to {options.url} as {options.user} ({peer.openid(options.user)}, {mode}).")
    print("Type a text message, or /subscribe [--scene S], /scan S, /click KEY, /scancode TEXT, "
          "/location LAT LNG, /unsubscribe, /quit.")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line.startswith("/"):
            parts = shlex.split(line[1:])
            message = build(peer, options.user, parts[0], parts[1:])
        else:
            message = peer.text(options.user, line)
        print("公众号: " + send(session, options.url, peer, message, options.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
