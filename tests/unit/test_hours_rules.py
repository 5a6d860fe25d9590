"""Pure rules of service hours: stars, the geofence, signed codes, sessions and minutes."""
import base64
import hashlib
import hmac
from datetime import datetime, timedelta

import pytest

from app.domain import codes
from app.domain.card import IllegalTransition, next_status
from app.domain.geo import haversine_m, valid_coordinates, within_radius
from app.domain.hours import (
    MAX_SESSIONS_PER_DAY,
    ClockRefused,
    plan_scan,
    require_within_window,
    session_minutes,
    supplement_allowed_minutes,
)
from app.domain.stars import minutes_to_next_star, star_label, star_level

KEY = b"k" * 32
RING = codes.Keyring.of(KEY)
H = 60


@pytest.mark.parametrize("minutes, level", [
    (0, 0), (100 * H - 1, 0), (100 * H, 1), (300 * H - 1, 1), (300 * H, 2), (600 * H, 3),
    (999 * H + 59, 3), (1000 * H, 4), (1500 * H - 1, 4), (1500 * H, 5), (10_000 * H, 5),
])
def test_star_levels_at_their_thresholds(minutes, level):
    assert star_level(minutes) == level


def test_star_labels_and_distance_to_the_next():
    assert star_label(0) == "" and star_label(300 * H) == "二星" and star_label(1500 * H) == "五星"
    assert minutes_to_next_star(99 * H) == 60
    assert minutes_to_next_star(1500 * H) is None


def test_haversine_matches_known_distances():
    # One degree of latitude is about 111.2 km; Guangzhou tower to Canton Fair is about 1.9 km.
    assert haversine_m(23.0, 113.0, 24.0, 113.0) == pytest.approx(111_195, rel=1e-3)
    assert haversine_m(23.1064, 113.3245, 23.1235, 113.3243) == pytest.approx(1_902, rel=0.01)
    assert haversine_m(23.1, 113.3, 23.1, 113.3) == 0


@pytest.mark.parametrize("metres, inside", [(0, True), (450, True), (499, True), (520, False), (2000, False)])
def test_geofence_radius(metres, inside):
    lat = 23.1235 + metres / 111_195  # due north
    assert within_radius(lat, 113.2950, 23.1235, 113.2950, 500) is inside


@pytest.mark.parametrize("lat, lon, ok", [(23.1, 113.3, True), (91, 0, False), (0, 181, False),
                                          (None, 113.3, False), (float("nan"), 1, False)])
def test_valid_coordinates(lat, lon, ok):
    assert valid_coordinates(lat, lon) is ok


# --- codes ---

def test_clock_code_round_trip_and_fits_wechat_scene_limits():
    code = codes.make_clock_code(RING, activity_id=123456, kind="checkout", expires_at=2_000_000_000, now=0)
    assert len(code) == 31 <= 32  # mini-program scene ≤ 32; QR_STR_SCENE ≤ 64
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    decoded = codes.read_clock_code(RING, code, now=1_999_999_999)
    assert (decoded.activity_id, decoded.kind, decoded.expires_at) == (123456, "checkout", 2_000_000_000)
    assert codes.looks_like_clock_code(code)
    # A fresh nonce every time: two codes never repeat.
    assert code != codes.make_clock_code(RING, activity_id=123456, kind="checkout", expires_at=2_000_000_000, now=0)


def test_every_single_character_change_of_a_clock_code_is_refused():
    code = codes.make_clock_code(RING, activity_id=7, kind="checkin", expires_at=2_000_000_000, now=0)
    for i in range(1, len(code)):
        for replacement in ("A", "z"):
            if code[i] == replacement:
                continue
            forged = code[:i] + replacement + code[i + 1:]
            with pytest.raises(codes.CodeRefused) as info:
                codes.read_clock_code(RING, forged, now=0)
            assert info.value.reason == "CLOCK_CODE_INVALID"


@pytest.mark.parametrize("text", ["", "C", "hello", "C" + "A" * 28, "X" + "A" * 28, "C" + "!" * 28, None,
                                  "C" + "A" * 30, "C" + "A" * 29, 12345])
def test_malformed_clock_codes_are_invalid(text):
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(RING, text, now=0)
    assert info.value.reason == "CLOCK_CODE_INVALID"


def test_another_key_or_an_expired_code_is_refused():
    code = codes.make_clock_code(RING, activity_id=7, kind="checkin", expires_at=1000, now=0)
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(codes.Keyring.of(b"x" * 32), code, now=0)
    assert info.value.reason == "CLOCK_CODE_INVALID"
    assert codes.read_clock_code(RING, code, now=1000).activity_id == 7
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(RING, code, now=1001)
    assert info.value.reason == "CLOCK_CODE_EXPIRED"
    assert codes.read_clock_code(RING, code, now=None).activity_id == 7  # signature only


def test_personal_code_rotates_every_30_seconds_and_lives_one_step_either_side():
    now = 1_800_000_000 - 1_800_000_000 % 30
    code = codes.make_personal_code(RING, 42, now)
    assert code == codes.make_personal_code(RING, 42, now + 29)
    assert code != codes.make_personal_code(RING, 42, now + 30)
    assert codes.read_personal_code(RING, code, now + 59).volunteer_id == 42
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_personal_code(RING, code, now + 60)
    assert info.value.reason == "CLOCK_CODE_EXPIRED"
    with pytest.raises(codes.CodeRefused):
        codes.read_personal_code(RING, code[:-1] + ("A" if code[-1] != "A" else "B"), now)
    assert not codes.looks_like_clock_code(code)


# --- keys that rotate ---

OLD, NEW = codes.SigningKey(1, b"o" * 32), codes.SigningKey(2, b"n" * 32)
T = 1_900_000_000  # when key 2 takes over
GRACE = 150  # CLOCK_CODE_SECONDS 120 + 30 s of skew
ROTATED = codes.Keyring((OLD, NEW), rotated_at=T, grace=GRACE)


def test_a_code_issued_before_a_rotation_works_until_it_expires_and_not_after():
    before = codes.Keyring((OLD,))
    code = codes.make_clock_code(before, activity_id=7, kind="checkin", expires_at=T - 10 + 120, now=T - 10)
    # The keys rotated at T: the code on the screen still reads, for its life.
    assert codes.read_clock_code(ROTATED, code, now=T + 100).activity_id == 7
    assert codes.read_clock_code(ROTATED, code, now=None).activity_id == 7
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(ROTATED, code, now=T + 111)
    assert info.value.reason == "CLOCK_CODE_EXPIRED"
    # After the grace the retired key is refused outright.
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(ROTATED, code, now=T + GRACE + 1)
    assert info.value.reason == "CLOCK_CODE_INVALID"


def test_the_new_key_signs_from_the_rotation_and_a_retired_key_cannot_mint_longer_codes():
    assert ROTATED.signing(T - 1) == OLD and ROTATED.signing(T) == NEW
    fresh = codes.make_clock_code(ROTATED, activity_id=7, kind="checkin", expires_at=T + 120, now=T)
    assert codes.read_clock_code(codes.Keyring((NEW,)), fresh, now=T).activity_id == 7
    with pytest.raises(codes.CodeRefused):  # the old key alone does not read it
        codes.read_clock_code(codes.Keyring((OLD,)), fresh, now=T)
    # Someone holding the retired key signs a code that would live past the grace: refused.
    leaked = codes.make_clock_code(codes.Keyring((OLD,)), activity_id=7, kind="checkin",
                                   expires_at=T + GRACE + 60, now=T + 30)
    with pytest.raises(codes.CodeRefused) as info:
        codes.read_clock_code(ROTATED, leaked, now=T + 31)
    assert info.value.reason == "CLOCK_CODE_INVALID"
    # Keys before the retired one are accepted no more; a code names its key.
    oldest = codes.SigningKey(3, b"x" * 32)
    three = codes.Keyring((oldest, OLD, NEW), rotated_at=T, grace=GRACE)
    ancient = codes.make_clock_code(codes.Keyring((oldest,)), activity_id=7, kind="checkin",
                                    expires_at=T + 60, now=T - 30)
    with pytest.raises(codes.CodeRefused):
        codes.read_clock_code(three, ancient, now=T - 20)


def test_personal_codes_follow_the_rotation_and_version_1_codes_still_read():
    code = codes.make_personal_code(codes.Keyring((OLD,)), 42, T - 5)
    assert codes.read_personal_code(ROTATED, code, T + 20).volunteer_id == 42
    with pytest.raises(codes.CodeRefused):
        codes.read_personal_code(codes.Keyring((OLD, NEW), rotated_at=T - 200, grace=GRACE), code, T - 5)
    # A code of before key ids (version 1, 29 characters) was signed with key 0.
    body = bytes([0x11]) + (7).to_bytes(4, "big") + (2_000_000_000).to_bytes(4, "big") + b"\x01\x02\x03\x04"
    mac = hmac.new(KEY, b"clock" + body, hashlib.sha256).digest()[:8]
    v1 = "C" + base64.urlsafe_b64encode(body + mac).decode().rstrip("=")
    assert len(v1) == 29 and codes.looks_like_clock_code(v1)
    assert codes.read_clock_code(RING, v1, now=0).activity_id == 7
    with pytest.raises(codes.CodeRefused):
        codes.read_clock_code(codes.Keyring.of(KEY, key_id=5), v1, now=0)


def test_a_keyring_refuses_what_it_cannot_mean():
    with pytest.raises(ValueError):
        codes.Keyring((OLD, NEW))  # several keys, no moment of rotation
    with pytest.raises(ValueError):
        codes.Keyring((OLD, codes.SigningKey(1, b"z" * 32)), rotated_at=T)
    with pytest.raises(ValueError):
        codes.Keyring(())


def test_card_token_is_signed():
    token = codes.make_card_token(KEY, 99)
    assert len(token) == 20 and codes.read_card_token(KEY, token) == 99
    assert codes.read_card_token(b"y" * 32, token) is None
    assert codes.read_card_token(KEY, token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert codes.read_card_token(KEY, "short") is None


# --- sessions ---

@pytest.mark.parametrize("kind, events, expected", [
    ("checkin", [], ("record", 1)),
    ("checkin", [(1, "checkin")], ("repeat", 1)),
    ("checkout", [(1, "checkin")], ("record", 1)),
    ("checkout", [(1, "checkin"), (1, "checkout")], ("repeat", 1)),
    ("checkin", [(1, "checkin"), (1, "checkout")], ("record", 2)),
    ("checkout", [(1, "checkin"), (1, "checkout"), (2, "checkin")], ("record", 2)),
    ("checkin", [(s, k) for s in (1, 2) for k in ("checkin", "checkout")], ("record", 3)),
    ("checkin", [(s, k) for s in (1, 2, 3) for k in ("checkin", "checkout")][:-1], ("repeat", 3)),
])
def test_plan_scan(kind, events, expected):
    assert plan_scan(kind, events) == expected


@pytest.mark.parametrize("kind, events, reason", [
    ("checkout", [], "CHECKOUT_WITHOUT_CHECKIN"),
    ("checkin", [(s, k) for s in range(1, MAX_SESSIONS_PER_DAY + 1) for k in ("checkin", "checkout")],
     "CLOCK_DAILY_LIMIT"),
])
def test_plan_scan_refusals(kind, events, reason):
    with pytest.raises(ClockRefused) as info:
        plan_scan(kind, events)
    assert info.value.reason == reason


START = datetime(2026, 11, 22, 1, 0)  # 09:00 in Shanghai
END = START + timedelta(hours=4)


@pytest.mark.parametrize("checkin, checkout, minutes", [
    (START, START, 0),
    (START + timedelta(minutes=10), START + timedelta(minutes=70, seconds=59), 60),
    (START - timedelta(hours=1), START + timedelta(minutes=30), 30),  # clipped at the start
    (START + timedelta(hours=3), END + timedelta(minutes=45), 60),  # clipped at the end
    (END + timedelta(minutes=1), END + timedelta(minutes=5), 0),
    (START - timedelta(hours=2), END + timedelta(hours=2), 240),  # never more than the activity
])
def test_session_minutes_are_clipped_to_the_activity(checkin, checkout, minutes):
    assert session_minutes(checkin, checkout, START, END) == minutes


@pytest.mark.parametrize("kind, at, ok", [
    ("checkin", START - timedelta(seconds=1), False), ("checkin", START, True), ("checkin", END, True),
    ("checkin", END + timedelta(seconds=1), False), ("checkout", END + timedelta(minutes=59), True),
    ("checkout", END + timedelta(minutes=61), False),
])
def test_clock_windows(kind, at, ok):
    if ok:
        require_within_window(kind, at, START, END, timedelta(hours=1))
    else:
        with pytest.raises(ClockRefused) as info:
            require_within_window(kind, at, START, END, timedelta(hours=1))
        assert info.value.reason == "CLOCK_OUTSIDE_ACTIVITY_TIME"


@pytest.mark.parametrize("requested, already, ok", [(1, 0, True), (240, 0, True), (241, 0, False),
                                                    (0, 0, False), (-5, 0, False), (60, 200, False)])
def test_supplement_minutes_stay_within_the_activity(requested, already, ok):
    assert supplement_allowed_minutes(requested, START, END, already) is ok


def test_card_progress_transitions():
    assert next_status("submitted", "review") == "reviewing"
    assert next_status("reviewing", "approve") == "approved"
    assert next_status("approved", "issue") == "issued"
    assert next_status("issued", "mail") == "mailed"
    with pytest.raises(IllegalTransition):
        next_status("mailed", "approve")
    with pytest.raises(IllegalTransition):
        next_status("rejected", "issue")


def test_a_clock_code_has_one_spelling():
    """31 characters carry 22 bytes: the last character's four spare bits must be zero, so no other
    last character spells the same code (the single-character test above hit this by chance)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for activity_id in range(1, 20):
        code = codes.make_clock_code(RING, activity_id=activity_id, kind="checkin", expires_at=2_000_000_000, now=0)
        readable = []
        for last in alphabet:
            try:
                codes.read_clock_code(RING, code[:-1] + last, now=None)
                readable.append(last)
            except codes.CodeRefused:
                pass
        assert readable == [code[-1]]
