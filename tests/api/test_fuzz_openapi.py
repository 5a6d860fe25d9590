"""Fuzzing from the spec: schemathesis against /api/openapi.json, every operation, as anyone, as a
volunteer and as an admin. Every answer must be below 500, match the response its description
documents (body schema and content type), and every error must be our envelope.

Bounded for scripts/test: FUZZ_EXAMPLES examples per operation and caller (default 6, with the
same seed every run, so the suite never turns red by luck). scripts/fuzz runs the same tests longer
with a fresh seed; a failure prints the request that reproduces it.
"""
import json
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.activity_helpers import bearer

SPEC = json.loads(Path(__file__).with_name("openapi_snapshot.json").read_text(encoding="utf-8"))
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [(method.upper(), path) for path, item in SPEC["paths"].items() for method in item if method in METHODS]
CALLERS = ("anonymous", "volunteer", "admin")

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = os.environ.get("FUZZ_SEED")  # scripts/fuzz sets one; the suite runs derandomized
# Every example run, by operation: scripts/fuzz prints the counts.
EXAMPLES_RUN = {}


def envelope_check(ctx, response, case):
    """Every /api error is {"error": {"code": str, "message": str, ...}} in JSON."""
    if response.status_code < 400:
        return None
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), \
        f"{response.status_code} is not JSON: {response.headers.get('content-type')}"
    body = json.loads(response.content)
    assert set(body) == {"error"}, f"not the envelope: {body!r}"[:300]
    error = body["error"]
    assert isinstance(error.get("code"), str) and error["code"], f"no code: {body!r}"[:300]
    assert isinstance(error.get("message"), str) and error["message"], f"no message: {body!r}"[:300]
    return None


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, envelope_check]


@pytest.fixture(scope="module")
def api_schema(app):
    yield schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    if os.environ.get("FUZZ_REPORT"):  # scripts/fuzz prints the counts
        Path(os.environ["FUZZ_REPORT"]).write_text(json.dumps(EXAMPLES_RUN), encoding="utf-8")


@pytest.fixture
def world(factories):
    """One organisation with an admin, an approved and face-checked volunteer enrolled in an open
    activity: the ids the fuzzer is also given, so that some examples reach real rows."""
    org = factories.org("东山街志愿服务队")
    admin = factories.admin(org)
    volunteer = factories.volunteer(org, face_checked=True)
    activity = factories.activity(org)
    factories.enroll(activity, volunteer, status="pending")
    ids = {"activity_id": activity.id, "volunteer_id": volunteer.id, "org_id": org.id,
           "account_id": admin.id, "index": 0}
    tokens = {"anonymous": {}, "volunteer": bearer(volunteer), "admin": bearer(admin)}
    return ids, tokens


def _strategy(operation, path, ids):
    modes = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    names = [p["name"] for p in SPEC["paths"][path].get("parameters", []) if p["in"] == "path"]
    if names and all(name in ids for name in names):  # the same operation on rows that exist
        modes.append(operation.as_strategy(GenerationMode.POSITIVE,
                                           path_parameters={name: ids[name] for name in names}))
    return st.one_of(modes)


@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_answer_is_documented_and_no_input_is_a_server_error(api_schema, world, method, path):
    ids, tokens = world
    operation = api_schema[path][method]
    strategy = _strategy(operation, path, ids)
    for caller in CALLERS:
        _fuzz(strategy, tokens[caller], f"{method} {path}")


def _fuzz(strategy, headers, label):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=SEED is None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if SEED else []))
    @given(case=strategy)
    def run(case):
        EXAMPLES_RUN[label] = EXAMPLES_RUN.get(label, 0) + 1
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        case.validate_response(response, checks=CHECKS)

    if SEED:
        run = seed(int(SEED))(run)
    run()
