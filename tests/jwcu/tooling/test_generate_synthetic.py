import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from businesses.models import AnnualFigures, BusinessCenter, HeadOffice
from jwcu.tooling import bench, synthetic
from members.models import (
    ConsentRecord,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
    Relationship,
    SocietyKind,
    Union,
    WorkerMember,
)

pytestmark = pytest.mark.django_db


def generate(union_code: str, *, members=300, centers=12, seed=7) -> Union:
    call_command(
        "generate_synthetic", members=members, centers=centers, seed=seed, union_code=union_code, stdout=StringIO()
    )
    return Union.objects.get(code=union_code)


def people_digest(union: Union) -> str:
    rows = (
        WorkerMember.objects.filter(society__union=union)
        .order_by("id")
        .values_list("member_number", "family_name", "given_name", "birth_date", "joined_on", "left_on", "relationship")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.parametrize(("members", "centers"), [(300, 12), (1, 1)])
def test_creates_the_requested_numbers_of_people_and_centers(members, centers):
    out = StringIO()
    arguments = ["--members", str(members), "--centers", str(centers), "--union-code", "syn-a"]
    call_command("generate_synthetic", *arguments, stdout=out)

    union = Union.objects.get(code="syn-a")
    assert WorkerMember.objects.filter(society__union=union).count() == members
    assert BusinessCenter.objects.filter(society__union=union).count() == centers
    assert f"{centers} business centers" in out.getvalue()
    assert f"{members} people" in out.getvalue()


def test_every_person_works_at_a_center_of_their_own_society():
    union = generate("syn-a")

    people = WorkerMember.objects.filter(society__union=union)
    assert not people.filter(business_center__isnull=True).exists()
    assert not people.exclude(business_center__society=F("society")).exists()


def test_the_union_has_the_shape_of_jwcu():
    union = generate("syn-a", members=2_000, centers=40)

    societies = MemberSociety.objects.filter(union=union)
    central = societies.get(kind=SocietyKind.CENTRAL_WORKER_COOP)
    older = societies.get(kind=SocietyKind.OLDER_PERSONS_COOP_UNION)
    assert societies.filter(kind=SocietyKind.LOCAL_WORKER_COOP).count() >= 2
    people = WorkerMember.objects.filter(society__union=union)
    assert people.filter(society=central).count() > people.count() / 2
    assert not older.registers_individuals
    assert not people.filter(society=older).exists()
    assert MembershipReport.objects.get(society=older).members > 0
    assert HeadOffice.objects.filter(society=central).count() >= 1
    assert not BusinessCenter.objects.filter(society__union=union, business_lines__isnull=True).exists()
    assert AnnualFigures.objects.filter(business_center__society__union=union).count() == 40 * 3
    assert 0.10 < people.filter(left_on__isnull=False).count() / 2_000 < 0.20
    assert 0.04 < people.exclude(relationship=Relationship.WORKER_MEMBER).count() / 2_000 < 0.12
    consents = ConsentRecord.objects.filter(member__society__union=union)
    assert 0.03 < consents.count() / 2_000 < 0.09
    inclusions = MemberInclusion.objects.filter(member__society__union=union)
    assert inclusions.count() >= consents.count()
    assert not inclusions.exclude(consent__member=F("member")).exists()


def test_people_have_no_history_rows_but_organisations_do():
    union = generate("syn-a")

    assert not WorkerMember.history.filter(society__union=union).exists()
    assert BusinessCenter.history.filter(society__union=union).count() == 12


def test_the_same_seed_gives_the_same_people():
    first, second = generate("syn-a", seed=7), generate("syn-b", seed=7)
    other = generate("syn-c", seed=8)

    assert people_digest(first) == people_digest(second)
    assert people_digest(first) != people_digest(other)


def test_the_default_union_code_names_the_seed():
    call_command("generate_synthetic", members=20, centers=2, seed=42, stdout=StringIO())

    assert Union.objects.filter(code=synthetic.default_union_code(42)).exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--members", "0", "--centers", "1"], "--members must be at least 1"),
        (["--members", "10", "--centers", "0"], "--centers must be at least 1"),
        (["--members", "10", "--centers", "11"], "cannot exceed"),
        (["--members", "ten", "--centers", "1"], "--members must be a whole number"),
        (["--members", "10", "--centers", "1.5"], "--centers must be a whole number"),
        (["--members", "10", "--centers", "1", "--seed", "-1"], "--seed must be at least 0"),
        (["--members", "10", "--centers", "1", "--union-code", "Not A Code"], "is not a code"),
        (["--members", "10", "--centers", "1", "--union-code", "existing"], "already exists"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(arguments, message):
    Union.objects.create(code="existing", name="Existing")

    with pytest.raises(CommandError, match=message):
        call_command("generate_synthetic", *arguments, stdout=StringIO())

    assert list(Union.objects.values_list("code", flat=True)) == ["existing"]
    assert not MemberSociety.objects.exists()


def test_a_clash_with_an_existing_code_is_refused_and_nothing_is_written():
    existing = generate("syn-a")
    MemberSociety.objects.filter(union=existing, code="syn-a-cwc").update(code="syn-b-cwc")

    with pytest.raises(CommandError, match="Nothing was written"):
        generate("syn-b")

    assert not Union.objects.filter(code="syn-b").exists()
    assert WorkerMember.objects.count() == 300


def test_a_failure_half_way_leaves_nothing(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(synthetic, "_consent_lines", refuse)

    with pytest.raises(RuntimeError):
        generate("syn-a")

    assert not Union.objects.exists()
    assert not WorkerMember.objects.exists()
    assert not BusinessCenter.objects.exists()


def test_bench_runs_end_to_end_and_leaves_the_database_as_it_was(capsys):
    small, large = bench.main(["--sizes", "120,240", "--centers", "6", "--import-rows", "40", "--large-import", "0"])

    assert (small.members, large.members) == (120, 240)
    for run in (small, large):
        assert list(run.results) == [
            "dashboard overview",
            "dashboard inclusion",
            "membership statistics endpoint",
            "API full member sync",
            "import of 40 members",
            "annual report FY2024 (XLSX)",
        ]
        assert all(result.seconds > 0 and result.baseline > 0 for result in run.results.values())
        assert run.results["import of 40 members"].rows == 40
        assert run.peak_rss_mb > 0
    # every person of the union went through the API (the bench compares it with the raw fetch)
    assert large.results["API full member sync"].rows >= 240
    assert not Union.objects.exists()
    assert not WorkerMember.objects.exists()
    out = capsys.readouterr().out
    assert "× base" in out
    assert "of COPY" in out
    assert "of fetch+JSON" in out


def test_bench_times_import_members_in_a_process_of_its_own_and_drops_its_database():
    from django.db import connection

    large = bench.measure_large_import(300)

    assert large.rows == 300
    assert large.seconds > 0
    assert large.copy_seconds > 0
    assert large.peak_rss_mb > 20  # the command's own process: Django and the file, not this one's
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", ["%bench_import"])
        assert cursor.fetchone() == (0,)
