import datetime

import pytest

from businesses.models import BusinessCenter
from jwcu.models import Role
from jwcu.services import record_update
from tests.factories import BusinessCenterFactory, BusinessLineFactory

pytestmark = pytest.mark.django_db


def center_form_data(center, **overrides):
    data = {
        "head_office": center.head_office_id or "",
        "code": center.code,
        "name": center.name,
        "name_ja": center.name_ja,
        "prefecture": center.prefecture,
        "municipality": center.municipality,
        "opened_on": center.opened_on.isoformat(),
        "version": center.version,
    }
    return data | overrides


def test_centers_are_filtered_by_prefecture_and_business_line(staff_client, union_tree):
    line = BusinessLineFactory(code="elderly-care")
    union_tree["c2"].business_lines.add(line)
    record_update(union_tree["c1"], prefecture="12")
    client = staff_client(role=Role.UNION_ADMIN)
    by_prefecture = client.get("/centers/", {"prefecture": "12"}).context["rows"]
    assert [row["url"] for row in by_prefecture] == ["/centers/c1/"]
    by_line = client.get("/centers/", {"business_line": "elderly-care"}).context["rows"]
    assert [row["url"] for row in by_line] == ["/centers/c2/"]


def test_center_list_queries_do_not_grow_with_rows(staff_client, union_tree, django_assert_num_queries):
    client = staff_client(role=Role.UNION_ADMIN)
    client.get("/centers/")
    with django_assert_num_queries(9) as three_rows:
        client.get("/centers/")
    for _ in range(5):
        BusinessCenterFactory(society=union_tree["society_a"]).business_lines.add(BusinessLineFactory())
    with django_assert_num_queries(len(three_rows.captured_queries)):
        client.get("/centers/")


def test_an_edit_of_business_lines_and_fields_is_saved(staff_client, union_tree):
    line = BusinessLineFactory(code="cleaning")
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    center = union_tree["c1"]
    response = client.post("/centers/c1/edit/", center_form_data(center, name="Ajisai", business_lines=[line.pk]))
    assert response.status_code == 302
    center.refresh_from_db()
    assert center.name == "Ajisai"
    assert list(center.business_lines.all()) == [line]


def test_a_head_office_editor_cannot_move_a_center_to_another_head_office(staff_client, union_tree):
    client = staff_client(role=Role.HEAD_OFFICE_EDITOR, head_office="h1")
    center = union_tree["c1"]
    response = client.post("/centers/c1/edit/", center_form_data(center, head_office=union_tree["h2"].pk))
    assert response.status_code == 200
    assert "head_office" in response.context["form"].errors
    response = client.post("/centers/c1/edit/", center_form_data(center, head_office=""))
    assert response.context["form"].non_field_errors()
    center.refresh_from_db()
    assert center.head_office == union_tree["h1"]


def test_a_center_where_members_still_work_cannot_close(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    center = union_tree["c1"]
    response = client.post("/centers/c1/close/", {"closed_on": "2024-03-31", "version": center.version})
    assert "closed_on" in response.context["form"].errors
    record_update(union_tree["m1"], left_on=datetime.date(2024, 3, 1), leave_reason="retirement")
    response = client.post("/centers/c1/close/", {"closed_on": "2024-03-31", "version": center.version})
    assert response.status_code == 302
    center.refresh_from_db()
    assert center.closed_on == datetime.date(2024, 3, 31)


def test_a_stale_center_edit_is_refused(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    center = union_tree["c1"]
    started_from = center_form_data(center)
    record_update(center, municipality="Matsudo City")
    response = client.post("/en/centers/c1/edit/", started_from | {"name": "Mine"})
    assert response.context["stale"] == [{"label": "municipality", "yours": "Toshima City", "theirs": "Matsudo City"}]
    assert BusinessCenter.objects.get(pk=center.pk).name != "Mine"


def test_a_society_editor_creates_a_center_only_in_their_society(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    data = {"code": "new-center", "name": "New", "prefecture": "13", "opened_on": "2024-04-01"}
    refused = client.post("/centers/new/", data | {"society": union_tree["society_b"].pk})
    assert "society" in refused.context["form"].errors
    assert client.post("/centers/new/", data | {"society": union_tree["society_a"].pk}).status_code == 302
    assert BusinessCenter.objects.get(code="new-center").society == union_tree["society_a"]


def test_a_head_office_with_open_centers_cannot_close(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    office = union_tree["h2"]
    response = client.post("/head-offices/h2/close/", {"closed_on": "2024-03-31", "version": office.version})
    assert "closed_on" in response.context["form"].errors
    office.refresh_from_db()
    assert office.closed_on is None


def test_programmes_are_created_at_a_center_in_scope_and_found_by_search(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a")
    data = {
        "union": union_tree["union"].pk,
        "code": "yss-matsudo",
        "name": "Youth Support Station Matsudo",
        "kind": "youth_support_station",
        "funder": "national",
        "started_on": "2015-04-01",
    }
    union_level = client.post("/programmes/new/", data)
    assert union_level.context["form"].non_field_errors()  # a union-wide programme is not theirs
    assert client.post("/programmes/new/", data | {"business_center": union_tree["c1"].pk}).status_code == 302
    rows = client.get("/programmes/", {"q": "matsudo", "running_on": "2016-11-16"}).context["rows"]
    assert [row["url"] for row in rows] == ["/programmes/yss-matsudo/"]


def test_only_union_administrators_change_partners(staff_client, union_tree):
    from tests.factories import PartnerFactory

    partner = PartnerFactory(union=union_tree["union"], code="cicopa", name="CICOPA")
    data = {"union": union_tree["union"].pk, "code": "cicopa", "name": "CICOPA (ICA)", "relation": "partnership"}
    data |= {"level": "global", "version": partner.version}
    assert (
        staff_client(role=Role.SOCIETY_EDITOR, society="society_a").post("/partners/cicopa/edit/", data).status_code
        == 403
    )
    assert staff_client(role=Role.UNION_ADMIN).post("/partners/cicopa/edit/", data).status_code == 302
    partner.refresh_from_db()
    assert partner.name == "CICOPA (ICA)"


def test_center_page_shows_its_turnover_in_yen_in_each_language(staff_client, union_tree):
    from tests.factories import AnnualFiguresFactory

    AnnualFiguresFactory(society=None, business_center=union_tree["c1"], fiscal_year=2015, turnover_yen=19_000_000_000)
    client = staff_client(role=Role.VIEWER)
    assert "19,000,000,000円" in client.get("/centers/c1/").content.decode()
    assert "¥19,000,000,000" in client.get("/en/centers/c1/").content.decode()
    assert "19,000,000,000" not in client.get("/centers/c2/").content.decode()
