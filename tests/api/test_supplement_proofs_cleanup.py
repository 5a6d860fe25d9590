"""补录 proof files are written before the entry's transaction: when that transaction does not
commit, the files go too, so no proof outlives an entry that was never saved."""
from pathlib import Path

from sqlalchemy.orm import Session

from app.extensions import db
from app.models import SupplementEntry
from tests.api.test_supplements_and_board import PNG, enter, tree


def test_an_entry_whose_commit_fails_leaves_no_proof_file(client, factories, app, monkeypatch):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    folder = Path(app.config["UPLOAD_DIR"]) / "supplements"
    before = set(folder.glob("*")) if folder.exists() else set()

    def lost_connection(session):
        raise ConnectionError("the database went away at commit")

    monkeypatch.setattr(Session, "commit", lost_connection)
    response = enter(client, team_h, activity, volunteer.id, 90, files=[("a.png", PNG)])
    monkeypatch.undo()

    assert response.status_code == 500 and response.json["error"]["code"] == "INTERNAL_ERROR"
    assert (set(folder.glob("*")) if folder.exists() else set()) == before
    db.session.rollback()
    assert db.session.execute(db.select(SupplementEntry)).first() is None
    # and the next attempt is stored as usual
    assert enter(client, team_h, activity, volunteer.id, 90, files=[("a.png", PNG)]).status_code == 201
    assert len(set(folder.glob("*")) - before) == 1
