"""我有异议 from any surface (the mini-program API and the H5 时长公示 page) through one per-IP
limiter: 5 in 10 minutes, 20 a day, counted in Redis under one set of keys, so that switching
surface gains nothing. Past the limits the refusal is RATE_LIMITED (429 in the API's envelope,
with Retry-After); the limits are those of app/services/rate_limits.py ("objection")."""
from app.services import rate_limits
from app.services.records import file_objection


def object_to_record(record_id, text, *, contact=None, filer_account_id=None, ip):
    """→ the Objection. RATE_LIMITED past the limits; OBJECTION_RECORD_NOT_PUBLIC as records says."""
    rate_limits.check("objection", ip or "unknown")
    return file_objection(record_id, text, contact=contact, filer_account_id=filer_account_id)
