"""志愿服务记录证明: ask for one, list mine, download the PDF; anyone verifies a number."""
from flask import Response, current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import certificates
from miniprogram_api.activity_json import page_json
from miniprogram_api.auth_context import login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.schemas import BINARY, CertificateCheckOut, MyCertificateOut, MyCertificatePageOut

blp = Blueprint("certificates", __name__, url_prefix="/api/v1", description="志愿服务记录证明")


class CertificateIn(Schema):
    start = fields.Date(load_default=None, allow_none=True,
                        metadata={"description": "期间起始日（含）；省略则自首次服务起"})
    end = fields.Date(load_default=None, allow_none=True, metadata={"description": "期间结束日（含）；省略则至今"})


class CertificatePageIn(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


def verify_url(number):
    """The public H5 page the certificate's QR code opens."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/h5/certificates/{number}"


def _links(summary):
    number = summary["number"]
    return summary | {"download_url": f"/api/v1/me/certificates/{number}/pdf", "verify_url": verify_url(number),
                      "verify_api_url": f"/api/v1/certificates/{number}"}


@blp.route("/me/certificates")
class MyCertificates(MethodView):
    @login_required
    @blp.arguments(CertificateIn())
    @blp.response(201, MyCertificateOut)
    @blp.alt_response(409, description="CERTIFICATE_NO_RECORDS")
    @blp.alt_response(422, description="PERIOD_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Issue a service-proof certificate covering all recorded service, or the period given.
        Answers its `number` (random, not a sequence), `download_url` (the PDF, for the holder),
        `verify_url` (the public H5 page its QR code opens) and the totals it certifies."""
        return _links(certificates.issue_certificate(g.account.id, start=body["start"], end=body["end"]))

    @login_required
    @blp.arguments(CertificatePageIn(), location="query")
    @blp.response(200, MyCertificatePageOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """My certificates, newest first, each with its current `status` (valid / superseded)."""
        result = certificates.my_certificates(g.account.id, page=args["page"], per_page=args["per_page"])
        return page_json([_links(c) for c in result["items"]], result["total"], args["page"], args["per_page"])


@blp.route("/me/certificates/<number>/pdf")
class CertificatePdf(MethodView):
    @blp.response(200, BINARY, content_type="application/pdf", description="The certificate as a PDF (A4).")
    @blp.alt_response(404, description="CERTIFICATE_NOT_FOUND")
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self, number):
        """Download my certificate as a PDF (the holder only)."""
        number, pdf = certificates.pdf(g.account.id, number, verify_url)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="certificate-{number}.pdf"'
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/certificates/<number>")
class VerifyCertificate(MethodView):
    @blp.response(200, CertificateCheckOut)
    @blp.alt_response(404, description="CERTIFICATE_NOT_FOUND: unknown or altered number")
    def get(self, number):
        """Verify a certificate (anyone, no login): `valid`, `status` (valid / superseded when a
        covered record was revoked or amended later), masked holder name, hours, period, issue date."""
        return certificates.verify(number) | {"verify_url": verify_url(number.strip().upper())}
