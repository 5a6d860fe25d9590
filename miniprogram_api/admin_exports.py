"""Admin downloads: an activity's roster with hours, an organisation's hours for a period, and the
organisation's report (统计报表) as JSON or xlsx. Files are streamed as they are written."""
from flask import Response, g, stream_with_context
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.services import exports, reports
from miniprogram_api.auth_context import admin_required
from miniprogram_api.blueprint import Blueprint
from miniprogram_api.schemas import BINARY, AnyObject

blp = Blueprint("admin_exports", __name__, url_prefix="/api/v1/admin", description="导出与统计报表")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


class ExportIn(Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(("xlsx", "csv")))
    full_numbers = fields.Boolean(load_default=False, metadata={
        "description": "完整证件号码和手机号（仅本组织管理员；记入审计日志）；默认脱敏"})


class PeriodIn(Schema):
    start = fields.Date(load_default=None, allow_none=True, metadata={"description": "起始日（含）"})
    end = fields.Date(load_default=None, allow_none=True, metadata={"description": "结束日（含）"})


class HoursExportIn(ExportIn, PeriodIn):
    by = fields.String(load_default="volunteer", validate=validate.OneOf(("volunteer", "activity")),
                       metadata={"description": "volunteer 按志愿者 / activity 按活动"})


class ReportIn(PeriodIn):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))


def _download(export):
    response = Response(stream_with_context(export.chunks), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/activities/<int:activity_id>/export")
class ActivityExport(MethodView):
    @admin_required
    @blp.arguments(ExportIn(), location="query")
    @blp.response(200, BINARY, content_type=XLSX,
                  description="xlsx (sheets 名单与时长, 服务记录) or CSV (UTF-8 with BOM)")
    @blp.alt_response(200, schema=BINARY, content_type=CSV, success=True, description="format=csv")
    @blp.alt_response(404, description="ACTIVITY_NOT_FOUND / NOT_FOUND (another branch's activity)")
    @blp.doc(security=[{"bearer": []}])
    def get(self, args, activity_id):
        """An activity's roster: every volunteer holding a place, with sessions and hours (and,
        in xlsx, one row per session). ID and phone numbers masked unless `full_numbers` (audited)."""
        return _download(exports.activity_roster(g.account, activity_id, fmt=args["format"],
                                                 full_numbers=args["full_numbers"]))


@blp.route("/organisations/<int:org_id>/hours-export")
class OrganisationHoursExport(MethodView):
    @admin_required
    @blp.arguments(HoursExportIn(), location="query")
    @blp.response(200, BINARY, content_type=XLSX, description="xlsx or CSV (UTF-8 with BOM)")
    @blp.alt_response(200, schema=BINARY, content_type=CSV, success=True, description="format=csv")
    @blp.alt_response(404, description="NOT_FOUND: not an organisation this admin manages")
    @blp.alt_response(422, description="PERIOD_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def get(self, args, org_id):
        """An organisation's service hours in a period, per volunteer or per activity: its own
        records and, where the admin holds regional authority, its subtree's."""
        return _download(exports.organisation_hours(
            g.account, org_id, start=args["start"], end=args["end"], by=args["by"], fmt=args["format"],
            full_numbers=args["full_numbers"]))


@blp.route("/organisations/<int:org_id>/report")
class OrganisationReport(MethodView):
    @admin_required
    @blp.arguments(ReportIn(), location="query")
    @blp.response(200, AnyObject)
    @blp.alt_response(200, schema=BINARY, content_type=XLSX, success=True, description="format=xlsx")
    @blp.alt_response(404, description="NOT_FOUND: not an organisation this admin manages")
    @blp.alt_response(422, description="PERIOD_INVALID")
    @blp.doc(security=[{"bearer": []}])
    def get(self, args, org_id):
        """统计报表 of the organisation (and, with regional authority, its subtree) for a period
        (default: this year): volunteers registered / approved / with a card (持证率) / active,
        activities published and held, hours by month and by service category, the top
        organisations by hours. From precomputed rollups (`as_of` says when they were made);
        `format=xlsx` downloads the same as a workbook."""
        if args["format"] == "xlsx":
            return _download(reports.report_file(g.account, org_id, start=args["start"], end=args["end"]))
        return reports.organisation_report(g.account, org_id, start=args["start"], end=args["end"])
