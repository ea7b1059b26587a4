"""Lists are read as rows (jwcu.api.rows.RowPlan), not as model instances: each page must be, byte for
byte, what DRF's serializer gives of the same records as instances, for every list, for every
kind of client, as of a day or not."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from businesses.api import (
    AnnualFiguresViewSet,
    BusinessCenterViewSet,
    BusinessLineViewSet,
    HeadOfficeViewSet,
    ProgrammeViewSet,
)
from jwcu.api.rows import RowPlan
from members import selectors
from members.api import MemberViewSet, PartnerViewSet, SocietyViewSet, UnionViewSet
from members.models import ContractType, Gender, Relationship
from members.services import member_leave
from tests import factories as f

pytestmark = pytest.mark.django_db

VIEWSETS = {
    "unions": UnionViewSet,
    "societies": SocietyViewSet,
    "head-offices": HeadOfficeViewSet,
    "business-centers": BusinessCenterViewSet,
    "business-lines": BusinessLineViewSet,
    "programmes": ProgrammeViewSet,
    "partners": PartnerViewSet,
    "members": MemberViewSet,
    "annual-figures": AnnualFiguresViewSet,
}
PAST_DAY = datetime.date(2015, 3, 31)


def list_view(viewset_class, caller):
    """The viewset as it serves a list to ``caller``'s client."""
    request = Request(APIRequestFactory().get("/"))
    request.auth = caller.client
    return viewset_class(request=request, format_kwarg=None, kwargs={}, action="list")


def drf_body(view, records, *, day=None, context=None) -> bytes:
    """A page of ``records`` (model instances) as DRF's serializer gives it."""
    context = {"request": view.request, "view": view, "format": None, "as_of": day, **(context or {})}
    data = view.serializer_class(records, many=True, context=context).data
    return JSONRenderer().render({"next": None, "results": data})


def in_list_order(view, queryset):
    return list(queryset.order_by(view.ordering_fields[0], "id"))


@pytest.fixture
def varied_members(api_tree):
    """People whose fields take every kind of value: no center, decimals, big and zero yen, blank
    and filled choices, left with a reason, inclusion records begun, ended and undated."""
    cwc, local, center = api_tree["cwc"], api_tree["local"], api_tree["center_west"]
    f.WorkerMemberFactory(
        society=cwc,
        business_center=center,
        member_number="V1",
        weekly_hours=Decimal("37.5"),
        capital_contribution_yen=2**40,
        gender=Gender.choices[0][0],
        contract_type=ContractType.choices[-1][0],
        relationship=Relationship.choices[-1][0],
    )
    f.WorkerMemberFactory(society=local, member_number="V2", weekly_hours=Decimal("20"), family_name_latin="")
    f.WorkerMemberFactory(society=local, member_number="V3", weekly_hours=Decimal("0.5"), birth_date=PAST_DAY)
    leaving = f.WorkerMemberFactory(society=cwc, business_center=center, member_number="V4")
    member_leave(leaving, left_on=datetime.date(2016, 3, 31), reason="retirement")
    second = f.InclusionCategoryFactory(code="t-second", sort_order=0)
    with_inclusions = api_tree["people"]["east"][0]
    f.MemberInclusionFactory(member=with_inclusions, category=second, since=None, ended_on=datetime.date(2015, 1, 1))
    f.MemberInclusionFactory(
        member=leaving, category=api_tree["category"], since=datetime.date(2016, 1, 1), certificate_held=True
    )
    return api_tree


@pytest.mark.parametrize("sensitive", [False, True])
def test_member_pages_are_what_the_serializer_gives_of_the_members(api, varied_members, sensitive):
    caller = api(varied_members["union"], sensitive=sensitive)
    view = list_view(MemberViewSet, caller)
    members = in_list_order(view, selectors.member_queryset(scope=view.scope))
    assert len(members) == 13
    page = caller.get("/api/v1/members/", {"page_size": 1000})
    assert page.content == drf_body(view, members)
    assert ("inclusions" in page.json()["results"][0]) is sensitive


@pytest.mark.parametrize("sensitive", [False, True])
def test_member_pages_as_of_a_day_are_what_the_serializer_gives_of_the_history(api, varied_members, sensitive):
    caller = api(varied_members["union"], sensitive=sensitive)
    view = list_view(MemberViewSet, caller)
    members = in_list_order(view, view.as_of(view.get_queryset(), datetime.date(2017, 3, 31)))
    inclusions = selectors.member_inclusions(member_ids=[m.id for m in members], day=datetime.date(2017, 3, 31))
    page = caller.get("/api/v1/members/", {"page_size": 1000, "as_of": "2017-03-31"})
    assert page.content == drf_body(
        view, members, day=datetime.date(2017, 3, 31), context={"inclusions": inclusions} if sensitive else {}
    )
    assert len(page.json()["results"]) == 12  # the one who left in 2016 is not among them


def test_member_pages_read_in_several_pages_are_the_same_rows(api, varied_members):
    caller = api(varied_members["union"], sensitive=True)
    view = list_view(MemberViewSet, caller)
    members = in_list_order(view, selectors.member_queryset(scope=view.scope))
    whole = caller.get("/api/v1/members/", {"page_size": 1000}).json()["results"]
    paged, url = [], "/api/v1/members/?page_size=4"
    while url:
        page = caller.get(url).json()
        paged += page["results"]
        url = page["next"]
    assert paged == whole
    assert [m["member_number"] for m in paged] == [m.member_number for m in members]


@pytest.mark.parametrize("resource", VIEWSETS)
@pytest.mark.parametrize("day", [None, PAST_DAY])
def test_every_list_page_is_what_the_serializer_gives_of_the_records(api, varied_members, resource, day):
    union, cwc = varied_members["union"], varied_members["cwc"]
    center = f.BusinessCenterFactory(society=cwc, head_office=varied_members["west"], code="t-varied")
    center.business_lines.set([f.BusinessLineFactory(code="t-line-b", sort_order=2), f.BusinessLineFactory()])
    f.ProgrammeFactory(union=union, business_center=None)
    f.AnnualFiguresFactory(society=None, business_center=center, surplus_yen=-(2**40))
    caller = api(union, sensitive=True)
    view = list_view(VIEWSETS[resource], caller)
    context = {"as_of": day, "request": view.request, "view": view, "format": None}
    assert RowPlan.of(view.serializer_class(context=context)) is not None, "the list would not be read as rows"
    records = view.get_queryset() if day is None else view.as_of(view.get_queryset(), day)
    records = in_list_order(view, records)
    assert records
    params = {"page_size": 1000} | ({"as_of": day.isoformat()} if day else {})
    page = caller.get(f"/api/v1/{resource}/", params)
    assert page.content == drf_body(view, records, day=day, context=view.page_context([r.id for r in records], day))


def test_a_page_s_tag_changes_with_any_row(api, varied_members):
    caller = api(varied_members["union"])
    tag = caller.get("/api/v1/members/", {"page_size": 1000})["ETag"]
    assert caller.get("/api/v1/members/", {"page_size": 1000})["ETag"] == tag
    member = varied_members["people"]["local"][1]
    member.updated_at = timezone.now()
    member.given_name_kana = "ハナ"
    member.save()
    assert caller.get("/api/v1/members/", {"page_size": 1000})["ETag"] != tag
