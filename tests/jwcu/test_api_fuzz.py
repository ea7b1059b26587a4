"""Schemathesis against /api/schema/: for every operation, requests generated from the schema, valid
and invalid, by a read-only and a read-write client never get a 5xx, and every response conforms
to the schema (status, content type, headers, body). Half the cases address a record that
exists (and write with ``If-Match: *``), so that their bodies and parameters reach the services
rather than stopping at a 404 or 412.

Bounded: derandomised (the same cases every run), a few examples per operation, no shrinking.
The check that schema-valid data is accepted is left out: the API rightly refuses some of it
(codes that name no record, dates outside the registry's years, an If-Match that matches nothing).

Schemathesis's own pytest integration (``from_fixture``) does not run under pytest 9.2, so each
operation's cases are drawn by Hypothesis from ``operation.as_strategy`` here."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from jwcu.services import api_client_create

EXAMPLES_PER_OPERATION = 5
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"enabled": False}}, "generation": {"with-security-parameters": False}}
)


@pytest.fixture
def registry_api(api_tree):
    """The schema the registry serves, its requests answered inside this test's transaction: the
    WSGI handler would otherwise close the connection holding it after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The records of the api_tree fixture that each kind of path addresses.
CODES = {
    "unions": "tu",
    "societies": "t-cwc",
    "head-offices": "t-east",
    "business-centers": "t-center-east",
    "business-lines": "t-care",
    "programmes": "t-youth-station",
    "partners": "t-ica",
}
EXISTING = {"society": "t-cwc", "member_number": "E0", "owner": "business-center", "fiscal_year": 2015}


def existing_record(operation) -> dict:
    names = {parameter.name for parameter in operation.path_parameters}
    known = {**EXISTING, "code": CODES.get(operation.path.split("/")[3], "t-center-east")}
    return {name: value for name, value in known.items() if name in names}


def any_version(operation) -> dict:
    return {"If-Match": "*"} if any(header.name == "If-Match" for header in operation.headers) else {}


def failures_of(operation, headers: dict) -> str | None:
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    existing = {"path_parameters": existing_record(operation), "headers": any_version(operation)}
    cases = st.one_of(
        *(operation.as_strategy(generation_mode=mode) for mode in modes),
        *(operation.as_strategy(generation_mode=mode, **existing) for mode in modes),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers=headers)

    try:
        call()
    except (AssertionError, schemathesis.errors.FailureGroup) as failure:
        return str(failure)
    return None


@pytest.mark.parametrize("can_write", [False, True], ids=["read-only", "read-write"])
def test_no_server_error_and_every_response_as_documented(registry_api, api_tree, can_write):
    _client, token = api_client_create(name="Fuzzer", union=api_tree["union"], can_write=can_write, sensitive=True)
    operations = [result.ok() for result in registry_api.get_all_operations()]
    assert len(operations) > 30
    failures = {}
    for operation in operations:
        if (failure := failures_of(operation, {"Authorization": f"Bearer {token}"})) is not None:
            failures[operation.label] = failure
    assert not failures, "\n\n".join(f"{label}:\n{failure}" for label, failure in failures.items())
