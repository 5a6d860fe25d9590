"""The one shape of an /api error: {"error": {"code", "message", ...}}."""
from flask import jsonify


def error_response(code, message, status, **extra):
    body = {"code": code, "message": message}
    body.update({k: v for k, v in extra.items() if v is not None})
    return jsonify({"error": body}), status
