import json
import os
from pathlib import Path


def test_unknown_api_path_is_404_in_the_envelope(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "NOT_FOUND", "message": "请求的资源不存在。"}}


def test_wrong_method_is_405_in_the_envelope(client):
    response = client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_openapi_describes_the_v1_operations(client):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/auth/login" in spec["paths"]
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    schema_ref = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"account", "password"}
    assert "/api/v1/me" in spec["paths"]


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_naming_redis_when_it_is_down(database_url, redis_url, emulator, tmp_path):
    from app import create_app
    from tests.conftest import test_config

    broken = create_app(test_config(database_url, "redis://127.0.0.1:1/0", emulator, upload_dir=tmp_path))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"].startswith("down")
    assert response.json["database"] == "ok"


SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def test_openapi_document_changes_only_on_purpose(client):
    """Other teams build against /api/openapi.json: a refactoring must leave it byte for byte.

    A deliberate change regenerates the copy:
    UPDATE_OPENAPI_SNAPSHOT=1 scripts/test tests/api/test_errors_and_openapi.py
    """
    served = json.dumps(client.get("/api/openapi.json").json, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_OPENAPI_SNAPSHOT") == "1":
        SNAPSHOT.write_text(served, encoding="utf-8")
    assert served == SNAPSHOT.read_text(encoding="utf-8")


def test_every_operation_documents_its_success_body_and_errors_in_the_envelope(client):
    """A new operation joins the description whole: what it answers on success (JSON with a
    schema, a file, or 204 with nothing), and every error as our envelope."""
    spec = client.get("/api/openapi.json").json
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY"):
        assert spec["components"]["responses"][name]["content"]["application/json"]["schema"] == envelope
    undocumented, not_envelope = [], []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation["responses"]
            success = [status for status in responses if status.startswith("2")]
            if not any(status == "204" or any("schema" in c for c in responses[status].get("content", {}).values())
                       for status in success):
                undocumented.append(f"{method.upper()} {path}")
            for status, response in responses.items():
                if status[0] in "45" and "content" in response:
                    if response["content"]["application/json"]["schema"] != envelope:
                        not_envelope.append(f"{method.upper()} {path} {status}")
    assert undocumented == []
    assert not_envelope == []
