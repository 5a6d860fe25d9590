"""What the app answers when a request ends in an error, whichever adapter it reached.

A refusal (DomainError) leaves nothing written: the transaction is rolled back first.
"""
import logging

from flask import request
from werkzeug.exceptions import HTTPException

from app.errors import ERRORS
from app.extensions import db
from miniprogram_api import api
from miniprogram_api.envelope import error_response

log = logging.getLogger(__name__)


def handle_domain_error(error):
    db.session.rollback()
    return error_response(error.code, error.message, error.status, **error.details)


def handle_unexpected(error):
    if isinstance(error, HTTPException):
        return api.handle_http_exception(error)
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        return error_response("INTERNAL_ERROR", ERRORS["INTERNAL_ERROR"][1], 500)
    return "服务器开小差了，请稍后再试。", 500
