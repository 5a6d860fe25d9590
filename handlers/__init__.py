"""The service account's callback at /wechat/callback: verify → parse → route → reply."""
from flask import Blueprint, abort, request

bp = Blueprint("wechat_callback", __name__)


def register_handlers(app):
    """The callback blueprint here, and every module of this package that defines `bp`
    (the city-service H5 pages add theirs without editing this function)."""
    import importlib
    import pkgutil

    from handlers.callback import CallbackEndpoint
    from handlers.sessions import QuickCookieSessionInterface

    app.session_interface = QuickCookieSessionInterface()
    app.wsgi_app = CallbackEndpoint(app, app.wsgi_app)  # the callback's POST (handlers/callback.py)
    app.register_blueprint(bp)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)


@bp.get("/wechat/callback")
def verify_server():
    """WeChat's server check: answer echostr unchanged when the signature holds."""
    from app.wechat.callback import CallbackRejected
    from handlers.callback import codec

    args = request.args
    try:  # the same check as every POST's
        codec().check_url_signature(args.get("signature", ""), args.get("timestamp", ""), args.get("nonce", ""))
    except CallbackRejected:
        abort(403)
    return args.get("echostr", "")
