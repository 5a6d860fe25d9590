"""Uploads (ID photos of organisation registrations, proofs of supplementary hours): a file of
the wrong type behind an honest name, a decompression bomb, an oversized file and a name that
is a path are refused at once, and nothing is stored; a good file is stored under a random name
inside the upload folder whatever it was called."""
import io
import struct
import time
import zlib
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Organisation, SupplementEntry
from tests.api.accounts_helpers import last_code, request_code
from tests.api.test_organisations import org_form
from tests.api.test_supplements_and_board import tree
from tests.files import JPEG, PDF, PNG


def png_claiming(width, height, compressed_rows=None):
    """A well-formed PNG header for a width x height grey picture; its pixels, when given, are
    `compressed_rows` (a zlib stream), else a few bytes: what a decompression bomb looks like."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = compressed_rows if compressed_rows is not None else zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zeros_compressed(width, height):
    """The zlib stream of a whole width x height black picture (row filter byte + row)."""
    packer, row, out = zlib.compressobj(9), b"\x00" * (width + 1), []
    for _ in range(height):
        out.append(packer.compress(row))
    out.append(packer.flush())
    return b"".join(out)


BOMB = png_claiming(30_000, 30_000)  # 900 megapixels claimed in a ~1 KB file
QUIET_BOMB = png_claiming(9_000, 9_000, zeros_compressed(9_000, 9_000))  # 81 Mpx, under Pillow's own alarm
HIDDEN_SCRIPT = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"
JPEG_HEADED_SCRIPT = b"\xff\xd8\xff\xe0<?php system($_GET['c']); ?>"
PDF_HEADED_SCRIPT = b"%PDF-1.4\n<script>alert(1)</script>"


def stored_files(app):
    root = Path(app.config["UPLOAD_DIR"])
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def everything_under(path):
    return {p for p in Path(path).rglob("*") if p.is_file()}


@pytest.fixture
def city(factories):
    return factories.org("广州市志愿者协会", category="city", region_code="440100")


def register(client, parent, content, name):
    data = dict(org_form(parent, sms_code="000000"))
    data["id_photo"] = (io.BytesIO(content), name)
    started = time.monotonic()
    response = client.post("/api/v1/organisations", data=data, content_type="multipart/form-data")
    return response, time.monotonic() - started


@pytest.mark.parametrize("content, name, status, code", [
    (HIDDEN_SCRIPT, "photo.png", 415, "PHOTO_TYPE"),
    (JPEG_HEADED_SCRIPT, "photo.jpg", 415, "PHOTO_TYPE"),
    (PDF, "photo.jpg", 415, "PHOTO_TYPE"),
    (BOMB, "photo.png", 415, "PHOTO_TYPE"),
    (QUIET_BOMB, "photo.png", 415, "PHOTO_TYPE"),
    (PNG + b"\x00" * (5 * 1024 * 1024), "photo.png", 413, "PHOTO_TOO_LARGE"),
], ids=["script-behind-png-magic", "script-behind-jpeg-magic", "pdf-named-jpg", "bomb-900mpx", "bomb-81mpx",
        "oversized"])
def test_a_bad_id_photo_is_refused_at_once_and_nothing_is_stored(client, app, city, content, name, status, code):
    before = stored_files(app)
    response, took = register(client, city, content, name)
    assert (response.status_code, response.json["error"]["code"]) == (status, code), response.json
    assert took < 1.5
    assert stored_files(app) == before
    assert db.session.execute(db.select(Organisation).filter_by(status="pending")).first() is None


def test_an_id_photo_named_as_a_path_is_stored_under_a_random_name_inside_the_folder(client, app, city, emulator,
                                                                                      run_jobs):
    outside = Path(app.config["UPLOAD_DIR"]).parent
    before_outside = everything_under(outside)
    data = dict(org_form(city))
    assert request_code(client, data["phone"]).status_code == 202
    run_jobs()
    data["sms_code"] = last_code(emulator, phone=data["phone"])
    data["id_photo"] = (io.BytesIO(JPEG), "../../../../etc/cron.d/evil.jpg")
    response = client.post("/api/v1/organisations", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    org = db.session.get(Organisation, response.json["id"])
    stored = Path(org.id_photo_path)
    assert stored.parent == Path("id-photos") and ".." not in stored.parts and "evil" not in stored.name
    assert (Path(app.config["UPLOAD_DIR"]) / stored).read_bytes() == JPEG
    assert everything_under(outside) - before_outside == {Path(app.config["UPLOAD_DIR"]) / stored}


def enter(client, headers, activity, volunteer, files):
    data = {"volunteer_id": str(volunteer.id), "minutes": "30", "note": "扫码失败",
            "files": [(io.BytesIO(content), name) for name, content in files]}
    started = time.monotonic()
    response = client.post(f"/api/v1/admin/activities/{activity.id}/supplements", data=data, headers=headers,
                           content_type="multipart/form-data")
    return response, time.monotonic() - started


@pytest.mark.parametrize("files, status, code", [
    ([("proof.png", HIDDEN_SCRIPT)], 415, "SUPPLEMENT_PROOF_TYPE"),
    ([("proof.pdf", PDF_HEADED_SCRIPT)], 415, "SUPPLEMENT_PROOF_TYPE"),
    ([("proof.jpg", JPEG_HEADED_SCRIPT)], 415, "SUPPLEMENT_PROOF_TYPE"),
    ([("proof.png", BOMB)], 415, "SUPPLEMENT_PROOF_TYPE"),
    ([("proof.png", QUIET_BOMB)], 415, "SUPPLEMENT_PROOF_TYPE"),
    ([("ok.png", PNG), ("proof.png", HIDDEN_SCRIPT)], 415, "SUPPLEMENT_PROOF_TYPE"),  # one bad file: none kept
    ([("big.pdf", PDF + b" " * (5 * 1024 * 1024))], 413, "SUPPLEMENT_PROOF_TOO_LARGE"),
    ([(f"p{i}.png", PNG) for i in range(6)], 413, "SUPPLEMENT_PROOF_TOO_LARGE"),
], ids=["script-behind-png-magic", "script-behind-pdf-header", "script-behind-jpeg-magic", "bomb-900mpx",
        "bomb-81mpx", "one-bad-of-two", "oversized", "too-many"])
def test_a_bad_proof_is_refused_at_once_and_nothing_is_stored(client, factories, app, files, status, code):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    before = stored_files(app)
    response, took = enter(client, team_h, activity, volunteer, files)
    assert (response.status_code, response.json["error"]["code"]) == (status, code), response.json
    assert took < 1.5
    assert stored_files(app) == before
    assert db.session.execute(db.select(SupplementEntry)).first() is None


def test_proofs_named_as_paths_are_stored_under_random_names_and_served_as_what_they_are(client, factories, app):
    team, city, activity, volunteer, team_h, city_h = tree(factories, client)
    outside = Path(app.config["UPLOAD_DIR"]).parent
    before = everything_under(outside)
    response, _ = enter(client, team_h, activity, volunteer,
                        [("../../../tmp/evil.png", PNG), ("..\\..\\win.ini.jpg", JPEG), ("/etc/passwd.pdf", PDF)])
    assert response.status_code == 201, response.json
    entry = db.session.get(SupplementEntry, response.json["id"])
    new = everything_under(outside) - before
    assert new == {Path(app.config["UPLOAD_DIR"]) / item["path"] for item in entry.proof_files}
    assert all(Path(item["path"]).parent == Path("supplements") and ".." not in item["path"]
               for item in entry.proof_files)
    served = [client.get(f"/api/v1/admin/supplements/{entry.id}/proofs/{i}", headers=city_h) for i in range(3)]
    assert [(s.mimetype, s.data) for s in served] == [("image/png", PNG), ("image/jpeg", JPEG),
                                                       ("application/pdf", PDF)]
