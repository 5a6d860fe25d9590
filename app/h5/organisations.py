"""/h5/orgs/: 找组织 — search by name and region — and an organisation's page with its activities."""
from flask import Blueprint, render_template, request

from app.domain import activity_state as st
from app.domain.regions import REGIONS, region_prefix
from app.h5 import auth
from app.h5.activities import REGION_CHOICES, _page
from app.h5.texts import TITLES
from app.services import organisations
from app.services.org_activities import organisation_with_activities
from app.timeutil import utcnow

bp = auth.protect(Blueprint("h5_orgs", __name__, url_prefix="/h5/orgs"))

PER_PAGE = 10


@bp.get("/")
@auth.wechat_user
def search():
    name = (request.args.get("name") or "").strip()[:50]
    region = request.args.get("region") if request.args.get("region") in REGIONS else ""
    page = _page(request.args.get("page"))
    items, total = organisations.search(name=name or None, region=region_prefix(region) if region else None,
                                        page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("h5/orgs.html", title=TITLES["orgs"], items=items, total=total, name=name,
                           region=region, page=page, pages=pages, region_choices=REGION_CHOICES)


@bp.get("/<int:org_id>")
@auth.wechat_user
def show(org_id):
    page = _page(request.args.get("page"))
    now = utcnow()
    org, totals, children, items, total = organisation_with_activities(org_id, now=now, page=page, per_page=PER_PAGE)
    states = {a.id: st.activity_state(st.times_of(a), now) for a in items}
    return render_template("h5/org.html", title=TITLES["org"], org=org, totals=totals, children=children,
                           items=items, total=total, states=states, labels=st.LABELS, page=page,
                           pages=max(1, -(-total // PER_PAGE)))
