"""The rollup kept by deltas (reports.rollup) against its recomputation.

After each write, every row of reports_memberrollup must be the one ``rollup.rebuild()`` writes
from the people as they are: the whole table is read, rebuilt, and read again. The writes are
those the delta path could get wrong: statements on many rows at once that move people across
month ends, societies and centers, leaves set and cleared, deletions, inclusion records ended,
placements written for people who had none, and concurrent transactions on the same cells and
the same people.
"""

import datetime
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.db.models import F, Q

from members.models import (
    ConsentRecord,
    LeaveReason,
    MemberInclusion,
    Placement,
    Relationship,
    WorkerMember,
)
from reports import rollup
from tests.factories import (
    BusinessCenterFactory,
    ConsentRecordFactory,
    InclusionCategoryFactory,
    MemberInclusionFactory,
    MemberSocietyFactory,
    UnionFactory,
    WorkerMemberFactory,
)
from tests.reports.test_rollup import random_union

pytestmark = pytest.mark.django_db

_ROW = (
    'kind, "on", society_id, business_center_id, category_id, relationship, engaged, leave_reason, '
    "active, elderly, youth, joins, leaves, moves_in, moves_out"
)


def rollup_rows(using: str = "default") -> Counter:
    """Every row of the rollup (but its id), brought up to date with this transaction first."""
    rollup.ensure_current(using)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {_ROW} FROM reports_memberrollup")
        return Counter(cursor.fetchall())


def assert_as_rebuilt():
    """The rollup as the deltas left it is, row for row, the one a recomputation writes."""
    kept = rollup_rows()
    horizon = rollup.horizon()
    rollup.rebuild()
    assert rollup.horizon() == horizon, "the rebuild moved the horizon: the comparison would not hold"
    rebuilt = rollup_rows()
    missing, extra = rebuilt - kept, kept - rebuilt
    assert (missing, extra) == (Counter(), Counter()), (
        f"{sum(missing.values())} rows missing, e.g. {sorted(missing)[:5]}; "
        f"{sum(extra.values())} extra, e.g. {sorted(extra)[:5]}"
    )
    assert sum(kept.values()) > 0


@pytest.fixture(autouse=True)
def _rebuilt_today():
    """Start from a rollup rebuilt today, so the horizon is the one a rebuild in the test sets."""
    rollup.rebuild()


def _people(union):
    return WorkerMember.objects.filter(society__union=union)


def test_one_statement_on_many_members_moves_joins_across_month_ends():
    union = random_union(21)
    assert_as_rebuilt()
    people = _people(union)
    # forwards by 20 days (many cross a month end), where the membership stays a period
    people.filter(Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on") + datetime.timedelta(days=20))).update(
        joined_on=F("joined_on") + datetime.timedelta(days=20)
    )
    assert_as_rebuilt()
    # backwards by 45 days, past the birth dates of none
    people.filter(birth_date__lt=F("joined_on") - datetime.timedelta(days=45)).update(
        joined_on=F("joined_on") - datetime.timedelta(days=45)
    )
    assert_as_rebuilt()
    # birthdays moved: elderly and youth from other days, some on 29 February
    people.filter(pk__in=people.values("pk")[:15]).update(birth_date=datetime.date(1964, 2, 29))
    assert_as_rebuilt()
    # joined after the horizon: day rows only, and no month rows left for them
    people.filter(left_on__isnull=True, member_number__lt="R010").update(joined_on=datetime.date(2035, 1, 1))
    assert_as_rebuilt()


def test_one_statement_sets_and_clears_leaves_and_changes_what_counts():
    union = random_union(22)
    people = _people(union)
    left_on = datetime.date(2025, 1, 31)
    people.filter(left_on__isnull=True, joined_on__lte=left_on).update(
        left_on=left_on, leave_reason=LeaveReason.RETIREMENT
    )
    assert_as_rebuilt()
    people.filter(left_on=left_on).update(left_on=None, leave_reason="")
    assert_as_rebuilt()
    people.filter(left_on__isnull=False).update(leave_reason=LeaveReason.OTHER)  # leaves by reason
    assert_as_rebuilt()
    people.update(
        relationship=Relationship.EMPLOYEE if people.first().relationship != "employee" else Relationship.VOLUNTEER
    )
    assert_as_rebuilt()
    people.update(relationship=Relationship.WORKER_MEMBER, contract_type="regular", weekly_hours=30)  # engaged
    assert_as_rebuilt()
    people.update(family_name="佐藤")  # counts nothing
    assert_as_rebuilt()


def test_one_statement_moves_members_to_another_society_and_center():
    union = random_union(23)
    other = MemberSocietyFactory(union=union)
    center = BusinessCenterFactory(society=other, opened_on=datetime.date(1985, 1, 1))
    people = _people(union)
    movers = list(people.order_by("pk").values_list("pk", flat=True)[:12])
    WorkerMember.objects.filter(pk__in=movers[:6]).update(society=other, business_center=center)
    WorkerMember.objects.filter(pk__in=movers[6:]).update(society=other, business_center=None)  # no center
    assert_as_rebuilt()
    WorkerMember.objects.filter(pk__in=movers).update(business_center=center)
    assert_as_rebuilt()


def test_placements_written_changed_and_deleted():
    union = random_union(24)
    people = _people(union)
    centers = list(union.societies.get().business_centers.order_by("pk"))
    # people never moved (no placements) get one: they count at its center, from its start
    unplaced = list(people.filter(placements__isnull=True, left_on__isnull=True).order_by("pk")[:5])
    Placement.objects.bulk_create(
        Placement(
            member=member,
            business_center=centers[(n + 1) % len(centers)],
            started_on=member.joined_on + datetime.timedelta(days=40),
        )
        for n, member in enumerate(unplaced)
    )
    assert_as_rebuilt()
    placements = Placement.objects.filter(member__society__union=union)
    placements.update(started_on=F("started_on") + datetime.timedelta(days=10))
    assert_as_rebuilt()
    placements.filter(pk__in=placements.values("pk")[:6]).update(business_center=centers[0])
    assert_as_rebuilt()
    ended = placements.filter(ended_on__isnull=False)
    ended.filter(pk__in=ended.values("pk")[:4]).delete()
    assert_as_rebuilt()
    placements.filter(member__in=unplaced).delete()  # back to their own center
    assert_as_rebuilt()


def test_inclusion_records_ended_changed_deleted_and_added():
    union = random_union(25)
    records = MemberInclusion.objects.filter(member__society__union=union)
    assert records.exists()
    ended_on, since = datetime.date(2024, 6, 30), datetime.date(2003, 4, 1)
    records.filter(Q(since__isnull=True) | Q(since__lt=ended_on), ended_on__isnull=True).update(ended_on=ended_on)
    assert_as_rebuilt()
    records.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=since)).update(since=since)
    assert_as_rebuilt()
    category = InclusionCategoryFactory()
    records.filter(pk__in=records.values("pk")[:3]).update(category=category)
    assert_as_rebuilt()
    records.filter(pk__in=records.values("pk")[:2]).delete()
    assert_as_rebuilt()
    for member in _people(union).filter(inclusions__isnull=True)[:4]:
        MemberInclusionFactory(member=member, consent=ConsentRecordFactory(member=member), category=category)
    assert_as_rebuilt()


def test_members_deleted_with_their_records():
    union = random_union(26)
    doomed = list(_people(union).order_by("-pk").values_list("pk", flat=True)[:10])
    MemberInclusion.objects.filter(member__in=doomed).delete()
    assert_as_rebuilt()
    ConsentRecord.objects.filter(member__in=doomed).delete()
    Placement.objects.filter(member__in=doomed).delete()
    assert_as_rebuilt()
    WorkerMember.objects.filter(pk__in=doomed).delete()
    assert_as_rebuilt()


def test_statements_in_one_transaction_add_up_before_it_commits():
    """Deltas of successive statements on the same people (member, then placements, then the
    member again) are each relative to what the one before left; a rebuild in the transaction
    drops what it has logged, not counting it twice."""
    union = random_union(27)
    member = _people(union).filter(left_on__isnull=True, placements__isnull=True).first()
    other = union.societies.get().business_centers.exclude(pk=member.business_center_id).first()
    WorkerMember.objects.filter(pk=member.pk).update(birth_date=datetime.date(1950, 3, 1))
    Placement.objects.create(member=member, business_center=other, started_on=datetime.date(2020, 4, 1))
    WorkerMember.objects.filter(pk=member.pk).update(left_on=datetime.date(2026, 3, 31), leave_reason="retirement")
    kept = rollup_rows()
    WorkerMemberFactory(society=member.society, business_center=other, joined_on=datetime.date(2021, 1, 1))
    rollup.rebuild()  # with that member's deltas logged, not applied
    WorkerMember.objects.filter(member_number=member.member_number, society=member.society).update(
        joined_on=member.joined_on
    )
    assert rollup_rows() != kept
    assert_as_rebuilt()


def test_a_synthetic_union_copied_in_and_an_upsert_that_inserts_and_updates():
    """COPY of people, placements and inclusion records (generate_synthetic), then one
    ``INSERT … ON CONFLICT DO UPDATE`` of the imports that both creates people and changes others
    (its INSERT and UPDATE triggers both fire, each with its own rows)."""
    from io import StringIO

    from django.core.management import call_command

    from jwcu.services import records_copy_upsert
    from members.models import Union

    call_command("generate_synthetic", members=400, centers=8, seed=3, union_code="delta-syn", stdout=StringIO())
    assert_as_rebuilt()
    union = Union.objects.get(code="delta-syn")
    society = union.societies.filter(people__isnull=False).order_by("code").first()
    center = society.business_centers.order_by("code").first()
    changed = list(WorkerMember.objects.filter(society=society, left_on__isnull=True).order_by("member_number")[:20])
    rows = [
        {
            "society": society,
            "member_number": m.member_number,
            "family_name": m.family_name,
            "given_name": m.given_name,
            "birth_date": m.birth_date,
            "business_center": m.business_center,
            "relationship": m.relationship,
            "joined_on": m.joined_on - datetime.timedelta(days=400),
        }
        for m in changed
        if m.birth_date < m.joined_on - datetime.timedelta(days=400)
    ] + [
        {
            "society": society,
            "member_number": f"NEW{n:03d}",
            "family_name": "新",
            "given_name": "人",
            "birth_date": datetime.date(1960 + n, 2, 29 if n % 4 == 0 else 28),
            "business_center": center,
            "relationship": Relationship.WORKER_MEMBER,
            "joined_on": datetime.date(2012, 4, 1) + datetime.timedelta(days=37 * n),
        }
        for n in range(30)
    ]
    counts = records_copy_upsert(WorkerMember, rows, key=("society", "member_number"))
    assert counts["created"] == 30
    assert counts["updated"] > 0
    assert_as_rebuilt()


def test_deltas_stop_at_a_horizon_that_is_not_todays():
    """The month-end rows run to the horizon the table has (here one in the past, as a rollup left
    unrebuilt for years would have), and the deltas after it are day rows only."""
    union = random_union(28)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_rollup_horizon SET horizon = '2012-01-31'")
        cursor.execute("DELETE FROM reports_memberrollup WHERE kind = 'M' AND \"on\" > '2012-01-31'")
    people = _people(union)
    people.filter(left_on__isnull=True, joined_on__lte="2010-12-31").update(
        left_on=datetime.date(2011, 6, 30), leave_reason=LeaveReason.OTHER
    )
    people.filter(left_on__isnull=True).update(joined_on=F("joined_on") - datetime.timedelta(days=3))
    kept = rollup_rows()
    assert max(on for kind, on, *_ in kept if kind == "M") <= datetime.date(2012, 1, 31)
    with connection.cursor() as cursor:  # the recomputation at that horizon, not a rebuild's
        cursor.execute("DELETE FROM reports_memberrollup")
        cursor.execute(
            "SELECT reports_rollup_refresh(ARRAY(SELECT id FROM businesses_businesscenter), "
            "ARRAY(SELECT id FROM members_membersociety))"
        )
    assert rollup_rows() == kept


def _written_rows() -> int:
    """Rows of the rollup this transaction has inserted, updated or deleted so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables "
            "WHERE relname = 'reports_memberrollup'"
        )
        return cursor.fetchone()[0]


def test_an_edit_of_one_person_writes_the_rows_of_its_months_not_of_its_center():
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    center = BusinessCenterFactory(society=society, opened_on=datetime.date(1985, 1, 1))
    for n in range(60):
        WorkerMemberFactory(
            society=society,
            business_center=center,
            joined_on=datetime.date(1990, 1, 1) + datetime.timedelta(days=181 * n),
            birth_date=datetime.date(1950 + n % 30, 1 + n % 12, 1),
        )
    rollup.ensure_current()
    center_rows = sum(rollup_rows().values())
    member = WorkerMember.objects.filter(business_center=center).order_by("joined_on").first()
    left_on = datetime.date(2026, 6, 30)
    before = _written_rows()
    WorkerMember.objects.filter(pk=member.pk).update(left_on=left_on, leave_reason=LeaveReason.RETIREMENT)
    rollup.ensure_current()
    written = _written_rows() - before
    horizon = rollup.horizon()
    months = (horizon.year - left_on.year) * 12 + horizon.month - left_on.month + 1
    # its day's rows (the change, the leave by reason) and the month ends from its month to the horizon
    assert 0 < written <= months + 3, (written, months)
    assert written * 10 < center_rows, (written, center_rows)  # a recomputation rewrites them all
    assert_as_rebuilt()


# Concurrent transactions: two connections, each in its own thread -----------------------------


def _in_thread(target, *args):
    errors = []

    def run():
        try:
            target(*args)
        except BaseException as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_writing_the_same_cells_add_up():
    rollup.rebuild()
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    center = BusinessCenterFactory(society=society, opened_on=datetime.date(1985, 1, 1))
    existing = [
        WorkerMemberFactory(society=society, business_center=center, joined_on=datetime.date(2001 + n, 4, 1))
        for n in range(4)
    ]
    both_written = threading.Barrier(2, timeout=20)

    def writer(n):
        with transaction.atomic():
            for k in range(3):
                WorkerMemberFactory(
                    society=society,
                    business_center=center,
                    member_number=f"T{n}-{k}",
                    joined_on=datetime.date(2010, 4, 1),  # the same day rows, the same month rows
                )
            WorkerMember.objects.filter(pk=existing[n].pk).update(left_on=datetime.date(2015, 3, 31))
            both_written.wait()  # neither has committed: their deltas are applied at their commits

    threads = [_in_thread(writer, n) for n in range(2)]
    for thread, errors in threads:
        thread.join(30)
        assert not errors, errors
    assert WorkerMember.objects.filter(society=society).count() == 10
    assert_as_rebuilt()


@pytest.mark.django_db(transaction=True)
def test_a_person_and_their_placement_changed_concurrently():
    """One transaction changes a person's birth date, another gives them a placement at another
    center meanwhile: the second's deltas must be computed with the first's person (it waits for
    it), or the rollup would keep a mix of the two."""
    rollup.rebuild()
    union = UnionFactory()
    society = MemberSocietyFactory(union=union)
    east, west = (BusinessCenterFactory(society=society, opened_on=datetime.date(1985, 1, 1)) for _ in range(2))
    member = WorkerMemberFactory(
        society=society, business_center=east, joined_on=datetime.date(2000, 4, 1), birth_date=datetime.date(1955, 1, 1)
    )
    updated = threading.Event()

    def edit_person():
        with transaction.atomic():
            WorkerMember.objects.filter(pk=member.pk).update(birth_date=datetime.date(1975, 1, 1))
            updated.set()
            time.sleep(1)  # the other transaction's statement meanwhile reaches its trigger

    def place():
        assert updated.wait(20)
        with transaction.atomic():
            Placement.objects.create(member=member, business_center=west, started_on=datetime.date(2000, 4, 1))

    threads = [_in_thread(edit_person), _in_thread(place)]
    for thread, errors in threads:
        thread.join(30)
        assert not errors, errors
    assert_as_rebuilt()
