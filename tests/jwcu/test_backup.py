"""make backup / make restore: a round trip through pg_dump and pg_restore loses nothing."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from businesses.models import AnnualFigures
from members.models import WorkerMember
from tests.factories import AnnualFiguresFactory, MemberInclusionFactory, WorkerMemberFactory

REGISTRY_TABLES = [
    "members_workermember",
    "members_historicalworkermember",
    "members_memberinclusion",
    "members_consentrecord",
    "businesses_annualfigures",
]


def table_digests() -> dict[str, str]:
    """An md5 of every row of each table, in primary-key order."""
    digests = {}
    with connection.cursor() as cursor:
        for table in REGISTRY_TABLES:
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
            digests[table] = cursor.fetchone()[0]
    return digests


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_loses_nothing(tmp_path):
    member = WorkerMemberFactory(family_name="渡辺", capital_contribution_yen=150_000)
    MemberInclusionFactory(member=member)
    AnnualFiguresFactory(turnover_yen=33_500_000_000)
    before = table_digests()
    dump = tmp_path / "registry.dump"
    call_command("backup", "--output", str(dump), stdout=io.StringIO())
    assert dump.stat().st_size > 0

    WorkerMember.objects.filter(pk=member.pk).update(family_name="changed after the backup")
    AnnualFigures.objects.all().delete()
    WorkerMemberFactory()
    call_command("restore", str(dump), "--yes", stdout=io.StringIO())

    assert table_digests() == before
    assert WorkerMember.objects.get(pk=member.pk).family_name == "渡辺"
    assert AnnualFigures.objects.get().turnover_yen == 33_500_000_000
    # sequences are restored too: a new record gets a fresh id
    assert WorkerMemberFactory().pk > member.pk


@pytest.mark.django_db
def test_restore_asks_for_confirmation_and_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(tmp_path / "x.dump"))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "x.dump"), "--yes")


@pytest.mark.django_db(transaction=True)
def test_a_broken_backup_changes_nothing(tmp_path):
    member = WorkerMemberFactory(family_name="山田")
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    with pytest.raises(CommandError, match="Restore failed, the database is unchanged"):
        call_command("restore", str(broken), "--yes")
    assert WorkerMember.objects.get(pk=member.pk).family_name == "山田"
