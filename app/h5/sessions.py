"""Flask's signed-cookie session (the H5 pages use it), minus two costs on every request:

- the callback and the mini-program API never use a session (WeChat's servers send no cookies;
  the API authenticates by bearer token), so none is opened for them;
- the signing serializer is built once per secret key instead of once per request.
"""
from flask.sessions import SecureCookieSessionInterface

SESSIONLESS_PATHS = ("/wechat/callback",)
SESSIONLESS_PREFIXES = ("/api/",)


class QuickCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers[key] = serializer
        return serializer

    def open_session(self, app, request):
        if request.path in SESSIONLESS_PATHS or request.path.startswith(SESSIONLESS_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)
