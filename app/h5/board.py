"""/h5/board/: 时长公示 — the public hours board, names and numbers masked — and 我有异议."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.errors import DomainError
from app.h5 import auth
from app.h5 import errors as h5_errors
from app.h5.activities import _page
from app.h5.texts import MESSAGES, TITLES
from app.services import objection_intake, records

bp = auth.protect(Blueprint("h5_board", __name__, url_prefix="/h5/board"))

PER_PAGE = 20


def _activity_id():
    raw = request.args.get("activity_id") or ""
    return int(raw) if raw.isdigit() else None


@bp.get("/")
@auth.wechat_user
def board():
    activity_id, page = _activity_id(), _page(request.args.get("page"))
    data = records.hours_board(activity_id=activity_id, page=page, per_page=PER_PAGE)
    return render_template("h5/board.html", title=TITLES["board"], items=data["items"], page=page,
                           per_page=PER_PAGE, activity_id=activity_id)


@bp.get("/records/<int:record_id>/objection")
@auth.wechat_user
def objection_form(record_id):
    return render_template("h5/objection.html", title=TITLES["objection"], record_id=record_id)


@bp.post("/records/<int:record_id>/objection")
@auth.wechat_user
def file_objection(record_id):
    text = (request.form.get("text") or "").strip()
    contact = (request.form.get("contact") or "").strip()
    if not text or len(text) > 500 or len(contact) > 100:
        return render_template("h5/objection.html", title=TITLES["objection"], record_id=record_id,
                               error="请填写异议内容（不超过 500 字）。", text=text, contact=contact), 422
    account = auth.current_account()
    try:
        objection_intake.object_to_record(record_id, text, contact=contact or None,
                                          filer_account_id=account.id if account else None,
                                          ip=request.remote_addr)
    except DomainError as exc:
        return render_template("h5/objection.html", title=TITLES["objection"], record_id=record_id,
                               error=exc.message, text=text, contact=contact), h5_errors.status_of(exc)
    flash(MESSAGES["objection_filed"], "ok")
    return redirect(url_for("h5_board.board"))
