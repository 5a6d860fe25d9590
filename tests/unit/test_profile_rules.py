"""The completeness indicator and list limits of 完善资料, without the app."""
from app.domain.profile import ITEMS, clean_list, completeness


def test_empty_and_full_profiles():
    assert completeness({}) == {"percent": 0, "missing": [{"field": f, "label": lab} for f, lab in ITEMS]}
    assert completeness({field: "x" for field, _ in ITEMS}) == {"percent": 100, "missing": []}


def test_empty_strings_and_lists_count_as_missing():
    values = {field: "x" for field, _ in ITEMS} | {"specialties": [], "background": ""}
    result = completeness(values)
    assert [m["field"] for m in result["missing"]] == ["background", "specialties"]
    assert result["percent"] == 71


def test_lists_are_trimmed_deduplicated_and_limited():
    assert clean_list([" 摄影", "摄影", "", "急救"], 10, 20) == ["摄影", "急救"]
    assert clean_list(["a"] * 3 + ["b", "c"], 2, 20) is None
    assert clean_list(["x" * 21], 10, 20) is None
    assert clean_list(None, 10, 20) == []
