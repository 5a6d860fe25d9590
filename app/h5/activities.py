"""/h5/activities/: 做志愿 and 亲子体验 — the search with the manual's filters (state, region,
time, keyword, 亲子体验) and paging — and an activity's page with 我要报名 / 取消报名."""
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from app.domain import activity_state as st
from app.domain.regions import REGIONS
from app.errors import DomainError
from app.h5 import auth
from app.h5.texts import MESSAGES, TITLES
from app.services import activity_page, enrollment
from app.services.activity_search import search_activities
from app.timeutil import from_aware, utcnow

bp = auth.protect(Blueprint("h5_activities", __name__, url_prefix="/h5/activities"))

PER_PAGE = 10
STATE_CHOICES = [(s, st.label(s)) for s in (st.OPEN, st.NOT_OPEN, st.CLOSED, st.IN_PROGRESS, st.ENDED)]
# Cities (and the province) for the region filter: a district's activities are inside its city.
REGION_CHOICES = [(code, name) for code, name in REGIONS.items() if code.endswith("00")]


def _date(value):
    """A day of the years 2000-2100, or None: 0001-01-01 cannot become UTC, 9999-12-31 has no next day."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day and 2000 <= day.year <= 2100 else None


def _page(value):
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return 1


def search_form(args):
    """The query string → (what the form shows, the search filters). Unknown values are dropped."""
    form = {
        "keyword": (args.get("keyword") or "").strip()[:50],
        "state": args.get("state") if args.get("state") in st.STATES else "",
        "region": args.get("region") if args.get("region") in REGIONS else "",
        "start_from": _date(args.get("start_from")),
        "start_to": _date(args.get("start_to")),
        "family": args.get("family") in ("1", "true", "on"),
    }
    filters = {}
    if form["keyword"]:
        filters["keyword"] = form["keyword"]
    if form["state"]:
        filters["state"] = form["state"]
    if form["region"]:
        filters["region"] = form["region"]
    if form["start_from"]:  # from the start of that day in Shanghai
        filters["start_from"] = from_aware(datetime.combine(form["start_from"], time.min))
    if form["start_to"]:  # to the end of that day
        filters["start_to"] = from_aware(datetime.combine(form["start_to"] + timedelta(days=1), time.min))
    if form["family"]:
        filters["family"] = True
    return form, filters


def page_link(form, page):
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.items() if v}
    query = {k: ("1" if v is True else v) for k, v in query.items()}
    if page > 1:
        query["page"] = page
    return url_for("h5_activities.search") + ("?" + urlencode(query) if query else "")


@bp.get("/")
@auth.wechat_user
def search():
    form, filters = search_form(request.args)
    page = _page(request.args.get("page"))
    now = utcnow()
    items, total = search_activities(now=now, page=page, per_page=PER_PAGE, **filters)
    pages = max(1, -(-total // PER_PAGE))
    states = {a.id: st.activity_state(st.times_of(a), now) for a in items}
    return render_template(
        "h5/activities.html", title=TITLES["family"] if form["family"] else TITLES["activities"], form=form,
        items=items, states=states, labels=st.LABELS, total=total, page=page, pages=pages,
        prev_url=page_link(form, page - 1) if page > 1 else None,
        next_url=page_link(form, page + 1) if page < pages else None,
        state_choices=STATE_CHOICES, region_choices=REGION_CHOICES)


@bp.get("/<int:activity_id>")
@auth.wechat_user
def show(activity_id):
    account = auth.current_account()
    if account is None:
        session[auth.AFTER_BIND] = auth.wanted_page()  # 去绑定 comes back here
    data = activity_page.activity_for_viewer(activity_id, account, utcnow())
    return render_template("h5/activity.html", title=TITLES["activity"], **data)


def _position_id():
    raw = request.form.get("position_id") or ""
    if not raw:
        return None
    if not raw.isdigit():
        abort(400)
    return int(raw)


@bp.post("/<int:activity_id>/enrollment")
@auth.account_required
def enroll(activity_id):
    try:
        enrollment.enroll(auth.current_account().id, activity_id, _position_id())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(MESSAGES["enrolled"], "ok")
    return redirect(url_for("h5_activities.show", activity_id=activity_id))


@bp.post("/<int:activity_id>/cancellation")
@auth.account_required
def cancel(activity_id):
    try:
        enrollment.cancel(auth.current_account().id, activity_id)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(MESSAGES["cancelled"], "ok")
    return redirect(url_for("h5_activities.show", activity_id=activity_id))
