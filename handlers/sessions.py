"""Flask's signed-cookie session (the H5 pages use it), minus two costs on every request:

- the callback never uses a session, so none is opened for /wechat/callback (WeChat's
  servers send no cookies; the default interface would still parse and sign for nothing);
- the signing serializer is built once per secret key instead of once per request.
"""
from flask.sessions import SecureCookieSessionInterface

SESSIONLESS_PATHS = ("/wechat/callback",)


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
        if request.path in SESSIONLESS_PATHS:
            return self.make_null_session(app)
        return super().open_session(app, request)
