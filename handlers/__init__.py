"""The service account's callback at /wechat/callback: verify → parse → route → reply."""
from flask import Blueprint, abort, current_app, request
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

bp = Blueprint("wechat_callback", __name__)


def register_handlers(app):
    app.register_blueprint(bp)


@bp.get("/wechat/callback")
def verify_server():
    """WeChat's server check: answer echostr unchanged when the signature holds."""
    args = request.args
    try:
        check_signature(current_app.config["WECHAT_TOKEN"], args.get("signature", ""),
                        args.get("timestamp", ""), args.get("nonce", ""))
    except InvalidSignatureException:
        abort(403)
    return args.get("echostr", "")
