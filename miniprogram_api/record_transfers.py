"""记录转移 / 接续: export my records; ask to bring records from another region; the receiving
organisation approves."""
from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import record_transfers
from miniprogram_api.auth_context import admin_required, login_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.bounds import Id
from miniprogram_api.schemas import AnyObject, ItemsOut

blp = Blueprint("record_transfers", __name__, url_prefix="/api/v1", description="记录转移")


class TransferIn(Schema):
    document = fields.Dict(required=True, metadata={
        "description": "来源平台导出的记录文件（izyz-service-records 第 1 版，见 README），原样提交"})
    receiving_org_id = Id(load_default=None, allow_none=True,
                                      metadata={"description": "接收组织；省略则为归属组织"})


class TransferStatusIn(Schema):
    status = fields.String(load_default="pending", validate=validate.OneOf(("pending", "approved", "rejected")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10000))


class TransferDecisionIn(Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))


@blp.route("/me/records/export")
class MyRecordsExport(MethodView):
    @blp.response(200, AnyObject)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My effective service records as an outbound transfer document (format
        izyz-service-records, version 1; documented in README), which another region reads in."""
        return record_transfers.export_my_records(g.account.id)


@blp.route("/me/record-transfers")
class MyTransfers(MethodView):
    @login_required
    @blp.arguments(TransferIn())
    @blp.response(201, AnyObject)
    @blp.alt_response(422, description="TRANSFER_DOCUMENT_INVALID / TRANSFER_NOT_SAME_PERSON")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body):
        """Ask to bring records from another platform region: hand in the document exported there.
        The receiving organisation's admin approves; the records then count toward my totals."""
        return record_transfers.request_transfer(g.account.id, body["document"],
                                                 receiving_org_id=body["receiving_org_id"])

    @blp.response(200, ItemsOut)
    @blp.doc(security=[{"bearer": []}])
    @login_required
    def get(self):
        """My transfer requests and their status."""
        return {"items": record_transfers.my_transfers(g.account.id)}


@blp.route("/admin/record-transfers")
class AdminTransfers(MethodView):
    @admin_required
    @blp.arguments(TransferStatusIn(), location="query")
    @blp.response(200, ItemsOut)
    @blp.doc(security=[{"bearer": []}])
    def get(self, args):
        """Transfer requests to the organisations this admin manages, with the documents handed in."""
        return {"items": record_transfers.list_transfers(g.account, status=args["status"], page=args["page"])}


@blp.route("/admin/record-transfers/<int:transfer_id>/decision")
class TransferDecision(MethodView):
    @admin_required
    @blp.arguments(TransferDecisionIn())
    @blp.response(200, AnyObject)
    @blp.alt_response(404, description="TRANSFER_NOT_FOUND / NOT_FOUND")
    @blp.alt_response(409, description="TRANSFER_ALREADY_DECIDED (rejecting an approved request, or the reverse)")
    @blp.doc(security=[{"bearer": []}])
    def post(self, body, transfer_id):
        """Approve (records arrive marked with their origin and count once, however often this is
        sent) or reject with a reason (audited; the volunteer is notified)."""
        return record_transfers.decide_transfer(g.account, transfer_id, body["approve"], reason=body.get("reason"))
