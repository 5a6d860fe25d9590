"""One use case, one transaction: committed when it returns, rolled back when it raises, and
side effects only after the commit."""
import pytest

from app.errors import DomainError
from app.extensions import db
from app.models import Organisation
from app.services.unit_of_work import after_commit, use_case


def _names():
    db.session.rollback()  # read what is committed, not what this session holds
    return set(db.session.execute(db.select(Organisation.name)).scalars())


def test_a_use_case_commits_once_it_returns_and_its_side_effects_follow(factories):
    parent = factories.org()
    ran = []

    @use_case
    def rename(org_id, name):
        db.session.get(Organisation, org_id).name = name
        after_commit(ran.append, name)
        assert ran == []  # not before the commit
        return name

    assert rename(parent.id, "东山街新名称") == "东山街新名称"
    assert ran == ["东山街新名称"]
    assert "东山街新名称" in _names()


def test_a_refusal_leaves_nothing_written_and_runs_no_side_effect(factories):
    parent = factories.org()
    before = _names()
    ran = []

    @use_case
    def rename_then_refuse(org_id):
        db.session.get(Organisation, org_id).name = "不应保存"
        db.session.flush()
        after_commit(ran.append, "sent")
        raise DomainError("CONFLICT")

    with pytest.raises(DomainError):
        rename_then_refuse(parent.id)
    assert _names() == before
    assert ran == []


def test_an_inner_use_case_joins_the_outer_transaction(factories):
    parent = factories.org()
    before = _names()

    @use_case
    def inner(org_id):
        db.session.get(Organisation, org_id).name = "内层修改"

    @use_case
    def outer(org_id):
        inner(org_id)
        raise DomainError("CONFLICT")  # after the inner one returned: nothing of it may stay

    with pytest.raises(DomainError):
        outer(parent.id)
    assert _names() == before
