"""The membership rollup the database keeps (reports.rollup) against the registry's own rows.

The reference below reads people, their periods at centers and their inclusion records one by
one, in Python, by the definitions of ../shared/design.md; the statistics read the rollup. They
must agree on every day, for every center and society, after every kind of write.
"""

import datetime
import random
from collections import Counter

import pytest
from django.db import connection, transaction

from jwcu.scope import Scope
from members.models import LeaveReason, MemberInclusion, Placement, Relationship, WorkerMember
from members.services import member_leave, member_move
from reports import rollup
from reports.selectors import inclusion_by, members_by, membership_reconciliation
from tests.factories import (
    BusinessCenterFactory,
    ConsentRecordFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)

pytestmark = pytest.mark.django_db


def at_scope(union) -> Scope:
    return Scope(union_id=union.pk, sensitive=True)


def _years_after(day: datetime.date, years: int) -> datetime.date:
    """PostgreSQL's date + interval 'N years': 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _periods(member: WorkerMember):
    """(center id, start, end) of each period the member worked, clipped to the membership."""
    placements = list(member.placements.order_by("started_on"))
    if not placements:
        return [(member.business_center_id, member.joined_on, member.left_on)]
    periods = []
    for placement in placements:
        start = max(placement.started_on, member.joined_on)
        ends = [day for day in (placement.ended_on, member.left_on) if day is not None]
        periods.append((placement.business_center_id, start, min(ends) if ends else None))
    return periods


def _active(start, end, day) -> bool:
    return start <= day and (end is None or end > day)


def reference(day: datetime.date):
    """Per center on ``day``: worker members, elderly, youth, and inclusion categories held."""
    counts = Counter()
    for member in WorkerMember.objects.filter(relationship=Relationship.WORKER_MEMBER):
        inclusions = list(member.inclusions.all())
        for center, start, end in _periods(member):
            if not _active(start, end, day):
                continue
            counts[center, "active"] += 1
            if _years_after(member.birth_date, 60) <= day:
                counts[center, "elderly"] += 1
            if day < _years_after(member.birth_date, 35):
                counts[center, "youth"] += 1
            for inclusion in inclusions:
                if (inclusion.since is None or inclusion.since <= day) and (
                    inclusion.ended_on is None or inclusion.ended_on > day
                ):
                    counts[center, inclusion.category.code] += 1
    return counts


def from_rollup(scope, day: datetime.date):
    counts = Counter()
    for group in inclusion_by(scope=scope, as_of=day, by="business_center")["groups"]:
        center = group["key"]
        for measure in ("active_members", "elderly", "youth"):
            if group[measure]:
                counts[center, "active" if measure == "active_members" else measure] += group[measure]
        for code, n in group["categories"].items():
            if n:
                counts[center, code] += n
    return +counts


def keyed_by_code(counts):
    from businesses.models import BusinessCenter

    codes = dict(BusinessCenter.objects.values_list("pk", "code"))
    return Counter({(codes.get(center), measure): n for (center, measure), n in counts.items() if n})


def random_union(seed: int):
    """A society with three centers and forty people: joins over thirty years, a third left
    (some on the day they joined), some moved (some twice), birthdays on 29 February, inclusion
    categories held for a while, employees and volunteers beside the worker members."""
    rng = random.Random(seed)
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    centers = [BusinessCenterFactory(society=society, opened_on=datetime.date(1985, 1, 1)) for _ in range(3)]
    categories = [InclusionCategoryFactory() for _ in range(2)]

    def day_between(start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))

    for n in range(40):
        joined = day_between(datetime.date(1990, 1, 1), datetime.date(2024, 12, 31))
        birth = rng.choice(
            [datetime.date(1956, 2, 29), datetime.date(1980, 2, 29), day_between(datetime.date(1940, 1, 1), joined)]
        )
        member = WorkerMemberFactory(
            society=society,
            business_center=rng.choice(centers),
            member_number=f"R{n:03d}",
            birth_date=min(birth, joined),
            joined_on=joined,
            relationship=rng.choice([Relationship.WORKER_MEMBER] * 4 + [Relationship.EMPLOYEE]),
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            others = [c for c in centers if c.pk != member.business_center_id]
            current = member.placements.filter(ended_on__isnull=True).first()
            after = current.started_on if current else member.joined_on
            if after >= datetime.date(2025, 6, 1):
                break
            member = member_move(
                member,
                business_center=rng.choice(others),
                moved_on=day_between(after + datetime.timedelta(days=1), datetime.date(2025, 6, 30)),
            )
        if rng.random() < 0.3:
            current = member.placements.filter(ended_on__isnull=True).first()
            earliest = current.started_on if current else member.joined_on
            left = earliest if rng.random() < 0.2 else day_between(earliest, datetime.date(2026, 12, 31))
            member = member_leave(member, left_on=left, reason=rng.choice(LeaveReason.values))
        if rng.random() < 0.4:
            consent = ConsentRecordFactory(member=member)
            since = rng.choice([None, day_between(member.joined_on, datetime.date(2026, 1, 1))])
            ended = None
            if since and rng.random() < 0.5:
                ended = day_between(since + datetime.timedelta(days=1), datetime.date(2027, 1, 1))
            MemberInclusionFactory(
                member=member, consent=consent, category=rng.choice(categories), since=since, ended_on=ended
            )
    return union


SAMPLE_DAYS = [
    datetime.date(1989, 12, 31),
    datetime.date(2000, 2, 29),
    datetime.date(2015, 3, 31),
    datetime.date(2015, 4, 1),
    datetime.date(2016, 2, 28),
    datetime.date(2016, 2, 29),
    datetime.date(2017, 2, 28),
    datetime.date(2024, 12, 31),
    datetime.date(2026, 11, 25),
    datetime.date(2040, 6, 15),  # after the horizon: month totals of the horizon and the days after
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_agrees_with_the_people_on_every_day(seed):
    union = random_union(seed)
    scope = at_scope(union)
    rng = random.Random(seed)
    days = SAMPLE_DAYS + [datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(13_000)) for _ in range(15)]
    for day in days:
        assert Counter(+from_rollup(scope, day)) == keyed_by_code(reference(day)), day


def test_every_kind_of_write_keeps_it_in_step():
    union = random_union(7)
    scope = at_scope(union)
    day = datetime.date(2026, 1, 31)
    member = WorkerMember.objects.filter(left_on__isnull=True, relationship=Relationship.WORKER_MEMBER).first()
    # an edit that bypasses the services (as the admin or SQL may), of counted and uncounted fields
    WorkerMember.objects.filter(pk=member.pk).update(birth_date=datetime.date(1950, 1, 1), family_name="佐藤")
    assert Counter(+from_rollup(scope, day)) == keyed_by_code(reference(day))
    WorkerMember.objects.filter(pk=member.pk).update(left_on=datetime.date(2025, 12, 31), leave_reason="retirement")
    assert Counter(+from_rollup(scope, day)) == keyed_by_code(reference(day))
    MemberInclusion.objects.filter(member__society__union=union).update(ended_on=None)
    assert Counter(+from_rollup(scope, day)) == keyed_by_code(reference(day))
    Placement.objects.filter(member__society__union=union).delete()
    assert Counter(+from_rollup(scope, day)) == keyed_by_code(reference(day))


def test_members_count_where_they_worked_on_the_day_and_moves_reconcile():
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    east, west = (BusinessCenterFactory(society=society, code=code) for code in ("east", "west"))
    mover = WorkerMemberFactory(society=society, business_center=east, joined_on=datetime.date(2010, 4, 1))
    WorkerMemberFactory(society=society, business_center=west, joined_on=datetime.date(2015, 6, 1))
    member_move(mover, business_center=west, moved_on=datetime.date(2015, 10, 1))
    scope = at_scope(union)

    def by_center(day):
        return {row["key"]: row["worker_members"] for row in members_by(scope=scope, as_of=day, by="business_center")}

    assert by_center(datetime.date(2015, 9, 30)) == {"east": 1, "west": 1}
    assert by_center(datetime.date(2015, 10, 1)) == {"west": 2}
    result = membership_reconciliation(scope=scope, fiscal_year=2015)
    rows = {row["key"]: row for row in result["rows"]}
    assert (rows["east"]["opening"], rows["east"]["moves_out"], rows["east"]["closing"]) == (1, 1, 0)
    assert (rows["west"]["opening"], rows["west"]["joins"], rows["west"]["moves_in"], rows["west"]["closing"]) == (
        0,
        1,
        1,
        2,
    )
    for row in result["rows"]:
        assert row["opening"] + row["joins"] + row["moves_in"] - row["leaves"] - row["moves_out"] == row["closing"]
    total = result["total"]
    assert (total["opening"], total["joins"], total["moves_in"], total["moves_out"], total["closing"]) == (
        1,
        1,
        1,
        1,
        2,
    )


@pytest.mark.django_db(transaction=True)
def test_committed_writes_bring_the_rollup_up_to_date_once_per_transaction():
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    center = BusinessCenterFactory(society=society)
    with transaction.atomic():
        for n in range(5):
            WorkerMemberFactory(society=society, business_center=center, member_number=f"C{n}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM reports_rollup_dirty")
            assert cursor.fetchone()[0] == 1  # one cell marked, however many rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_rollup_dirty")
        assert cursor.fetchone()[0] == 0
    # read outside any transaction: what the commit left
    assert members_by(scope=at_scope(union), as_of=datetime.date(2026, 1, 1), by="society")[0]["worker_members"] == 5
    rollup.rebuild()
    assert members_by(scope=at_scope(union), as_of=datetime.date(2026, 1, 1), by="society")[0]["worker_members"] == 5


def test_rebuild_rollup_recomputes_everything_and_moves_the_horizon(capsys):
    from django.core.management import call_command

    union = random_union(11)
    day = datetime.date(2020, 6, 15)
    before = Counter(+from_rollup(at_scope(union), day))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_rollup_horizon SET horizon = '2001-01-31'")
        cursor.execute("DELETE FROM reports_memberrollup WHERE kind = 'M' AND \"on\" > '2001-01-31'")
    assert Counter(+from_rollup(at_scope(union), day)) == before  # right after the horizon, from the days

    call_command("rebuild_rollup")

    assert rollup.horizon() > datetime.date.today()
    assert Counter(+from_rollup(at_scope(union), day)) == before == keyed_by_code(reference(day))
    assert "Membership rollup rebuilt" in capsys.readouterr().out


def test_each_society_counts_over_its_own_fiscal_year():
    from reports.selectors import membership_over_years, worker_coop_act_check

    union = UnionFactory()
    march = MemberSocietyFactory(union=union, code="march")
    december = MemberSocietyFactory(union=union, code="december", fiscal_year_end_month=12)
    for society in (march, december):
        center = BusinessCenterFactory(society=society)
        WorkerMemberFactory(
            society=society, business_center=center, joined_on=datetime.date(2016, 2, 1), contract_type="regular"
        )

    def year_2015(society):
        scope = Scope(union_id=union.pk, society_id=society.pk, sensitive=True)
        return membership_over_years(scope=scope, fiscal_years=[2015])[0]

    # FY2015 is April 2015 - March 2016 for one, calendar 2015 for the other
    assert (year_2015(march)["joins"], year_2015(march)["worker_members"]) == (1, 1)
    assert (year_2015(december)["joins"], year_2015(december)["worker_members"]) == (0, 0)
    whole = membership_over_years(scope=at_scope(union), fiscal_years=[2015, 2016])
    assert [(y["joins"], y["worker_members"]) for y in whole] == [(1, 1), (1, 2)]
    act = {row["key"]: row for row in worker_coop_act_check(scope=at_scope(union), fiscal_year=2015)}
    assert act["march"]["as_of"] == datetime.date(2016, 3, 31)
    assert act["march"]["members"] == 1
    assert "december" not in act  # nobody on 2015-12-31
    reconciliation = membership_reconciliation(scope=at_scope(union), fiscal_year=2016, by="society")
    rows = {row["key"]: row for row in reconciliation["rows"]}
    assert (rows["march"]["opening"], rows["march"]["closing"]) == (1, 1)
    assert (rows["december"]["opening"], rows["december"]["joins"], rows["december"]["closing"]) == (0, 1, 1)
