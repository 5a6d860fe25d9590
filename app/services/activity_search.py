"""Searching activities: every filter is a SQL condition, so paging and counts stay in the
database and the indexes of app/models/activity.py apply.

The displayed states become conditions on the times, with the same boundaries as
app/domain/activity_state.py. Each condition also bounds start_at or end_at, so MariaDB reads a
range of an index instead of every row: 报名未开始 / 马上报名 / 报名结束 all lie before the start
(enroll_end ≤ start_at), 执行中 between start and end, 已结束 after the end. The indexes
(app/models/activity.py) order by (start_at, id) and carry the other times, so the filters and
the COUNT(*) run inside them.

By service category (`category`, ix_activities_category_start) and nearest first (`near`): the
activities inside a box of `within_km` around the point (an index range on latitude), ordered by
the equirectangular distance — monotonic with the true distance at these scales, and plain
arithmetic on the row's columns; the distance shown is the haversine one (app/domain/geo.py).
"""
import math

from sqlalchemy.orm import selectinload

from app.domain import activity_state as st
from app.domain.regions import is_known, region_prefix
from app.errors import DomainError
from app.extensions import db
from app.models import Activity

MAX_PER_PAGE = 50
DEFAULT_WITHIN_KM = 100
KM_PER_DEGREE = 111.195  # of latitude (and of longitude at the equator)
# 执行中 on MariaDB: see search_activities (None without that index, e.g. the benchmark's references).
IN_PROGRESS_INDEX_HINT = "USE INDEX (ix_activities_end)"
# Lists without region, family or organisation filter walk (start_at, id) in order; MariaDB otherwise switches
# to a full scan and a sort for deep pages (page 200: 130 ms instead of ~20 ms).
START_ORDER_INDEX_HINT = "FORCE INDEX (ix_activities_start)"


def state_condition(state, now):
    """SQL condition on Activity for a displayed state at `now` (naive UTC)."""
    A = Activity
    live = A.revoked_at.is_(None)
    if state == st.REVOKED:
        return A.revoked_at.is_not(None)
    if state == st.ENDED:
        return db.and_(live, A.end_at <= now)
    if state == st.IN_PROGRESS:
        return db.and_(live, A.start_at <= now, A.end_at > now)
    if state == st.NOT_OPEN:
        return db.and_(live, A.start_at > now, A.enroll_start > now)
    if state == st.OPEN:
        return db.and_(live, A.start_at > now, A.enroll_start <= now, A.enroll_end > now)
    if state == st.CLOSED:
        return db.and_(live, A.start_at > now, A.enroll_end <= now)
    raise ValueError(f"unknown state {state}")


def search_conditions(*, now, state=None, region=None, keyword=None, start_from=None, start_to=None,
                      family=None, org_id=None, category=None, near=None, within_km=None):
    conditions = [state_condition(state, now)] if state else [Activity.revoked_at.is_(None)]
    if region:
        prefix = region_prefix(region)
        conditions.append(Activity.region_code == prefix if len(prefix) == 6
                          else Activity.region_code.startswith(prefix, autoescape=True))
    if keyword:
        pattern = keyword.strip()
        conditions.append(db.or_(Activity.title.contains(pattern, autoescape=True),
                                 Activity.address.contains(pattern, autoescape=True)))
    if start_from is not None:
        conditions.append(Activity.start_at >= start_from)
    if start_to is not None:
        conditions.append(Activity.start_at <= start_to)
    if family is not None:
        conditions.append(Activity.is_family == bool(family))  # "= 1": an index equality, unlike "IS true"
    if org_id is not None:
        conditions.append(Activity.org_id == org_id)
    if category:
        conditions.append(Activity.service_category == category)
    if near is not None:
        conditions.extend(_box(near, within_km or DEFAULT_WITHIN_KM))
    return conditions


def _box(near, within_km):
    """Activities with a venue within `within_km` north-south and east-west of `near`."""
    latitude, longitude = near
    dlat = within_km / KM_PER_DEGREE
    dlng = within_km / (KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return [Activity.latitude.between(latitude - dlat, latitude + dlat),
            Activity.longitude.between(longitude - dlng, longitude + dlng)]


def _distance_order(near):
    """Squared equirectangular distance (degrees²): same order as the real distance here."""
    latitude, longitude = near
    scale = math.cos(math.radians(latitude))
    dlat = Activity.latitude - latitude
    dlng = (Activity.longitude - longitude) * scale
    return dlat * dlat + dlng * dlng


def page_query(*, now, page=1, per_page=20, **filters):
    """The SELECT of one page: soonest start first, then by id for a stable order."""
    conditions = search_conditions(now=now, **filters)
    near = filters.get("near")
    order = (_distance_order(near),) if near is not None else ()
    query = (db.select(Activity).where(*conditions)
             .options(selectinload(Activity.organisation))  # each item shows its organisation's name
             .order_by(*order, Activity.start_at, Activity.id)
             .limit(per_page).offset((max(page, 1) - 1) * per_page))
    if filters.get("state") == st.IN_PROGRESS and IN_PROGRESS_INDEX_HINT:
        # 执行中: the few rows not yet ended, then sorted; left alone MariaDB walks every past
        # activity in start order looking for them (its range estimates cannot tell the two apart).
        query = query.with_hint(Activity, IN_PROGRESS_INDEX_HINT, dialect_name="mysql")
    elif (START_ORDER_INDEX_HINT and not filters.get("region") and filters.get("family") is None
          and filters.get("org_id") is None and not filters.get("category") and near is None):
        query = query.with_hint(Activity, START_ORDER_INDEX_HINT, dialect_name="mysql")
    return query


def search_activities(*, now, page=1, per_page=20, **filters):
    """→ (activities of the page, total). REGION_UNKNOWN for a region code we do not know."""
    if filters.get("region") and not is_known(filters["region"]):
        raise DomainError("REGION_UNKNOWN")
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    items = db.session.execute(page_query(now=now, page=page, per_page=per_page, **filters)).scalars().all()
    conditions = search_conditions(now=now, **filters)
    total = db.session.execute(
        db.select(db.func.count()).select_from(Activity).where(*conditions)).scalar_one()
    return items, total
