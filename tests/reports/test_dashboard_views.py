"""Dashboards: sign-in, scope, filters in the URL, disclosure control, fixed query counts."""

import datetime

import pytest
from django.contrib.auth.models import User

from jwcu.models import RoleAssignment
from tests.factories import (
    AnnualFiguresFactory,
    BusinessCenterFactory,
    BusinessLineFactory,
    HeadOfficeFactory,
    InclusionCategoryFactory,
    IndicatorFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db
DASHBOARDS = ["overview", "membership", "turnover", "inclusion", "sdgs", "act"]


@pytest.fixture
def union():
    union = UnionFactory()
    category = InclusionCategoryFactory(code="v-mental", name="Mental disability")
    IndicatorFactory(code="population-aging-rate", label="Population aging rate", value=26)
    for index in range(3):
        society = MemberSocietyFactory(union=union, code=f"v-coop-{index}", name=f"Coop {index}")
        office = HeadOfficeFactory(society=society, code=f"v-office-{index}")
        line = BusinessLineFactory(code=f"v-line-{index}", sdg_goals=[8, index + 1])
        for number in range(3):
            center = BusinessCenterFactory(
                society=society, head_office=office, code=f"v-center-{index}-{number}", prefecture=f"1{number}"
            )
            center.business_lines.set([line])
            AnnualFiguresFactory(society=None, business_center=center, turnover_yen=1_000_000 * (index + 1))
            add_members(society, center, category, 3 + number)
    return union


def add_members(society, center, category, count):
    for number in range(count):
        member = WorkerMemberFactory(society=society, business_center=center, weekly_hours=40)
        if number < 2:
            MemberInclusionFactory(member=member, category=category)


def signed_in(client, union, *, role="union_admin", sensitive=True):
    user = User.objects.create_user(f"{role}-{sensitive}", password="x")
    RoleAssignment.objects.create(user=user, role=role, union=union, sensitive=sensitive)
    client.force_login(user)
    return client


def url(name, query="fiscal_year=2015"):
    return f"/dashboards/{'' if name == 'overview' else name + '/'}?{query}"


def test_dashboards_require_sign_in(client, union):
    response = client.get(url("overview"))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


# Each count includes one query that brings the membership rollup up to date with the test's own
# uncommitted writes (reports.rollup.ensure_current); a request in production has none to add.
@pytest.mark.parametrize(
    ("name", "queries"),
    [("overview", 17), ("membership", 16), ("turnover", 15), ("inclusion", 17), ("sdgs", 9), ("act", 9)],
)
def test_each_dashboard_runs_a_fixed_number_of_queries(client, union, name, queries, django_assert_num_queries):
    signed_in(client, union)
    with django_assert_num_queries(queries):
        assert client.get(url(name)).status_code == 200
    society = union.societies.first()
    add_members(society, society.business_centers.first(), InclusionCategoryFactory(), 20)
    with django_assert_num_queries(queries):
        assert client.get(url(name)).status_code == 200


def test_overview_shows_the_union_and_follows_the_filters_in_the_url(client, union):
    signed_in(client, union)
    page = client.get(url("overview")).content.decode()
    assert "Worker members" in page
    assert ">36<" in page
    assert "¥18,000,000" in page  # 3 x (1 + 2 + 3) million
    filtered = client.get(url("overview", "fiscal_year=2015&society=v-coop-2&prefecture=11")).content.decode()
    assert ">4<" in filtered
    assert "¥3,000,000" in filtered
    assert 'value="v-coop-2" selected' in filtered


def test_a_filter_outside_the_scope_is_refused(client, union):
    signed_in(client, union)
    other = MemberSocietyFactory(code="v-elsewhere")
    page = client.get(url("overview", f"society={other.code}")).content.decode()
    assert 'role="alert"' in page


def test_inclusion_is_disclosure_controlled_without_the_sensitive_permission(client, union):
    signed_in(client, union, role="viewer", sensitive=False)
    page = client.get(url("inclusion", "fiscal_year=2015&by=business_center")).content.decode()
    # each center has 2 members with the category: hidden as <5
    assert "&lt;5" in page
    assert "National context" in page
    assert "Population aging rate" in page


def test_inclusion_shows_counts_with_the_sensitive_permission(client, union):
    signed_in(client, union, sensitive=True)
    page = client.get(url("inclusion", "fiscal_year=2015&by=business_center")).content.decode()
    assert "&lt;5" not in page


def test_a_society_editor_sees_only_its_society(client, union):
    user = User.objects.create_user("editor", password="x")
    society = union.societies.get(code="v-coop-0")
    RoleAssignment.objects.create(user=user, role="society_editor", union=union, society=society)
    client.force_login(user)
    page = client.get(url("membership")).content.decode()
    assert "Coop 0" in page
    assert "Coop 1" not in page


def test_every_chart_travels_as_a_vega_lite_spec_with_its_table(client, union):
    signed_in(client, union)
    page = client.get(url("turnover")).content.decode()
    assert page.count('data-chart="') >= 5
    assert "vega-lite/v6" in page
    assert "<summary>Table</summary>" in page
    assert "/static/vendor/vega/vega-embed.min.js" in page


def test_act_dashboard_flags_shortfalls(client, union):
    signed_in(client, union)
    society = union.societies.get(code="v-coop-0")
    society.people.update(weekly_hours=None)
    page = client.get(url("act")).content.decode()
    assert "falls short" in page


def test_as_of_date_sets_the_fiscal_year(client, union):
    signed_in(client, union)
    page = client.get(url("membership", f"as_of={datetime.date(2015, 3, 31)}")).content.decode()
    assert "FY2014" in page


@pytest.mark.parametrize("name", DASHBOARDS)
def test_filters_do_not_make_queries_grow_with_the_data(client, union, name, django_assert_max_num_queries):
    signed_in(client, union)
    query = "fiscal_year=2015&society=v-coop-1&prefecture=11&business_line=v-line-1"
    with django_assert_max_num_queries(25) as captured:
        assert client.get(url(name, query)).status_code == 200
    before = len(captured.captured_queries)
    society = union.societies.get(code="v-coop-1")
    add_members(society, society.business_centers.get(code="v-center-1-1"), InclusionCategoryFactory(), 20)
    with django_assert_max_num_queries(before) as again:
        assert client.get(url(name, query)).status_code == 200
    assert len(again.captured_queries) == before


def test_the_report_page_asks_for_the_report_by_post_with_its_csrf_token(client, union):
    signed_in(client, union)
    page = client.get("/dashboards/annual-report/").content.decode()
    assert 'method="post" action="/dashboards/annual-report/request/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "prepared in the background" in page


def test_contradictory_or_wrong_filters_show_no_figures_but_the_reason(client, union):
    """A head office of another society than the one chosen, or a code outside the caller's
    scope, matches nobody: the page says why, with no figures (not the figures of other filters)."""
    signed_in(client, union)
    society, other = union.societies.order_by("code")[:2]
    head_office = HeadOfficeFactory(society=other, code="ho-other")
    page = client.get("/dashboards/membership/", {"society": society.code, "head_office": head_office.code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "This head office belongs to another society." in html
    assert "No figures: correct the filters above" in html
    assert page.context["dashboard"] is None
    page = client.get("/dashboards/membership/", {"society": "no-such-society"})
    assert page.context["dashboard"] is None
    assert client.get("/dashboards/membership/", {"society": society.code}).context["dashboard"] is not None


def test_an_unreported_year_shows_no_turnover_rather_than_zero_and_a_fall(client, union):
    signed_in(client, union)
    page = client.get(url("overview", "fiscal_year=2031"))
    headline = {str(label): value for label, value, _kind in page.context["dashboard"].headline}
    assert headline["Turnover FY2031"] is None
    assert headline["Change on FY2030"] is None
    html = page.content.decode()
    assert "¥0" not in html
    assert "-100" not in html
    turnover = client.get(url("turnover", "fiscal_year=2031")).context["dashboard"].headline
    assert turnover[0][1] is None


def test_the_api_says_null_for_an_unreported_year(api, union):
    caller = api(union)
    body = caller.get("/api/v1/stats/turnover/", {"fiscal_year": 2031}).json()
    assert body["turnover_yen"] is None
    reported = caller.get("/api/v1/stats/turnover/", {"fiscal_year": 2015}).json()
    assert reported["turnover_yen"] > 0
