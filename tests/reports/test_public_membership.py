"""The public annual report hides small counts of people in its membership and Act figures too,
not only in the inclusion figures."""

import datetime

import pytest

from members.models import LeaveReason
from members.services import member_leave
from reports import annual_report
from reports.figures import COUNT
from tests.factories import BusinessCenterFactory, MemberSocietyFactory, UnionFactory, WorkerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def union():
    union = UnionFactory()
    small = MemberSocietyFactory(union=union, code="small", prefecture="01")
    large = MemberSocietyFactory(union=union, code="large", prefecture="13")
    for society, people, leavers in ((small, 3, 1), (large, 30, 6)):
        center = BusinessCenterFactory(society=society, prefecture=society.prefecture)
        for n in range(people):
            member = WorkerMemberFactory(
                society=society,
                business_center=center,
                member_number=f"{society.code}-{n}",
                joined_on=datetime.date(2010, 4, 1),
                contract_type="regular",
            )
            if n < leavers:
                member_leave(member, left_on=datetime.date(2015, 9, 1), reason=LeaveReason.RESIGNATION)
    return union


def figures(union, *, public):
    report = annual_report.build(union=union, fiscal_year=2015, public=public)
    return {figure.slug: figure for section in report.sections for figure in section.figures}


def counts(figure):
    for row in figure.rows:
        yield row[0], {c.key: v for c, v in zip(figure.columns, row, strict=True) if c.kind == COUNT}


def test_small_counts_of_people_are_hidden_with_a_complement_in_the_public_report(union):
    public = figures(union, public=True)
    for slug in ("members-by-prefecture", "reconciliation-by-society", "worker-cooperatives-act"):
        for _name, cells in counts(public[slug]):
            assert not any(isinstance(v, int) and 0 < abs(v) < 5 for v in cells.values()), (slug, cells)
    prefectures = [row[1] for row in public["members-by-prefecture"].rows]
    # 2 in Hokkaido is hidden, and so is Tokyo's 24 (else the total would give it away)
    assert prefectures == ["<5", "<5"]
    assert all(row[2] is None for row in public["members-by-prefecture"].rows)  # shares hidden with them
    # the small society's row: opening 3, left 1, closing 2 - no single hidden cell to recover
    reconciliation = dict(counts(public["reconciliation-by-society"]))
    for cells in reconciliation.values():
        assert sum(v == "<5" for v in cells.values()) != 1
    act = {row[0]: row for row in public["worker-cooperatives-act"].rows}
    small = act[union.societies.get(code="small").name]
    assert small[1] == small[2] == "<5"  # 2 members, 2 engaged
    assert small[3] is None  # and their share


def test_the_internal_report_keeps_every_count(union):
    internal = figures(union, public=False)
    prefectures = sorted(row[1] for row in internal["members-by-prefecture"].rows)
    assert prefectures == [2, 24]
    assert not any("<5" in map(str, row) for row in internal["reconciliation-by-society"].rows)
