"""My records and scans, my personal code, the public hours board and objections, 补录, the
volunteer card."""
from flask import current_app, g, request, send_file
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import card, clock_codes, clocking, objection_intake, records, supplements
from app.timeutil import to_iso
from miniprogram_api.auth_context import admin_required, login_required, optional_account_id
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import MAX_MINUTES, Id
from miniprogram_api.schemas import (
    BINARY,
    CardApplicationListOut,
    CardApplicationOut,
    CardOut,
    DynamicCodeOut,
    HoursBoardOut,
    MyRecordsOut,
    MyScansOut,
    ObjectionFiledOut,
    ObjectionListOut,
    ObjectionOut,
    SupplementListOut,
    SupplementOut,
)

blp = Blueprint("hours", __name__, url_prefix="/api/v1", description="服务时长、时长公示与志愿者证")

class PageIn(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


class BoardIn(PageIn):
    activity_id = Id(load_default=None, allow_none=True)


class ObjectionIn(Schema):
    record_id = Id(required=True)
    text = fields.String(required=True, validate=validate.Length(min=5, max=1000),
                         metadata={"description": "异议内容"})
    contact = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class ResolveIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("keep", "amend", "revoke")),
                           metadata={"description": "keep 维持 / amend 修改时长 / revoke 删除记录"})
    minutes = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(max=MAX_MINUTES),
                             metadata={"description": "amend 时的新分钟数"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


class StatusIn(PageIn):
    status = fields.String(load_default="pending")


class ObjectionStatusIn(PageIn):
    status = fields.String(load_default="open")


class SupplementForm(Schema):
    volunteer_id = Id(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_MINUTES))
    note = fields.String(load_default=None, validate=validate.Length(max=255))


class DecisionIn(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


class CardApplicationIn(Schema):
    bank = fields.String(required=True, validate=validate.OneOf(("boc", "ceb")),
                         metadata={"description": "boc 中国银行 / ceb 光大银行"})
    card_type = fields.String(required=True, validate=validate.OneOf(("debit", "credit")))
    delivery_name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    delivery_phone = fields.String(required=True, validate=validate.Regexp(r"^1\d{10}$"))
    delivery_address = fields.String(required=True, validate=validate.Length(min=5, max=255))


class CardProgressIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("review", "approve", "reject", "issue", "mail")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


# --- mine ---

@blp.route("/me/records")
class MyRecords(MethodView):
    @login_required
    @blp.arguments(PageIn(), location="query")
    @blp.response(200, MyRecordsOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """My service records, total time and star level (一星 100 h … 五星 1500 h)."""
        return records.my_records(g.account, page=args["page"])


@blp.route("/me/scans")
class MyScans(MethodView):
    @login_required
    @blp.arguments(PageIn(), location="query")
    @blp.response(200, MyScansOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """My scan records (each accepted check-in and check-out)."""
        return {"page": args["page"], "items": clocking.my_scans(g.account, page=args["page"])}


@blp.route("/me/dynamic-code")
class MyDynamicCode(MethodView):
    @blp.response(200, DynamicCodeOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My personal code, rotating every 30 s, for an admin to scan (a screenshot goes stale)."""
        result = clock_codes.personal_code(g.account)
        base = current_app.config["PUBLIC_BASE_URL"]
        return {"code": result["code"], "expires_at": to_iso(result["expires_at"]),
                "refresh_in": result["refresh_in"], "image_url": f"{base}/api/v1/attendance/codes/{result['code']}.png"}


@blp.route("/me/card")
class MyCard(MethodView):
    @blp.response(200, CardOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My card's volunteer QR code: a signed link to the public card page, and its image."""
        link = card.card_link(g.account)
        base = current_app.config["PUBLIC_BASE_URL"]
        return {"url": link["url"], "qr_image_url": f"{base}/h5/card/{link['token']}/qr.png",
                **records.totals_of(g.account.volunteer)}


@blp.route("/me/card-applications")
class MyCardApplications(MethodView):
    @blp.response(200, CardApplicationListOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My volunteer-card applications and their progress, newest first."""
        return {"items": card.my_applications(g.account)}

    @login_required
    @blp.arguments(CardApplicationIn())
    @blp.response(201, CardApplicationOut)
    @blp.alt_response(409, description="CARD_APPLICATION_EXISTS")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Apply for the registered-volunteer card (中国银行 / 光大银行, debit / credit)."""
        return card.apply(g.account, **body)


# --- public ---

@blp.route("/hours-board")
class HoursBoard(MethodView):
    @blp.arguments(BoardIn(), location="query")
    @blp.response(200, HoursBoardOut)
    def get(self, args):
        """时长公示: effective records within a year of recording; names and numbers masked."""
        return records.hours_board(activity_id=args["activity_id"], page=args["page"])


@blp.route("/objections")
class Objections(MethodView):
    @blp.arguments(ObjectionIn())
    @blp.response(201, ObjectionFiledOut)
    @blp.alt_response(404, description="OBJECTION_RECORD_NOT_PUBLIC")
    @blp.alt_response(429, description="RATE_LIMITED")
    def post(self, body):
        """我有异议: object to a public hours record (anyone; limited per IP)."""
        objection = objection_intake.object_to_record(body["record_id"], body["text"], contact=body.get("contact"),
                                                      filer_account_id=optional_account_id(), ip=request.remote_addr)
        return {"id": objection.id, "status": objection.status, "created_at": to_iso(objection.created_at)}


# --- admin ---

@blp.route("/admin/objections")
class AdminObjections(MethodView):
    @admin_required
    @blp.arguments(ObjectionStatusIn(), location="query")
    @blp.response(200, ObjectionListOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Objections to records of the admin's activities (open by default)."""
        return {"items": records.list_objections(g.account, status=args["status"], page=args["page"])}


@blp.route("/admin/objections/<int:objection_id>/resolution")
class ResolveObjection(MethodView):
    @admin_required
    @blp.arguments(ResolveIn())
    @blp.response(200, ObjectionOut)
    @blp.alt_response(409, description="OBJECTION_ALREADY_RESOLVED / RECORD_ALREADY_REVOKED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, objection_id):
        """Resolve an objection: keep, amend the minutes, or revoke the record (audited)."""
        return records.resolve_objection(g.account, objection_id, body["action"], note=body.get("note"),
                                         minutes=body.get("minutes"))


@blp.route("/admin/activities/<int:activity_id>/supplements")
class Supplements(MethodView):
    @admin_required
    @blp.arguments(SupplementForm(), location="form")
    @blp.response(201, SupplementOut)
    @blp.alt_response(409, description="SUPPLEMENT_TOO_EARLY / SUPPLEMENT_NOT_ADMITTED / "
                                       "SUPPLEMENT_NOT_FACE_CHECKED")
    @blp.alt_response(415, description="SUPPLEMENT_PROOF_TYPE")
    @blp.doc(security=[{"bearer": []}])
    def post(self, form, activity_id):
        """时长补录 (multipart/form-data): volunteer_id, minutes, note, and proof `files` (JPG/PNG/PDF,
        each ≤ 5 MB, at most 5). The parent organisation approves."""
        files = []
        for storage in request.files.getlist("files"):
            content = storage.stream.read(supplements.MAX_FILE_BYTES + 1)
            files.append((storage.filename, content))
        return supplements.enter_supplement(g.account, activity_id, form["volunteer_id"], form["minutes"],
                                            form.get("note"), files)


@blp.route("/admin/supplements")
class SupplementList(MethodView):
    @admin_required
    @blp.arguments(StatusIn(), location="query")
    @blp.response(200, SupplementListOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Entries to decide (child organisations') and entries of the admin's own activities."""
        return {"items": supplements.list_supplements(g.account, status=args["status"], page=args["page"])}


@blp.route("/admin/supplements/<int:entry_id>/decision")
class SupplementDecision(MethodView):
    @admin_required
    @blp.arguments(DecisionIn())
    @blp.response(200, SupplementOut)
    @blp.alt_response(409, description="SUPPLEMENT_ALREADY_DECIDED")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, entry_id):
        """The parent organisation approves (the minutes count) or rejects with a reason."""
        return supplements.decide_supplement(g.account, entry_id, body["approve"], reason=body.get("reason"))


@blp.route("/admin/supplements/<int:entry_id>/proofs/<int:index>")
class SupplementProof(MethodView):
    @blp.response(200, BINARY, content_type="application/octet-stream")
    @blp.doc(security=[{"bearer": []}])
    @admin_required
    def get(self, entry_id, index):
        """A proof file, for the entering and the approving admins only."""
        path, content_type = supplements.proof_file(g.account, entry_id, index)
        return send_file(path, mimetype=content_type, max_age=0)


@blp.route("/admin/card-applications/<int:application_id>/progress")
class CardProgress(MethodView):
    @admin_required
    @blp.arguments(CardProgressIn())
    @blp.response(200, CardApplicationOut)
    @blp.alt_response(409, description="CARD_ILLEGAL_TRANSITION")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, application_id):
        """The home organisation moves a card application on: review → approve / reject → issue → mail."""
        return card.advance(g.account, application_id, body["action"], note=body.get("note"))
