"""The two references of scripts/bench_callback.py, each run under gunicorn like the service.

- `wechatpy_app`: the minimal safe-mode handler the way wechatpy's examples write it (check
  msg_signature and decrypt, parse, reply, encrypt) and nothing else: no replay check, no
  de-duplication, no database, no binding.
- `bare_app`: Flask returning a constant (the floor of a Flask request under gunicorn).
"""
import os

from flask import Flask, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import create_reply

TOKEN = os.environ.get("WECHAT_TOKEN", "devtoken")
APPID = os.environ.get("WECHAT_APPID", "wxdev0000000000001")
AES_KEY = os.environ["WECHAT_AES_KEY"]

wechatpy_app = Flask("wechatpy_reference")
crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)


@wechatpy_app.route("/", methods=["GET", "POST"])
def wechat():
    if request.method == "GET":
        return "ok"
    args = request.args
    try:
        xml = crypto.decrypt_message(request.data, args.get("msg_signature", ""), args.get("timestamp", ""),
                                     args.get("nonce", ""))
    except (InvalidSignatureException, InvalidAppIdException):
        return "invalid", 403
    message = parse_message(xml)
    reply = create_reply("收到：" + (getattr(message, "content", None) or message.type), message)
    return crypto.encrypt_message(reply.render(), args.get("nonce", ""))


bare_app = Flask("bare_reference")


@bare_app.route("/", methods=["GET", "POST"])
def constant():
    return "success"
