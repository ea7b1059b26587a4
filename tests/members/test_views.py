import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jwcu import audit
from jwcu.models import Role
from jwcu.scope import Scope
from jwcu.services import record_update
from members.models import Placement, WorkerMember
from members.services import member_anonymise
from reports.selectors import inclusion_by, members_by
from tests.factories import BusinessCenterFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db

EDITOR = {"role": Role.SOCIETY_EDITOR, "society": "society_a"}
M1 = "/members/society-a/A1/"
EN = "/en"  # Japanese is the default language; English pages are under /en/


def member_form_data(member, **overrides):
    data = {
        "member_number": member.member_number,
        "family_name": member.family_name,
        "given_name": member.given_name,
        "family_name_kana": member.family_name_kana,
        "given_name_kana": member.given_name_kana,
        "family_name_latin": member.family_name_latin,
        "given_name_latin": member.given_name_latin,
        "birth_date": member.birth_date.isoformat(),
        "gender": member.gender,
        "relationship": member.relationship,
        "joined_on": member.joined_on.isoformat(),
        "capital_contribution_yen": member.capital_contribution_yen,
        "contract_type": member.contract_type,
        "weekly_hours": "",
        "version": member.version,
    }
    return data | overrides


def test_search_finds_a_member_by_kana_romaji_or_kanji(staff_client, union_tree):
    client = staff_client(**EDITOR)
    for term in ["ヤマダ", "yamada", "A1"]:
        rows = client.get("/members/", {"q": term}).context["rows"]
        assert [row["url"] for row in rows] == [M1], term


def test_list_sorts_by_the_chosen_column_and_pages(staff_client, union_tree):
    society = union_tree["society_a"]
    for number in range(30):
        WorkerMemberFactory(society=society, member_number=f"Z{number:02d}", family_name_kana="ワタナベ")
    client = staff_client(**EDITOR)
    first = client.get("/members/", {"sort": "-member_number"})
    assert first.context["page"].paginator.count == 32
    assert first.context["rows"][0]["url"] == "/members/society-a/Z29/"
    second = client.get("/members/", {"sort": "-member_number", "page": 2})
    assert [row["url"] for row in second.context["rows"]][-2:] == ["/members/society-a/A2/", "/members/society-a/A1/"]


def test_list_page_runs_the_same_queries_whatever_the_number_of_rows(
    staff_client, union_tree, django_assert_num_queries
):
    client = staff_client(**EDITOR)
    client.get("/members/")  # session and language warm-up
    with django_assert_num_queries(9) as three_rows:
        client.get("/members/")
    for number in range(10):
        WorkerMemberFactory(
            society=union_tree["society_a"], business_center=union_tree["c2"], member_number=f"N{number}"
        )
    with django_assert_num_queries(len(three_rows.captured_queries)):
        client.get("/members/")


def test_an_edit_is_saved_and_appears_in_the_history_with_its_channel(staff_client, union_tree):
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    response = client.post(f"{M1}edit/", member_form_data(member, given_name="桜"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.given_name == "桜"
    history = client.get(f"{EN}{M1}history/")
    changed = history.context["entries"][0]
    assert changed["row"].history_channel == audit.Channel.BROWSER
    assert changed["row"].history_user.username.startswith("user")
    assert {"label": "given name", "old": "花子", "new": "桜"} in changed["changes"]


def test_a_stale_edit_is_refused_and_shows_what_changed_meanwhile(staff_client, union_tree):
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    started_from = member_form_data(member)
    record_update(member, family_name_latin="Yamada-Sato")  # someone else saves first
    response = client.post(f"{EN}{M1}edit/", started_from | {"given_name": "桜"})
    assert response.status_code == 200
    assert response.context["stale"] == [{"label": "family name (romaji)", "yours": "Yamada", "theirs": "Yamada-Sato"}]
    member.refresh_from_db()
    assert (member.given_name, member.family_name_latin) == ("花子", "Yamada-Sato")
    # Saving again from the refreshed form applies the edit over the other one.
    resubmitted = response.context["form"].data
    assert client.post(f"{M1}edit/", resubmitted).status_code == 302
    member.refresh_from_db()
    assert member.given_name == "桜"


def test_field_errors_stand_beside_the_field(staff_client, union_tree):
    client = staff_client(**EDITOR)
    response = client.post(f"{M1}edit/", member_form_data(union_tree["m1"], joined_on="1960-01-01", weekly_hours="200"))
    errors = response.context["form"].errors
    assert "weekly_hours" in errors
    page = response.content.decode()
    assert 'id="id_weekly_hours_error"' in page
    assert 'aria-describedby="id_weekly_hours_error"' in page
    assert 'aria-invalid="true"' in page


def test_a_member_created_in_another_society_is_refused_and_nothing_is_saved(staff_client, union_tree):
    client = staff_client(**EDITOR)
    data = member_form_data(union_tree["m1"], member_number="NEW1") | {
        "society": union_tree["society_b"].pk,
        "business_center": "",
    }
    del data["version"]
    response = client.post("/members/new/", data)
    assert response.status_code == 200
    assert "society" in response.context["form"].errors
    assert not WorkerMember.objects.filter(member_number="NEW1").exists()


def test_a_head_office_editor_cannot_create_a_member_outside_their_head_office(staff_client, union_tree):
    client = staff_client(role=Role.HEAD_OFFICE_EDITOR, head_office="h1")
    data = member_form_data(union_tree["m1"], member_number="NEW2") | {
        "society": union_tree["society_a"].pk,
        "business_center": "",
    }
    response = client.post("/members/new/", data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not WorkerMember.objects.filter(member_number="NEW2").exists()
    data["business_center"] = union_tree["c1"].pk
    assert client.post("/members/new/", data).status_code == 302
    assert WorkerMember.objects.get(member_number="NEW2").business_center == union_tree["c1"]


def test_a_member_who_moves_keeps_the_periods_of_where_they_worked(staff_client, union_tree):
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    response = client.post(
        f"{M1}move/", {"business_center": union_tree["c2"].pk, "moved_on": "2020-04-01", "version": member.version}
    )
    assert response.status_code == 302
    periods = client.get(M1).context["periods"]
    assert [(p["business_center"].code, p["started_on"], p["ended_on"]) for p in periods] == [
        ("c1", member.joined_on, datetime.date(2020, 4, 1)),
        ("c2", datetime.date(2020, 4, 1), None),
    ]
    member.refresh_from_db()
    assert member.business_center == union_tree["c2"]


def test_the_periods_shown_are_the_ones_the_statistics_count(staff_client, union_tree):
    """Clipped to the membership: a placement recorded past the day the member left ends on
    that day, one recorded before joining starts on joining; a period wholly after leaving is
    none (reports.rollup counts nothing there either)."""
    member = union_tree["m1"]
    joined, left = datetime.date(2015, 4, 1), datetime.date(2019, 3, 31)
    WorkerMember.objects.filter(pk=member.pk).update(joined_on=joined, left_on=left)
    Placement.objects.bulk_create(
        [
            Placement(member=member, business_center=union_tree["c1"], started_on=datetime.date(2014, 1, 1),
                      ended_on=datetime.date(2017, 4, 1)),
            Placement(member=member, business_center=union_tree["c2"], started_on=datetime.date(2017, 4, 1),
                      ended_on=datetime.date(2020, 1, 1)),
            Placement(member=member, business_center=union_tree["c1"], started_on=datetime.date(2020, 1, 1)),
        ]
    )  # fmt: skip
    client = staff_client(**EDITOR)
    periods = client.get(M1).context["periods"]
    assert [(p["business_center"].code, p["started_on"], p["ended_on"]) for p in periods] == [
        ("c1", joined, datetime.date(2017, 4, 1)),
        ("c2", datetime.date(2017, 4, 1), left),
    ]
    scope = Scope(union_id=union_tree["union"].pk)

    def at(day):
        rows = members_by(scope=scope, as_of=day, by="business_center")
        return {row["key"]: row["worker_members"] for row in rows if row["key"] in ("c1", "c2")}

    # m2 works at c2 throughout; m1 counts where the page says, and nowhere after leaving
    assert at(datetime.date(2016, 1, 1)) == {"c1": 1, "c2": 1}
    assert at(datetime.date(2018, 1, 1)).get("c1", 0) == 0
    assert at(datetime.date(2018, 1, 1))["c2"] == 2
    assert at(datetime.date(2020, 6, 1)).get("c1", 0) == 0


def test_a_failed_move_changes_nothing(staff_client, union_tree):
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    stale_version = member.version
    record_update(member, given_name="桜")
    response = client.post(
        f"{M1}move/", {"business_center": union_tree["c2"].pk, "moved_on": "2020-04-01", "version": stale_version}
    )
    assert response.context["stale"]
    assert not Placement.objects.exists()
    member.refresh_from_db()
    assert member.business_center == union_tree["c1"]


def test_a_member_leaves_with_a_date_and_a_reason(staff_client, union_tree):
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    response = client.post(f"{M1}leave/", {"left_on": "2023-03-31", "reason": "retirement", "version": member.version})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.left_on, member.leave_reason) == (datetime.date(2023, 3, 31), "retirement")
    assert client.get(f"{M1}leave/").status_code == 404  # already left


def test_history_shows_the_record_as_it_stood_on_a_chosen_date(staff_client, union_tree):
    member = union_tree["m1"]
    past = member.history.get()
    past.history_date = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    past.save()
    record_update(member, given_name="桜")
    client = staff_client(**EDITOR)
    then = client.get(f"{EN}{M1}history/", {"as_of": "2021-06-01"}).context["as_of_fields"]
    assert {"label": "given name", "value": "花子"} in then
    before = client.get(f"{M1}history/", {"as_of": "2019-06-01"}).context
    assert before["as_of_fields"] is None
    assert before["as_of_error"]


def test_consent_must_be_recorded_before_an_inclusion_category(staff_client, union_tree):
    client = staff_client(role=Role.SOCIETY_EDITOR, society="society_a", sensitive=True)
    url = "/members/society-a/A2/"
    refused = client.post(f"{url}inclusion/", {"category": union_tree["category"].pk})
    assert "consent" in refused.context["form"].errors
    assert client.post(f"{url}consent/", {"given_on": "2024-04-01", "scope": "inclusion_records", "reference": "C-9"})
    consent = union_tree["m2"].consents.get()
    assert consent.recorded_by.username.startswith("user")
    saved = client.post(f"{url}inclusion/", {"category": union_tree["category"].pk, "consent": consent.pk})
    assert saved.status_code == 302
    assert union_tree["m2"].inclusions.get().consent == consent


def test_an_administrator_anonymises_a_member_after_the_retention_period(staff_client, union_tree, settings):
    settings.MEMBER_RETENTION_YEARS = 5
    member = record_update(union_tree["m1"], left_on=datetime.date(2015, 3, 31), leave_reason="resignation")
    statistics = {"scope": Scope.everything(), "as_of": datetime.date(2014, 1, 1), "by": "business_center"}
    before = inclusion_by(**statistics)
    assert before["groups"][0]["categories"]["mental-disability"] == 1
    editor = staff_client(**EDITOR)
    assert editor.get(f"{M1}anonymise/").status_code == 403
    admin = staff_client(role=Role.UNION_ADMIN)
    refused = admin.post(f"{M1}anonymise/", {"version": member.version})
    assert "confirm" in refused.context["form"].errors
    response = admin.post(f"{M1}anonymise/", {"confirm": "on", "version": member.version})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.family_name, member.family_name_kana, member.given_name_latin) == ("—", "", "")
    assert member.anonymised_on is not None
    assert not member.history.filter(family_name="山田").exists()
    assert inclusion_by(**statistics) == before


def test_anonymising_before_the_retention_period_ends_is_refused(union_tree):
    member = union_tree["m2"]
    record_update(member, left_on=datetime.date(2024, 3, 31), leave_reason="resignation")
    with translation.override("en"), pytest.raises(ValidationError, match="retention"):
        member_anonymise(member, today=datetime.date(2025, 1, 1))
    member.refresh_from_db()
    assert member.family_name == "田中"


def test_a_viewer_sees_no_edit_buttons(staff_client, union_tree):
    page = staff_client(role=Role.VIEWER).get(M1).content.decode()
    assert f'href="{M1}edit/"' not in page
    assert f'href="{M1}history/"' in page


def test_a_member_cannot_be_moved_to_a_center_of_another_society(staff_client, union_tree):
    foreign_center = BusinessCenterFactory(society=union_tree["society_b"])
    client = staff_client(**EDITOR)
    member = union_tree["m1"]
    response = client.post(
        f"{M1}move/", {"business_center": foreign_center.pk, "moved_on": "2020-04-01", "version": member.version}
    )
    assert "business_center" in response.context["form"].errors
    member.refresh_from_db()
    assert member.business_center == union_tree["c1"]


def test_an_edit_without_the_version_it_started_from_is_refused(staff_client, union_tree):
    client = staff_client(**EDITOR)
    data = member_form_data(union_tree["m1"], given_name="桜")
    del data["version"]
    response = client.post(f"{M1}edit/", data)
    assert "version" in response.context["form"].errors
    union_tree["m1"].refresh_from_db()
    assert union_tree["m1"].given_name == "花子"


def test_history_page_queries_do_not_grow_with_the_changes(staff_client, union_tree, django_assert_num_queries):
    client = staff_client(role=Role.UNION_ADMIN, sensitive=True)
    member = union_tree["m1"]
    for name in ["桜", "葵", "楓"]:
        member = record_update(member, given_name=name)
    client.get(f"{M1}history/")
    with django_assert_num_queries(15) as three_changes:
        client.get(f"{M1}history/")
    for number in range(10):
        member = record_update(
            member, given_name=f"名{number}", business_center=union_tree["c1" if number % 2 else "c2"]
        )
    with django_assert_num_queries(len(three_changes.captured_queries)):
        response = client.get(f"{M1}history/")
    assert len(response.context["entries"]) == 16  # created, 13 changes, the consent and the inclusion
