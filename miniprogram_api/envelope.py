"""The one shape of an /api error: {"error": {"code", "message", ...}}."""
from flask import jsonify

from miniprogram_api.errors import status_of


def error_response(code, message, status, **extra):
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify({"error": body}), status


DEFAULT_RETRY_AFTER = 60  # seconds, for a 429 whose refusal does not say how long


def refusal_response(error):
    """A refusal (DomainError) in the envelope, with the API's status for its code; its details
    (e.g. the activity's state) become fields beside code and message. A 429 says when to come
    back in Retry-After (the refusal's retry_after, in seconds, or a minute)."""
    details = dict(error.details)
    retry_after = details.pop("retry_after", None)
    response, status = error_response(error.code, error.message, status_of(error.code), **details)
    if status == 429:
        response.headers["Retry-After"] = str(max(1, int(retry_after or DEFAULT_RETRY_AFTER)))
    return response, status
