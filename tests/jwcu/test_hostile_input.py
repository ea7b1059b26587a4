"""Hostile input in every staff form and every writable API endpoint: control characters (NUL
above all, which PostgreSQL refuses), text that is not valid Unicode, strings longer than the
field, dates out of range (year 0, 1, 9999, 10000, 99999) and numbers beyond 64 bits. Each is
refused with an error naming the field (the form re-rendered with the error beside it; a 400 in
the API's error shape), never a 500, and nothing is stored: not a row, not a history entry. The
same request without the hostile values is then accepted, so the refusal was theirs.

Markup and SQL are text like any other: stored as typed, and escaped wherever a page shows them."""

import json
import urllib.parse

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import User

from jwcu.models import Role
from jwcu.scope import Scope
from tests.factories import (
    BusinessCenterFactory,
    ConsentRecordFactory,
    HeadOfficeFactory,
    PartnerFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db

NUL, CONTROL = "山田\x00花子", "山田\x1b[31m花子\x07"
HOSTILE_DATES = ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "99999-01-01"]
HOSTILE_NUMBERS = [str(2**63), "1e30", "NaN", "-1"]
SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE members_workermember; --"


def stored() -> dict[str, int]:
    """Rows of every registry table and of its history, and staff accounts."""
    counts = {"auth.user": User.objects.count()}
    for model in apps.get_models():
        if model._meta.app_label in {"members", "businesses", "jwcu", "reports"}:
            counts[model._meta.label] = model._default_manager.count()
    return counts


# Staff pages --------------------------------------------------------------------------------


@pytest.fixture
def records(union_tree):
    """One record of each type for the edit and action pages, beside the union_tree."""
    HeadOfficeFactory(society=union_tree["society_a"], code="h-empty")
    BusinessCenterFactory(society=union_tree["society_a"], code="c-empty")
    programme = ProgrammeFactory(union=union_tree["union"], code="p1", business_center=union_tree["c1"])
    partner = PartnerFactory(union=union_tree["union"], code="pa1")
    consent = ConsentRecordFactory(member=union_tree["m2"], reference="CONSENT-A2")
    return {**union_tree, "programme": programme, "partner": partner, "consent": consent}


def shown(records, form) -> dict:
    """What the browser posts back for ``form`` as it is shown (an edit page)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
        elif value is not None:
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return data


def copy_of(record_type_key: str, record_key: str):
    """The create form of a record type filled in as an existing record is, under a new code."""

    def fill(records, form) -> dict:
        from jwcu.urls import RECORD_TYPES

        record_type = next(rt for rt in RECORD_TYPES if rt.key == record_type_key)
        values = shown(records, record_type.form(instance=records[record_key], scope=Scope.everything()))
        values.pop("version")
        return {**values, **{name: value for name, value in NEW_IDENTITY.items() if name in values}}

    return fill


def with_values(**values):
    """The form as shown, with ``values`` (callables are given the records) filled in."""

    def fill(records, form) -> dict:
        return {**shown(records, form), **{k: v(records) if callable(v) else v for k, v in values.items()}}

    return fill


NEW_IDENTITY = {"code": "hostile-new", "member_number": "H-NEW"}
# page -> (URL, the values it saves with)
PAGES = {
    "member-create": ("/members/new/", copy_of("members", "m2")),
    "member-edit": ("/members/society-a/A2/edit/", shown),
    "member-move": (
        "/members/society-a/A2/move/",
        with_values(business_center=lambda r: r["c1"].pk, moved_on="2016-04-01"),
    ),
    "member-leave": ("/members/society-a/A2/leave/", with_values(left_on="2016-04-01", reason="retirement")),
    "member-consent": (
        "/members/society-a/A2/consent/",
        with_values(given_on="2016-04-01", scope="inclusion_records", reference="REF-1"),
    ),
    "member-inclusion": (
        "/members/society-a/A2/inclusion/",
        with_values(category=lambda r: r["category"].pk, consent=lambda r: r["consent"].pk, since="2016-04-01"),
    ),
    "member-consent-withdraw": (
        "/members/society-a/A2/consent/withdraw/",
        with_values(consent="CONSENT-A2", withdrawn_on="2016-04-01"),
    ),
    "center-create": ("/centers/new/", copy_of("centers", "c2")),
    "center-edit": ("/centers/c2/edit/", shown),
    "center-close": ("/centers/c-empty/close/", with_values(closed_on="2016-04-01")),
    "head-office-create": ("/head-offices/new/", copy_of("head-offices", "h2")),
    "head-office-edit": ("/head-offices/h2/edit/", shown),
    "head-office-close": ("/head-offices/h-empty/close/", with_values(closed_on="2016-04-01")),
    "society-create": ("/societies/new/", copy_of("societies", "society_b")),
    "society-edit": ("/societies/society-b/edit/", shown),
    "society-leave": ("/societies/society-b/leave/", with_values(left_on="2016-04-01")),
    "programme-create": ("/programmes/new/", copy_of("programmes", "programme")),
    "programme-edit": ("/programmes/p1/edit/", shown),
    "partner-create": ("/partners/new/", copy_of("partners", "partner")),
    "partner-edit": ("/partners/pa1/edit/", shown),
}


FORM_FIELDS = {"text": forms.CharField, "date": forms.DateField, "number": forms.IntegerField | forms.DecimalField}


def targets(form, kind: str) -> list[str]:
    """The fields of ``form`` that take free text, dates or numbers (passwords are not stored)."""
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, FORM_FIELDS[kind])
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
    ]


def hostile_posts(form):
    """(label, {field: hostile value}) of every hostile post for ``form``."""
    if text := targets(form, "text"):
        yield "NUL", dict.fromkeys(text, NUL)
        yield "control characters", dict.fromkeys(text, CONTROL)
        yield "bytes that are not UTF-8", dict.fromkeys(text, b"\xed\xa0\x80\xff")
        limits = {name: form.fields[name].max_length for name in text if form.fields[name].max_length}
        if limits:
            yield "too long", {name: "あ" * (limit + 1) for name, limit in limits.items()}
    if dates := targets(form, "date"):
        for value in HOSTILE_DATES:
            yield value, dict.fromkeys(dates, value)
    if numbers := targets(form, "number"):
        for value in HOSTILE_NUMBERS:
            yield value, dict.fromkeys(numbers, value)


def post_form(client, url, data: dict):
    """Post ``data`` url-encoded as a browser would, bytes as they are."""
    encoded = urllib.parse.urlencode(data, doseq=True)
    return client.post(url, encoded, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("page", PAGES)
def test_every_form_refuses_hostile_input_beside_the_field_and_stores_nothing(staff_client, records, page):
    client = staff_client(Role.UNION_ADMIN, sensitive=True)
    url, fill = PAGES[page]
    form = client.get(url).context["form"]
    data = fill(records, form)
    before = stored()
    for label, hostile in hostile_posts(form):
        response = post_form(client, url, {**data, **hostile})
        assert response.status_code == 200, (label, hostile)
        refused = response.context["form"]
        assert set(hostile) <= set(refused.errors), (label, refused.errors)
        html = response.content.decode()
        for name in hostile:
            assert f'id="{refused[name].auto_id}_error"' in html, (label, name)
        assert stored() == before, label
    saved = post_form(client, url, data)
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved


def test_the_account_form_refuses_hostile_user_names(staff_client, records):
    client = staff_client(Role.UNION_ADMIN)
    data = {"form": "account", "account-password1": "a-long-pass-phrase", "account-password2": "a-long-pass-phrase"}
    before = stored()
    for value in (NUL, CONTROL, "x" * 151, SCRIPT):
        response = client.post("/roles/", {**data, "account-username": value})
        assert response.status_code == 200
        assert "username" in response.context["account_form"].errors, value
    assert stored() == before
    assert client.post("/roles/", {**data, "account-username": "hostile-new"}).status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/members/?q=%00",
        "/members/?q=%ED%A0%80",
        "/members/?active_on=99999-01-01",
        "/members/?society=%00",
        "/centers/?q=%1B%5B31m",
        "/members/society-a/A1/history/?as_of=0001-01-01",
        "/members/society-a/A1/history/?as_of=99999-01-01",
        "/dashboards/?as_of=0001-01-01",
        "/dashboards/?as_of=9999-12-31",
        "/dashboards/membership/?fiscal_year=99999",
        "/dashboards/inclusion/?fiscal_year=1900",
        "/dashboards/turnover/?society=%00",
        "/dashboards/sdgs/?prefecture=%3Cscript%3E",
        "/dashboards/annual-report/?fiscal_year=1e30",
    ],
)
def test_hostile_filters_and_dates_in_page_addresses_never_give_a_500(staff_client, records, url):
    client = staff_client(Role.VIEWER)
    assert client.get(url).status_code in (200, 400)


# Markup and SQL as stored text ----------------------------------------------------------------

FREE_TEXT = {
    "/members/society-a/A2/": ["family_name", "given_name"],
    "/centers/c2/": ["name", "name_ja", "municipality", "notes"],
    "/head-offices/h2/": ["name", "name_ja"],
    "/societies/society-b/": ["name", "name_ja", "notes"],
    "/programmes/p1/": ["name", "commissioning_body", "notes"],
    "/partners/pa1/": ["name", "abbreviation", "description"],
}
LISTS = {
    "/members/society-a/A2/": "/members/",
    "/centers/c2/": "/centers/",
    "/head-offices/h2/": "/head-offices/",
    "/societies/society-b/": "/societies/",
    "/programmes/p1/": "/programmes/",
    "/partners/pa1/": "/partners/",
}


@pytest.mark.parametrize("detail", FREE_TEXT)
def test_markup_and_sql_are_stored_as_typed_and_every_page_escapes_them(staff_client, records, detail):
    client = staff_client(Role.UNION_ADMIN)
    form = client.get(f"{detail}edit/").context["form"]
    value = f"{SCRIPT}{SQL}"[: min(form.fields[name].max_length or 1000 for name in FREE_TEXT[detail])]
    saved = client.post(f"{detail}edit/", {**shown(records, form), **dict.fromkeys(FREE_TEXT[detail], value)})
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    record = client.get(detail).context["record"]
    assert all(getattr(record, name) == value for name in FREE_TEXT[detail])
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for page in (detail, f"{detail}history/", LISTS[detail], f"{LISTS[detail]}?q=alert"):
        html = client.get(page).content.decode()
        assert escaped in html, page
        assert SCRIPT not in html, page
    assert client.get("/members/", {"q": SQL}).status_code == 200
    assert apps.get_model("members", "WorkerMember").objects.exists()


# The API ----------------------------------------------------------------------------------------

# Every write the API documents: the path of an existing record and a body it accepts.
API_WRITES = {
    ("post", "/api/v1/members/"): (
        "/api/v1/members/",
        {"society": "t-cwc", "member_number": "H1", "family_name": "山田", "given_name": "花子"}
        | {"birth_date": "1980-01-01", "joined_on": "2015-04-01"},
    ),
    ("patch", "/api/v1/members/{society}/{member_number}/"): ("/api/v1/members/t-cwc/E1/", {"given_name": "花"}),
    ("post", "/api/v1/members/{society}/{member_number}/move/"): (
        "/api/v1/members/t-cwc/E1/move/",
        {"business_center": "t-center-west", "moved_on": "2016-04-01"},
    ),
    ("post", "/api/v1/members/{society}/{member_number}/leave/"): (
        "/api/v1/members/t-cwc/E1/leave/",
        {"left_on": "2016-04-01", "reason": "retirement"},
    ),
    ("post", "/api/v1/business-centers/"): (
        "/api/v1/business-centers/",
        {"society": "t-cwc", "code": "t-new", "name": "New", "prefecture": "13", "opened_on": "2016-04-01"},
    ),
    ("patch", "/api/v1/business-centers/{code}/"): ("/api/v1/business-centers/t-center-east/", {"name": "East"}),
    ("post", "/api/v1/business-centers/{code}/close/"): (
        "/api/v1/business-centers/t-empty/close/",
        {"closed_on": "2016-04-01"},
    ),
    ("post", "/api/v1/head-offices/"): (
        "/api/v1/head-offices/",
        {"society": "t-cwc", "code": "t-north", "name": "North", "region": "tohoku", "opened_on": "2016-04-01"},
    ),
    ("patch", "/api/v1/head-offices/{code}/"): ("/api/v1/head-offices/t-east/", {"name": "East"}),
    ("post", "/api/v1/head-offices/{code}/close/"): (
        "/api/v1/head-offices/t-empty-office/close/",
        {"closed_on": "2016-04-01"},
    ),
    ("post", "/api/v1/societies/"): (
        "/api/v1/societies/",
        {"union": "tu", "code": "t-new", "name": "New", "kind": "local_worker_coop", "legal_form": "worker_coop"}
        | {"ilo_type": "worker", "joined_union_on": "2016-04-01"},
    ),
    ("patch", "/api/v1/societies/{code}/"): ("/api/v1/societies/t-local/", {"name": "Local"}),
    ("post", "/api/v1/societies/{code}/leave/"): ("/api/v1/societies/t-local/leave/", {"left_on": "2016-04-01"}),
    ("post", "/api/v1/programmes/"): (
        "/api/v1/programmes/",
        {"union": "tu", "code": "t-new", "name": "New", "kind": "job_training", "funder": "prefecture"},
    ),
    ("patch", "/api/v1/programmes/{code}/"): ("/api/v1/programmes/t-youth-station/", {"name": "Station"}),
    ("post", "/api/v1/partners/"): (
        "/api/v1/partners/",
        {"union": "tu", "code": "t-new", "name": "New", "relation": "partnership", "level": "global"},
    ),
    ("patch", "/api/v1/partners/{code}/"): ("/api/v1/partners/t-ica/", {"name": "ICA"}),
    ("post", "/api/v1/annual-figures/"): (
        "/api/v1/annual-figures/",
        {"society": "t-cwc", "fiscal_year": 2016, "turnover_yen": 1000},
    ),
    ("patch", "/api/v1/annual-figures/{owner}/{code}/{fiscal_year}/"): (
        "/api/v1/annual-figures/business-center/t-center-east/2015/",
        {"turnover_yen": 2000},
    ),
}


def request_fields(openapi_schema, method: str, path: str) -> dict:
    body = openapi_schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    component = openapi_schema["components"]["schemas"][body["$ref"].split("/")[-1]]
    return {name: spec for name, spec in component["properties"].items() if not spec.get("readOnly")}


# Fields that name another record by its code (plain strings in the schema).
REFERENCES = {"union", "society", "head_office", "business_center", "business_lines"}


def api_targets(fields: dict, kind: str) -> list[str]:
    """The fields of a request body that take free text, codes of other records, dates or numbers."""

    def kind_of(name: str, spec: dict) -> str | None:
        if name in REFERENCES:
            return "reference"
        if spec.get("format") == "date":
            return "date"
        if spec.get("type") in ("integer", "number"):
            return "number"
        if spec.get("type") == "string" and "format" not in spec and "enum" not in spec:
            return "text"
        return None

    return [name for name, spec in fields.items() if kind_of(name, spec) == kind]


def api_hostile_bodies(fields: dict):
    """(label, fields, value) of every hostile body for a write taking ``fields``."""
    if text := api_targets(fields, "text"):
        yield "NUL", text, NUL
        yield "control characters", text, CONTROL
        yield "lone surrogate", text, "山田\ud800"
        yield "U+FFFD", text, "山田\ufffd"
        for name in text:
            if limit := fields[name].get("maxLength"):
                yield "too long", [name], "あ" * (limit + 1)
    if references := api_targets(fields, "reference"):
        yield "NUL in a code", references, NUL
        yield "lone surrogate in a code", references, "t-cwc\ud800"
    if dates := api_targets(fields, "date"):
        for value in HOSTILE_DATES:
            yield value, dates, value
    if numbers := api_targets(fields, "number"):
        yield "2**63", numbers, 2**63
        yield "1e30", numbers, 1e30
        yield "'NaN'", numbers, "NaN"
        non_negative = [name for name in numbers if fields[name].get("minimum", -1) >= 0]
        if non_negative:
            yield "-1", non_negative, -1


def test_every_documented_write_has_a_hostile_input_test(openapi_schema):
    documented = {
        (method, path)
        for path, operations in openapi_schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert documented == set(API_WRITES)


@pytest.fixture
def api_records(api_tree):
    BusinessCenterFactory(society=api_tree["cwc"], code="t-empty")
    HeadOfficeFactory(society=api_tree["cwc"], code="t-empty-office")
    return api_tree


@pytest.mark.parametrize("write", API_WRITES, ids=[f"{method} {path}" for method, path in API_WRITES])
def test_every_api_write_refuses_hostile_input_naming_the_field_and_stores_nothing(
    api, api_records, openapi_schema, write
):
    caller = api(api_records["union"], can_write=True)
    method, path = write
    url, body = API_WRITES[write]
    headers = {"HTTP_IF_MATCH": "*"}
    fields = request_fields(openapi_schema, method, path)
    before = stored()
    for label, names, value in api_hostile_bodies(fields):
        hostile = json.dumps({**body, **dict.fromkeys(names, value)})  # a lone surrogate stays escaped
        response = caller._checked(
            caller.http.generic(method.upper(), url, hostile, content_type="application/json", **headers)
        )
        assert response.status_code == 400, (label, response.content)
        named = {error["field"] for error in response.json()["errors"]}
        # The parser names the first field it finds holding a lone surrogate.
        assert set(names) <= named or ("lone surrogate" in label and named & set(names)), (label, named)
        assert stored() == before, label
    not_json = caller.http.generic(method.upper(), url, '{"turnover_yen": NaN}', "application/json", **headers)
    assert not_json.status_code == 400
    assert stored() == before
    accepted = caller._checked(
        caller.http.generic(method.upper(), url, json.dumps(body), "application/json", **headers)
    )
    assert accepted.status_code in (200, 201), accepted.content


def test_a_body_larger_than_the_api_takes_is_a_413(api, api_tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    caller = api(api_tree["union"], can_write=True)
    body = {"union": "tu", "code": "t-big", "name": "x", "relation": "partnership", "description": "x" * 2000}
    before = stored()
    response = caller.http.post("/api/v1/partners/", body, format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["reason"]
    assert stored() == before


def test_a_lone_surrogate_in_a_field_name_is_a_400_not_a_500(api, api_tree):
    caller = api(api_tree["union"], can_write=True)
    body = '{"union": "tu", "code": "t-x", "name": "x", "relation": "partnership", "\\ud800": 1}'
    response = caller.http.post("/api/v1/partners/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] is None
