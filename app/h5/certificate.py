"""The public verification page of a service-proof certificate: what its QR code opens.

Anyone may open it without logging in. It shows what the public API does
(GET /api/v1/certificates/{number}): valid or superseded, the masked name, hours, period and issue
date. An unknown or altered number gets the error page with 404 (CERTIFICATE_NOT_FOUND).
"""
from flask import Blueprint, Response, render_template

from app.services import certificates

bp = Blueprint("h5_certificate", __name__, url_prefix="/h5/certificates")


@bp.get("/<number>")
def verify_page(number):
    response = Response(render_template("h5/certificate.html", cert=certificates.verify(number)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
