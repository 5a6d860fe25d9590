"""The one shape of an /api error: {"error": {"code", "message", ...}}."""
from flask import jsonify

from miniprogram_api.errors import status_of


def error_response(code, message, status, **extra):
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify({"error": body}), status


def refusal_response(error):
    """A refusal (DomainError) in the envelope, with the API's status for its code; its details
    (e.g. the activity's state) become fields beside code and message."""
    return error_response(error.code, error.message, status_of(error.code), **error.details)
