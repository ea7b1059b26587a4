"""A reproducible synthetic union for scale work: the same seed and sizes give the same data.

The organisations and their annual figures are validated and saved with their history rows
(the union and societies one by one through the services, the rest in bulk). The people, their
consents and inclusion records are streamed into PostgreSQL with COPY, rendered lazily chunk by
chunk so that a million members load in bounded memory; they have no history rows (this is
test data, not a record of anything).
"""

import datetime
import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Region
from jwcu import audit
from jwcu.models import Prefecture
from jwcu.names import draw_name
from jwcu.services import record_create, record_upsert
from jwcu.tooling.demo import seed
from members.models import (
    ConsentScope,
    ContractType,
    Gender,
    IloType,
    InclusionCategory,
    InclusionGroup,
    LeaveReason,
    LegalForm,
    MembershipReport,
    MemberSociety,
    Relationship,
    SocietyKind,
    Union,
)

REGION_PREFECTURES = {
    Region.HOKKAIDO: ["01"],
    Region.TOHOKU: ["02", "03", "04", "05", "06", "07"],
    Region.KANTO: ["08", "09", "10", "11", "12", "13", "14"],
    Region.CHUBU: ["15", "16", "17", "18", "19", "20", "21", "22", "23"],
    Region.KINKI: ["24", "25", "26", "27", "28", "29", "30"],
    Region.CHUGOKU: ["31", "32", "33", "34", "35"],
    Region.SHIKOKU: ["36", "37", "38", "39"],
    Region.KYUSHU_OKINAWA: ["40", "41", "42", "43", "44", "45", "46", "47"],
}
PREFECTURE_REGION = {prefecture: region for region, codes in REGION_PREFECTURES.items() for prefecture in codes}

FISCAL_YEARS = (2022, 2023, 2024)
AS_OF = datetime.date(2025, 3, 31)

# Dates of people as indexes into one table of ISO strings, rendered once.
FIRST_DAY = datetime.date(1940, 1, 1)
DAY_STRINGS = [(FIRST_DAY + datetime.timedelta(days=n)).isoformat() for n in range((AS_OF - FIRST_DAY).days + 1)]
BIRTH_DAYS = (datetime.date(2000, 12, 31) - FIRST_DAY).days + 1
FIRST_JOIN = (datetime.date(1990, 1, 1) - FIRST_DAY).days
LAST_JOIN = (datetime.date(2024, 12, 31) - FIRST_DAY).days
LAST_DAY = len(DAY_STRINGS) - 1
ADULT_DAYS = 18 * 365 + 5

NULL = "\\N"  # in COPY's text format

LEFT_SHARE = 0.15
NON_MEMBER_SHARE = 0.08
INCLUSION_SHARE = 0.06
NON_MEMBER_RELATIONSHIPS = [Relationship.EMPLOYEE.value, Relationship.VOLUNTEER.value, Relationship.TRAINEE.value]
LEAVE_REASONS = list(LeaveReason.values)
LOCAL_CENTERS = 2
COPY_CHUNK_ROWS = 2_000
COPY_READ_BYTES = 1 << 16
BULK_BATCH = 1_000

MEMBER_COLUMNS = (
    "id, created_at, updated_at, version, society_id, business_center_id, member_number, family_name, given_name, "
    "family_name_kana, given_name_kana, family_name_latin, given_name_latin, birth_date, gender, relationship, "
    "joined_on, left_on, leave_reason, capital_contribution_yen, contract_type, weekly_hours"
)
CONSENT_COLUMNS = "id, created_at, updated_at, version, member_id, given_on, scope, reference"
INCLUSION_COLUMNS = "created_at, updated_at, version, member_id, category_id, consent_id, since, certificate_held"


@dataclass(frozen=True)
class SyntheticUnion:
    union: Union
    societies: int
    head_offices: int
    business_centers: int
    members: int
    consents: int
    inclusions: int
    annual_figures: int


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A member who will give consent and have inclusion records."""

    member_id: int
    society_code: str
    member_number: str
    joined_day: int


class CopyStream:
    """A file for ``COPY … FROM STDIN`` that renders its lines only as PostgreSQL reads them."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._chunk = b""
        self._offset = 0

    def read(self, size: int) -> bytes:
        """At most ``size`` bytes; nothing only at the end."""
        if self._offset == len(self._chunk):
            self._chunk = "".join(itertools.islice(self._lines, COPY_CHUNK_ROWS)).encode()
            self._offset = 0
        data = self._chunk[self._offset : self._offset + size]
        self._offset += len(data)
        return data


def copy_in(cursor, table: str, columns: str, lines: Iterable[str]) -> int:
    """COPY ``lines`` (text format) into ``table``; returns the number of rows."""
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", CopyStream(lines), size=COPY_READ_BYTES)
    return cursor.rowcount


def default_union_code(seed: int) -> str:
    return f"synthetic-{seed}"


def local_society_count(*, members: int, centers: int) -> int:
    """Grows with the number of people (16 at JWCU's scale); each local co-op has two centers
    and the central one keeps at least half of them, hence most of the people."""
    return min(16, round(math.log10(members) * 2.5), (centers - 1) // (2 * LOCAL_CENTERS))


@transaction.atomic
def generate_union(*, members: int, centers: int, seed: int, union_code: str) -> SyntheticUnion:
    """A new union ``union_code`` with ``members`` people at ``centers`` business centers, drawn
    from ``seed`` alone; all of it or, on any error, nothing."""
    rng = random.Random(seed)
    lines = _business_lines()
    categories = _inclusion_categories()
    union = record_create(
        Union,
        code=union_code,
        name=f"Synthetic union ({union_code})",
        name_ja=f"合成データ連合 {union_code}",
        established_on=datetime.date(1979, 9, 1),
        notes=f"Synthetic data for scale work: {members} members, {centers} centers, seed {seed}.",
    )
    central, locals_ = _worker_societies(union, rng, members=members, centers=centers)
    older = _older_persons_union(union, members=members)
    head_offices = _head_offices(central, rng, centers=centers - LOCAL_CENTERS * len(locals_))
    business_centers = _business_centers(union, rng, central, locals_, head_offices, lines, centers=centers)
    figures = _annual_figures(rng, business_centers, older)

    now = timezone.now().isoformat()
    candidates: list[_Candidate] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        first_member = _reserve_ids(raw, "members_workermember", members)
        people = _member_lines(rng, now, business_centers, first_member, members, candidates)
        copy_in(raw, "members_workermember", MEMBER_COLUMNS, people)
        first_consent = _reserve_ids(raw, "members_consentrecord", len(candidates))
        consents = _consent_lines(rng, now, candidates, first_consent)
        copy_in(raw, "members_consentrecord", CONSENT_COLUMNS, consents)
        inclusions = _inclusion_lines(rng, now, candidates, first_consent, categories)
        inclusion_count = copy_in(raw, "members_memberinclusion", INCLUSION_COLUMNS, inclusions)
    return SyntheticUnion(
        union=union,
        societies=2 + len(locals_),
        head_offices=len(head_offices),
        business_centers=len(business_centers),
        members=members,
        consents=len(candidates),
        inclusions=inclusion_count,
        annual_figures=figures,
    )


def _business_lines() -> list[BusinessLine]:
    """The existing lines; the standard ones, keyed by code like the demo loader's, if there are none."""
    if not BusinessLine.objects.exists():
        for order, (code, name, name_ja, goals, description) in enumerate(seed.BUSINESS_LINES, start=1):
            values = {
                "name": name,
                "name_ja": name_ja,
                "sdg_goals": goals,
                "description": description,
                "sort_order": order,
            }
            record_upsert(BusinessLine, lookup={"code": code}, values=values)
    return list(BusinessLine.objects.order_by("code"))


def _inclusion_categories() -> list[tuple[int, bool]]:
    """Each existing category's id and whether it is a disability (which may have a certificate)."""
    if not InclusionCategory.objects.exists():
        for code, name, name_ja, group, order in seed.INCLUSION_CATEGORIES:
            values = {"name": name, "name_ja": name_ja, "group": group, "sort_order": order}
            record_upsert(InclusionCategory, lookup={"code": code}, values=values)
    categories = InclusionCategory.objects.order_by("code").values_list("pk", "group")
    return [(pk, group == InclusionGroup.DISABILITY) for pk, group in categories]


def _worker_societies(union: Union, rng: random.Random, *, members: int, centers: int):
    central = record_create(
        MemberSociety,
        union=union,
        code=f"{union.code}-cwc",
        name=f"Central Worker Co-operative ({union.code})",
        name_ja=f"センター事業団({union.code})",
        kind=SocietyKind.CENTRAL_WORKER_COOP,
        legal_form=LegalForm.WORKER_COOP,
        ilo_type=IloType.WORKER,
        prefecture=Prefecture.TOKYO,
        established_on=datetime.date(1987, 4, 1),
        joined_union_on=datetime.date(1987, 4, 1),
    )
    locals_ = []
    for number in range(1, local_society_count(members=members, centers=centers) + 1):
        joined = datetime.date(rng.randint(1980, 2010), rng.randint(1, 12), 1)
        locals_.append(
            record_create(
                MemberSociety,
                union=union,
                code=f"{union.code}-local-{number:02d}",
                name=f"Local Worker Co-operative {number} ({union.code})",
                name_ja=f"地域労協{number}({union.code})",
                kind=SocietyKind.LOCAL_WORKER_COOP,
                legal_form=rng.choice([LegalForm.WORKER_COOP, LegalForm.ENTERPRISE_ASSOCIATION, LegalForm.NPO]),
                ilo_type=IloType.WORKER,
                prefecture=rng.choice(Prefecture.values),
                established_on=joined,
                joined_union_on=joined,
            )
        )
    return central, locals_


def _older_persons_union(union: Union, *, members: int) -> MemberSociety:
    """Reports its membership as a count, in JWCU's proportion (45,799 beside 12,894 worker members)."""
    older = record_create(
        MemberSociety,
        union=union,
        code=f"{union.code}-older",
        name=f"Older Persons' Co-operative Union ({union.code})",
        name_ja=f"高齢協連合会({union.code})",
        kind=SocietyKind.OLDER_PERSONS_COOP_UNION,
        legal_form=LegalForm.CONSUMER_COOP,
        ilo_type=IloType.CONSUMER_USER,
        established_on=datetime.date(2001, 4, 1),
        joined_union_on=datetime.date(2001, 4, 1),
        registers_individuals=False,
        member_organisations=22,
    )
    record_create(
        MembershipReport,
        society=older,
        as_of=AS_OF,
        members=round(members * 45_799 / 12_894),
        source="Synthetic",
    )
    return older


def _head_offices(central: MemberSociety, rng: random.Random, *, centers: int) -> list[HeadOffice]:
    """About one per twenty of the central co-op's centers, regions in turn."""
    regions = list(REGION_PREFECTURES)
    offices = []
    for number in range(1, max(1, round(centers / 20)) + 1):
        region = regions[(number - 1) % len(regions)]
        offices.append(
            HeadOffice(
                society=central,
                code=f"{central.code}-ho-{number:03d}",
                name=f"{Region(region).label} Head Office {number}",
                region=region,
                prefecture=rng.choice(REGION_PREFECTURES[region]),
                opened_on=datetime.date(1990, 4, 1),
            )
        )
    return _bulk_create_with_history(HeadOffice, offices)


def _business_centers(union, rng, central, locals_, head_offices, lines, *, centers: int) -> list[BusinessCenter]:
    """Two centers for each local co-op, in its prefecture; the rest for the central co-op,
    over all 47 prefectures, each under a head office of its region where there is one."""
    owners = [society for society in locals_ for _ in range(LOCAL_CENTERS)]
    owners += [central] * (centers - len(owners))
    prefectures = [Prefecture.values[number % 47] for number in range(centers)]
    rng.shuffle(prefectures)
    offices_by_region: dict[str, list[HeadOffice]] = {}
    for office in head_offices:
        offices_by_region.setdefault(office.region, []).append(office)
    records, their_lines = [], []
    for number, (society, prefecture) in enumerate(zip(owners, prefectures, strict=True), start=1):
        head_office = None
        if society == central:
            head_office = rng.choice(offices_by_region.get(PREFECTURE_REGION[prefecture]) or head_offices)
        records.append(
            BusinessCenter(
                society=society,
                head_office=head_office,
                code=f"{union.code}-center-{number:05d}",
                name=f"Business Center {number}",
                name_ja=f"事業所{number}",
                prefecture=prefecture if society == central else society.prefecture,
                opened_on=datetime.date(rng.randint(1985, 2015), rng.randint(1, 12), 1),
            )
        )
        their_lines.append(rng.sample(lines, rng.randint(1, min(3, len(lines)))))
    records = _bulk_create_with_history(BusinessCenter, records)
    through = BusinessCenter.business_lines.through
    through.objects.bulk_create(
        [
            through(businesscenter_id=center.pk, businessline_id=line.pk)
            for center, center_lines in zip(records, their_lines, strict=True)
            for line in center_lines
        ],
        batch_size=BULK_BATCH,
    )
    return records


def _annual_figures(rng: random.Random, centers: list[BusinessCenter], older: MemberSociety) -> int:
    """Turnover of each center in each fiscal year (growing a little), and the older persons'
    union's own figure."""
    figures = []
    for center in centers:
        turnover = rng.randint(20, 400) * 1_000_000
        for year in FISCAL_YEARS:
            figures.append(
                AnnualFigures(
                    business_center=center,
                    fiscal_year=year,
                    turnover_yen=turnover,
                    wages_yen=turnover * rng.randint(55, 75) // 100,
                    surplus_yen=turnover // 50 - rng.randint(0, turnover // 25),
                    source="Synthetic",
                )
            )
            turnover = turnover * rng.randint(95, 110) // 100
    for year in FISCAL_YEARS:
        figures.append(AnnualFigures(society=older, fiscal_year=year, turnover_yen=1_500_000_000, source="Synthetic"))
    return len(_bulk_create_with_history(AnnualFigures, figures))


def _bulk_create_with_history(model, records: list) -> list:
    """Save many records with their history rows, a few queries per thousand. Each record is
    validated like a service validates it (field rules and ``clean()``); foreign keys and
    uniqueness are left to the database, which refuses the whole transaction if one is wrong."""
    foreign_keys = [field.name for field in model._meta.concrete_fields if field.is_relation]
    for record in records:
        record.full_clean(exclude=foreign_keys, validate_unique=False, validate_constraints=False)
    context = audit.current()
    return bulk_create_with_history(
        records,
        model,
        batch_size=BULK_BATCH,
        default_user=context.user,
        custom_historical_attrs={"history_channel": context.channel},
    )


def _reserve_ids(cursor, table: str, count: int) -> int:
    """The first of ``count`` consecutive ids taken from ``table``'s sequence. The table is
    locked against other writers until commit, so nobody draws an id inside the block."""
    if count == 0:
        return 0
    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
    return first


def _member_lines(rng, now, centers, first_id, count, candidates: list[_Candidate]) -> Iterator[str]:
    """One COPY line per person; those chosen for inclusion records are added to ``candidates``."""
    random_ = rng.random
    workplaces = [(f"{now}\t{now}\t1\t{c.society_id}\t{c.pk}\t", c.society_id, c.society.code) for c in centers]
    next_number = dict.fromkeys((c.society_id for c in centers), 1)
    days = DAY_STRINGS
    for member_id in range(first_id, first_id + count):
        prefix, society_id, society_code = workplaces[int(random_() * len(workplaces))]
        number = f"{next_number[society_id]:07d}"
        next_number[society_id] += 1
        draw = random_()
        gender = Gender.FEMALE.value if draw < 0.58 else Gender.MALE.value if draw < 0.98 else ""
        name = draw_name(rng, gender)
        birth = int(random_() * BIRTH_DAYS)
        earliest = max(FIRST_JOIN, birth + ADULT_DAYS)
        joined = earliest + int(random_() * (LAST_JOIN - earliest + 1))
        left, reason = NULL, ""
        if random_() < LEFT_SHARE:
            left = days[joined + 1 + int(random_() * (LAST_DAY - joined))]
            reason = LEAVE_REASONS[int(random_() * len(LEAVE_REASONS))]
        if random_() < NON_MEMBER_SHARE:
            relationship = NON_MEMBER_RELATIONSHIPS[int(random_() * 3)]
            capital = 0
        else:
            relationship = Relationship.WORKER_MEMBER.value
            capital = 10_000 * (1 + int(random_() * 30))
        if relationship == Relationship.VOLUNTEER:
            contract, hours = "", NULL
        elif random_() < 0.55:
            contract, hours = ContractType.REGULAR.value, "40.0"
        else:
            contract, hours = ContractType.PART_TIME.value, f"{10 + int(random_() * 21)}.0"
        if random_() < INCLUSION_SHARE:
            candidates.append(_Candidate(member_id, society_code, number, joined))
        yield (
            f"{member_id}\t{prefix}{number}\t{name.family_name}\t{name.given_name}\t{name.family_name_kana}\t"
            f"{name.given_name_kana}\t{name.family_name_latin}\t{name.given_name_latin}\t{days[birth]}\t{gender}\t"
            f"{relationship}\t{days[joined]}\t{left}\t{reason}\t{capital}\t{contract}\t{hours}\n"
        )


def _consent_lines(rng, now, candidates: list[_Candidate], first_id: int) -> Iterator[str]:
    scopes = ConsentScope.values
    for consent_id, candidate in enumerate(candidates, start=first_id):
        given = candidate.joined_day + int(rng.random() * min(730, LAST_DAY - candidate.joined_day + 1))
        yield (
            f"{consent_id}\t{now}\t{now}\t1\t{candidate.member_id}\t{DAY_STRINGS[given]}\t{rng.choice(scopes)}\t"
            f"SYN/{candidate.society_code}/{candidate.member_number}\n"
        )


def _inclusion_lines(rng, now, candidates, first_consent, categories: list[tuple[int, bool]]) -> Iterator[str]:
    """One or two categories for each candidate, held under the consent just recorded."""
    for consent_id, candidate in enumerate(candidates, start=first_consent):
        for category_id, is_disability in rng.sample(categories, min(len(categories), 1 + (rng.random() < 0.15))):
            certificate = "t" if is_disability and rng.random() < 0.7 else "f"
            yield (
                f"{now}\t{now}\t1\t{candidate.member_id}\t{category_id}\t{consent_id}\t"
                f"{DAY_STRINGS[candidate.joined_day]}\t{certificate}\n"
            )
