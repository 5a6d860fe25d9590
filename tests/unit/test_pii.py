import os

from app.security import pii


def setup_module():
    pii.configure(os.urandom(32))


def test_encryption_round_trips_and_is_not_deterministic():
    a, b = pii.encrypt("440104199001011234"), pii.encrypt("440104199001011234")
    assert a != b
    assert "440104199001011234" not in a
    assert pii.decrypt(a) == "440104199001011234"


def test_lookup_hash_is_stable_normalised_and_kind_separated():
    assert pii.lookup_hash("id", "44010419900101123x") == pii.lookup_hash("id", "44010419900101123X")
    assert pii.lookup_hash("phone", "138 0000 0000") == pii.lookup_hash("phone", "13800000000")
    assert pii.lookup_hash("phone", "13800000000") != pii.lookup_hash("id", "13800000000")


def test_masks_hide_what_a_stranger_should_not_see():
    assert pii.mask_id("440120320001011234") == "4401203200********"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("张三丰") == "张**"
