"""Clock-code keys rotate without breaking the codes on screens: a code issued before the
rotation works until it expires, codes issued after it carry the new key's id, and a bad key
list stops the service from starting."""
from datetime import timedelta

import pytest

from app.config import ConfigError, load_config
from app.domain import codes
from app.errors import DomainError
from app.services import clock_codes, clocking
from app.timeutil import utcnow

VENUE = (23.1235, 113.2950)


def rotate(app, keys, rotated_at):
    """What a restart with new CLOCK_CODE_KEYS / CLOCK_CODE_ROTATED_AT does."""
    loaded = load_config(env={"CLOCK_CODE_KEYS": keys, "CLOCK_CODE_ROTATED_AT": str(rotated_at)})
    app.config.update({k: loaded[k] for k in ("CLOCK_CODE_KEYS", "CLOCK_CODE_ROTATED_AT", "CLOCK_CODE_SKEW_SECONDS")})
    app.extensions["izyz_code_keys"].pop("ring", None)


def key_id_of(code):
    return codes._unb64(code[1:])[1]


@pytest.fixture
def restore_keys(app):
    saved = {k: app.config.get(k) for k in ("CLOCK_CODE_KEYS", "CLOCK_CODE_ROTATED_AT", "CLOCK_CODE_SKEW_SECONDS")}
    yield
    app.config.update(saved)
    app.extensions.get("izyz_code_keys", {}).pop("ring", None)


def test_a_code_issued_then_keys_rotated_works_until_it_expires(app, factories, restore_keys):
    org = factories.org()
    admin = factories.admin(org)
    activity = factories.activity(org, starts_in=-timedelta(hours=1), hours=4, enroll_open=False)
    early, late = factories.volunteer(org, face_checked=True), factories.volunteer(org, face_checked=True)
    factories.enroll(activity, early)
    factories.enroll(activity, late)
    t0 = utcnow()
    on_screen = clock_codes.issue_clock_code(admin, activity.id, "checkin", now=t0)["code"]
    assert key_id_of(on_screen) == 0  # the default key, derived from SECRET_KEY

    # The operator adds key 1, taking over 5 s later; the old key is listed as id 0.
    rotate(app, f"0:{app.config['SECRET_KEY']},1:a-brand-new-clock-secret", clock_codes.epoch(t0) + 5)
    fresh = clock_codes.issue_clock_code(admin, activity.id, "checkin", now=t0 + timedelta(seconds=10))["code"]
    assert key_id_of(fresh) == 1

    scanned = clocking.scan(early.account_id, on_screen, "miniprogram", *VENUE, now=t0 + timedelta(seconds=100))
    assert scanned["kind"] == "checkin"
    with pytest.raises(DomainError) as info:  # its two minutes are over
        clocking.scan(late.account_id, on_screen, "miniprogram", *VENUE, now=t0 + timedelta(seconds=121))
    assert info.value.code == "CLOCK_CODE_EXPIRED"
    assert clocking.scan(late.account_id, fresh, "miniprogram", *VENUE,
                         now=t0 + timedelta(seconds=121))["kind"] == "checkin"

    # Once key 0 is dropped from the list, its codes are forgeries.
    rotate(app, "1:a-brand-new-clock-secret", clock_codes.epoch(t0) + 5)
    other = factories.volunteer(org, face_checked=True)
    factories.enroll(activity, other)
    with pytest.raises(DomainError) as info:
        clocking.scan(other.account_id, on_screen, "miniprogram", *VENUE, now=t0 + timedelta(seconds=30))
    assert info.value.code == "CLOCK_CODE_INVALID"


@pytest.mark.parametrize("env, problem", [
    ({"CLOCK_CODE_KEYS": "1:short"}, "16 or more"),
    ({"CLOCK_CODE_KEYS": "one:a-long-enough-secret"}, "id:secret"),
    ({"CLOCK_CODE_KEYS": "300:a-long-enough-secret"}, "id:secret"),
    ({"CLOCK_CODE_KEYS": "1:a-long-enough-secret,1:another-long-secret", "CLOCK_CODE_ROTATED_AT": "1"}, "twice"),
    ({"CLOCK_CODE_KEYS": "1:a-long-enough-secret,2:another-long-secret"}, "CLOCK_CODE_ROTATED_AT"),
    ({"CLOCK_CODE_KEYS": "1:a-long-enough-secret,2:another-long-secret",
      "CLOCK_CODE_ROTATED_AT": "2026-12-02T09:00:00"}, "offset"),
])
def test_a_bad_key_list_stops_the_start(env, problem):
    with pytest.raises(ConfigError) as info:
        load_config(env=env)
    assert problem in str(info.value)


def test_the_rotation_moment_reads_as_iso_or_unix_seconds():
    keys = "1:a-long-enough-secret,2:another-long-secret"
    iso = load_config(env={"CLOCK_CODE_KEYS": keys, "CLOCK_CODE_ROTATED_AT": "2026-12-02T09:00:00+08:00"})
    unix = load_config(env={"CLOCK_CODE_KEYS": keys, "CLOCK_CODE_ROTATED_AT": "1796173200"})
    assert iso["CLOCK_CODE_ROTATED_AT"] == unix["CLOCK_CODE_ROTATED_AT"] == 1796173200
    assert iso["CLOCK_CODE_KEYS"] == [(1, "a-long-enough-secret"), (2, "another-long-secret")]
