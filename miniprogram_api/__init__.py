"""The /api/v1 mini-program API: validate → call a service → serialise.

flask-smorest validates request bodies and query strings with marshmallow schemas and builds
the OpenAPI description at /api/openapi.json from the same code. Every /api error leaves as
{"error": {"code", "message"}}: HTTP errors through EnvelopeApi below, refusals (DomainError)
through the app's handlers (app/errorhandlers.py) with the status miniprogram_api/errors.py
gives their code; the app's handlers also catch 404/405/413 for unmatched URLs.
"""
from flask import request
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema

from app.errors import MESSAGES
from miniprogram_api.bounds import IdConverter
from miniprogram_api.envelope import error_response
from miniprogram_api.errors import HTTP_CODES
from miniprogram_api.schemas import ErrorEnvelope


class EnvelopeApi(Api):
    """flask-smorest's Api with our error envelope for /api paths, and described as such."""

    ERROR_SCHEMA = ErrorEnvelope

    def handle_http_exception(self, error):
        if not request.path.startswith("/api/"):
            return error  # H5 pages and the callback keep Werkzeug's plain responses
        data = getattr(error, "data", None) or {}
        status = error.code if error.code < 500 else 500
        code = HTTP_CODES.get(error.code, "INTERNAL_ERROR" if error.code >= 500 else "BAD_REQUEST")
        fields = _field_errors(data.get("messages") or data.get("errors"))
        if error.code == 400 and data.get("messages"):
            # webargs: a body that is not JSON at all, or fields that fail their schema
            code = "VALIDATION_ERROR" if fields else "BAD_JSON"
        if code == "VALIDATION_ERROR":
            status = 422
        message = MESSAGES.get(code, "请求格式有误。")
        response, status = error_response(code, message, status, fields=fields or None)
        # What the error says besides its page: Allow on a 405, Retry-After, WWW-Authenticate.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status


def _field_errors(messages):
    """webargs nests errors by location ("json", "query"); clients want field → messages."""
    if not isinstance(messages, dict):
        return None
    merged = {}
    for location, part in messages.items():
        if isinstance(part, dict):
            merged.update(part)
        elif location not in ("json", "query", "form", "files", "headers", "path"):
            merged[location] = part
    return merged or None


api = EnvelopeApi()
api.register_converter(IdConverter, integerconverter2paramschema)  # documented with its maximum


def init_api(app, blueprints):
    """flask-smorest on the app, with the given blueprints in the OpenAPI description.

    Registered before any blueprint: every `<int:…>` of the app (API and pages) is an IdConverter."""
    app.url_map.converters["int"] = IdConverter
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
