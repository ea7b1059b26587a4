"""Loads the demo union (jwcu.tooling.demo.seed, jwcu.tooling.demo.cases) into the registry.

Everything is generated from a fixed random seed and written as upserts keyed by codes and
member numbers, so a second run finds every record as it should be and writes nothing.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme
from businesses.services import centers_set_business_lines
from jwcu import audit
from jwcu.names import draw_name
from jwcu.services import record_upsert, records_bulk_upsert
from jwcu.tooling.demo import seed
from jwcu.tooling.demo.cases import AGURIIN_COLLECTION, CASES, FORESTRY_PROJECTS
from jwcu.tooling.demo.places import PREFECTURES
from members.models import (
    ConsentRecord,
    InclusionCategory,
    LeaveReason,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
    Partner,
    Union,
    WorkerMember,
)
from reports.models import Indicator

RANDOM_SEED = 1979
FY_START = datetime.date(2015, 4, 1)
FY_END = datetime.date(2016, 3, 31)

# People around the published counts, so that dates matter: members who had left before
# March 2015, members who joined or left during FY2015, and non-members at the centers.
CWC_LEFT_BEFORE = 700
CWC_JOINED_IN_FY = 350
CWC_LEAVING_IN_FY = 250
CWC_EMPLOYEES = 180
CWC_TRAINEES = 40
LOCAL_LEFT_BEFORE = 550
INCLUSION_SHARE = 0.03
CLOSED_CENTERS = 3


@dataclass
class LoadReport:
    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, model_name: str, outcome: str, n: int = 1):
        self.counts.setdefault(model_name, Counter())[outcome] += n

    def add_bulk(self, model_name: str, outcomes: dict[str, int]):
        for outcome, n in outcomes.items():
            self.add(model_name, outcome, n)

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def _day_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years, day=28 if (day.month, day.day) == (2, 29) else day.day)


BIRTH_RANGES = {
    # 60 or over on 2015-03-31
    "elderly": (datetime.date(1938, 4, 1), datetime.date(1955, 3, 31)),
    # under 35 on 2016-11-16
    "youth": (datetime.date(1982, 1, 1), datetime.date(1993, 12, 31)),
    "young-mother": (datetime.date(1985, 1, 1), datetime.date(1990, 12, 31)),
    # under 60 on 2016-11-16
    "adult": (datetime.date(1957, 1, 1), datetime.date(1990, 12, 31)),
    "any": (datetime.date(1940, 1, 1), datetime.date(1995, 12, 31)),
}


class DemoBuilder:
    """Builds and upserts the demo union in dependency order."""

    def __init__(self):
        self.rng = random.Random(RANDOM_SEED)
        self.report = LoadReport()
        self.member_numbers: Counter = Counter()

    def upsert(self, model, lookup: dict, values: dict):
        instance, outcome = record_upsert(model, lookup=lookup, values=values)
        self.report.add(model.__name__, outcome)
        return instance

    def bulk(self, model, rows: list[dict], *, key: tuple[str, ...], existing):
        self.report.add_bulk(model.__name__, records_bulk_upsert(model, rows, key=key, existing=existing))

    # Organisations ---------------------------------------------------------------------------

    def load_organisations(self):
        self.union = self.upsert(
            Union, {"code": seed.UNION["code"]}, {k: v for k, v in seed.UNION.items() if k != "code"}
        )
        self.lines = {
            code: self.upsert(
                BusinessLine,
                {"code": code},
                {"name": name, "name_ja": name_ja, "sdg_goals": goals, "description": text, "sort_order": order},
            )
            for order, (code, name, name_ja, goals, text) in enumerate(seed.BUSINESS_LINES, start=1)
        }
        self.categories = {
            code: self.upsert(
                InclusionCategory,
                {"code": code},
                {"name": name, "name_ja": name_ja, "group": group, "sort_order": order},
            )
            for code, name, name_ja, group, order in seed.INCLUSION_CATEGORIES
        }
        self.cwc = self._society(seed.CWC)
        self.joccu = self._society(seed.JOCCU)
        self.upsert(
            MembershipReport,
            {"society": self.joccu, "as_of": seed.AS_OF},
            {"members": seed.JOCCU_MEMBERS, "worker_members": 0, "source": seed.SOURCE},
        )
        self.local_coops = [
            self._society(
                {
                    "code": f"wc-{suffix}",
                    "name": name,
                    "name_ja": name_ja,
                    "kind": "local_worker_coop",
                    "legal_form": "worker_coop",
                    "ilo_type": "worker",
                    "prefecture": prefecture,
                    "established_on": datetime.date(year, 4, 1),
                    "joined_union_on": datetime.date(year, 4, 1),
                    "registers_individuals": True,
                    "notes": "One of the 16 local worker co-operatives of the seed; name and dates synthetic.",
                }
            )
            for suffix, prefecture, name, name_ja, year in seed.LOCAL_WORKER_COOPS
        ]
        for code, kind, legal_form, prefecture, name, name_ja, year in seed.OTHER_SOCIETIES:
            self._society(
                {
                    "code": code,
                    "name": name,
                    "name_ja": name_ja,
                    "kind": kind,
                    "legal_form": legal_form,
                    "ilo_type": "not_a_cooperative",
                    "prefecture": prefecture,
                    "joined_union_on": datetime.date(year, 4, 1),
                    "registers_individuals": False,
                    "notes": "Listed in the seed by kind only; name and dates synthetic. The seed gives no "
                    "membership count for it.",
                }
            )
        self.head_offices = {}
        self.head_office_prefectures = {}
        for code, region, prefecture, serves, name, name_ja, year in seed.CWC_HEAD_OFFICES_DATA:
            self.head_offices[code] = self.upsert(
                HeadOffice,
                {"code": code},
                {
                    "society": self.cwc,
                    "name": name,
                    "name_ja": name_ja,
                    "region": region,
                    "prefecture": prefecture,
                    "opened_on": datetime.date(year, 4, 1),
                },
            )
            self.head_office_prefectures[code] = serves
        for code, relation, level, abbreviation, name, name_ja, established_on, by_union in seed.PARTNERS:
            self.upsert(
                Partner,
                {"code": code},
                {
                    "union": self.union,
                    "name": name,
                    "name_ja": name_ja,
                    "abbreviation": abbreviation,
                    "relation": relation,
                    "level": level,
                    "established_on": established_on,
                    "established_by_union": by_union,
                },
            )
        for code, label, label_ja, value, unit in seed.NATIONAL_INDICATORS:
            self.upsert(
                Indicator,
                {"code": code, "business_center": None},
                {
                    "scope": "national",
                    "label": label,
                    "label_ja": label_ja,
                    "value": Decimal(value),
                    "unit": unit,
                    "source": seed.SOURCE,
                },
            )

    def _society(self, values: dict) -> MemberSociety:
        fields = {name: value for name, value in values.items() if name != "code"}
        return self.upsert(MemberSociety, {"code": values["code"]}, {"union": self.union, **fields})

    # Business centers ------------------------------------------------------------------------

    def center_rows(self) -> tuple[list[dict], dict[str, list[str]]]:
        """CWC's 324 centers open on 2015-03-31 and 3 that had closed before."""
        rows, lines = [], {}
        for case in CASES:
            rows.append(
                {
                    "code": case["code"],
                    "society": self.cwc,
                    "head_office": self.head_offices[case["head_office"]],
                    "name": case["name"],
                    "name_ja": case["name_ja"],
                    "prefecture": case["prefecture"],
                    "municipality": case["municipality"],
                    "opened_on": case["opened_on"],
                    "volunteers": case.get("volunteers"),
                    "volunteers_as_of": seed.PRESENTED_ON if case.get("volunteers") else None,
                    "featured": True,
                    "story": case["story"],
                    "story_ja": case["story_ja"],
                    "notes": case["notes"],
                }
            )
            lines[case["code"]] = case["lines"]
        for code, prefecture, name, name_ja, opened_on in FORESTRY_PROJECTS:
            rows.append(self._plain_center(code, prefecture, name, name_ja, opened_on))
            lines[code] = ["primary-industry"]
        rows.append(
            self._plain_center("tajima", "28", "Tajima Business Center", "但馬事業所", datetime.date(2008, 4, 1))
            | {
                "municipality": "Toyooka City",
                "notes": "Runs the Youth Support Station JWCU opened in Toyooka in 2009.",
            }
        )
        lines["tajima"] = ["youth-support"]

        ordinary_lines = [
            "elderly-care",
            "children-and-parents",
            "disability-support",
            "public-facilities",
            "building-maintenance-cleaning",
        ]
        head_office_codes = list(self.head_offices)
        generic = seed.CWC_CENTERS - len(rows)
        for number in range(1, generic + CLOSED_CENTERS + 1):
            head_office = head_office_codes[number % len(head_office_codes)]
            prefecture = self.rng.choice(self.head_office_prefectures[head_office])
            _pref_ja, city, city_ja = PREFECTURES[prefecture]
            code = f"cwc-center-{number:03d}"
            opened_on = _day_between(self.rng, datetime.date(1988, 4, 1), datetime.date(2014, 3, 31))
            row = {
                "code": code,
                "society": self.cwc,
                "head_office": self.head_offices[head_office],
                "name": f"{city} Business Center No. {number}",
                "name_ja": f"{city_ja}第{number}事業所",
                "prefecture": prefecture,
                "municipality": city,
                "opened_on": opened_on,
                "notes": "Synthetic center: the seed gives CWC's number of centers, not their names.",
            }
            if number > generic:
                a_year_after = opened_on + datetime.timedelta(days=365)
                row["closed_on"] = _day_between(self.rng, max(a_year_after, datetime.date(2010, 4, 1)), seed.AS_OF)
            rows.append(row)
            lines[code] = self.rng.sample(ordinary_lines, self.rng.choice([1, 1, 2]))
        return rows, lines

    def _plain_center(self, code, prefecture, name, name_ja, opened_on) -> dict:
        head_office = next(ho for ho, served in self.head_office_prefectures.items() if prefecture in served)
        return {
            "code": code,
            "society": self.cwc,
            "head_office": self.head_offices[head_office],
            "name": name,
            "name_ja": name_ja,
            "prefecture": prefecture,
            "municipality": PREFECTURES[prefecture][1],
            "opened_on": opened_on,
            "notes": "Synthetic name and place.",
        }

    def load_centers(self):
        rows, lines = self.center_rows_cache
        generic_open = [r["code"] for r in rows if r["code"].startswith("cwc-center-") and "closed_on" not in r]
        # Programme sites run the lines the programmes belong to.
        self.youth_station_centers = ["tajima", *self.rng.sample(generic_open, seed.YOUTH_SUPPORT_STATIONS - 1)]
        self.independence_centers = self.rng.sample(generic_open, seed.INDEPENDENCE_SUPPORT_SITES)
        for code in self.youth_station_centers:
            lines[code] = sorted({*lines[code], "youth-support"})
        for code in self.independence_centers:
            lines[code] = sorted({*lines[code], "disaster-and-needy-support"})
        self.bulk(BusinessCenter, rows, key=("code",), existing=BusinessCenter.objects.filter(society=self.cwc))
        self.centers = {c.code: c for c in BusinessCenter.objects.filter(society=self.cwc)}
        changed = centers_set_business_lines(
            {self.centers[code]: [self.lines[line] for line in codes] for code, codes in lines.items()}
        )
        self.report.add_bulk("BusinessCenter.business_lines", {"updated": changed})
        for code, litres in AGURIIN_COLLECTION:
            self.upsert(
                Indicator,
                {"code": "used-oil-collected-per-day", "business_center": self.centers[code]},
                {
                    "scope": "business_center",
                    "label": "Used oil collected per day",
                    "label_ja": "廃油回収量（1日）",
                    "value": Decimal(litres),
                    "unit": "litres/day",
                    "source": seed.SOURCE,
                },
            )

    # Programmes ------------------------------------------------------------------------------

    def load_programmes(self):
        rows = [
            {
                "code": f"yss-{code}",
                "name": f"Youth Support Station {self.centers[code].municipality}",
                "name_ja": f"地域若者サポートステーション（{self.centers[code].name_ja}）",
                "kind": "youth_support_station",
                "funder": "national",
                "commissioning_body": "Ministry of Health, Labour and Welfare",
                "municipality": self.centers[code].municipality,
                "business_center": self.centers[code],
                "started_on": datetime.date(2009, 4, 1)
                if code == "tajima"
                else datetime.date(self.rng.randint(2006, 2014), 4, 1),
                "notes": "Toyooka: 'In 2009, JWCU created a Youth Support Station in Toyooka City' (year only)."
                if code == "tajima"
                else "One of the 25 Youth Support Stations of the seed; place and date synthetic.",
            }
            for code in self.youth_station_centers
        ]
        rows += [
            {
                "code": f"isn-{code}",
                "name": f"Independence Support for the Needy, {self.centers[code].municipality}",
                "name_ja": f"生活困窮者自立支援事業（{self.centers[code].name_ja}）",
                "kind": "independence_support",
                "funder": "municipality",
                "commissioning_body": self.centers[code].municipality,
                "municipality": self.centers[code].municipality,
                "business_center": self.centers[code],
                "started_on": seed.INDEPENDENCE_SUPPORT_STARTED,
                "notes": "One of the 80 sites of the seed; place synthetic. The Act took effect on 2015-04-01.",
            }
            for code in self.independence_centers
        ]
        rows += [
            {
                "code": "ajisai-job-training",
                "name": "Ajisai job training station",
                "name_ja": "あじさい就労訓練",
                "kind": "job_training",
                "funder": "prefecture",
                "commissioning_body": "Chiba Prefecture",
                "municipality": "Matsudo City",
                "business_center": self.centers["ajisai"],
                "completions": 25,
                "notes": "Four-month care training for people with a slight mental disability, leading to an "
                "introductory caregiver's certificate; 25 people with disabilities have obtained it.",
            },
            {
                "code": "ajisai-day-care",
                "name": "Ajisai day care (long-term care insurance)",
                "name_ja": "あじさいデイサービス（介護保険）",
                "kind": "other",
                "funder": "ltci",
                "municipality": "Matsudo City",
                "business_center": self.centers["ajisai"],
            },
            {
                "code": "west-rings-street-cleaning",
                "name": "Street cleaning around Ikebukuro Station",
                "name_ja": "池袋駅周辺の路上清掃",
                "kind": "other",
                "funder": "municipality",
                "commissioning_body": "Toshima City",
                "municipality": "Toshima City",
                "business_center": self.centers["west-rings"],
            },
            {
                "code": "ngt-forestry-training",
                "name": "Forestry job training",
                "name_ja": "林業就労訓練",
                "kind": "job_training",
                "funder": "union",
                "municipality": "Toyooka City",
                "business_center": self.centers["tajima"],
                "started_on": datetime.date(2012, 4, 1),
                "notes": "Launched in 2012 (year only); its graduates established Next Green Tajima. Funder not in "
                "the seed.",
            },
            {
                "code": "youth-independence-school",
                "name": "Youth Independence School",
                "name_ja": "若者自立塾",
                "kind": "job_training",
                "funder": "national",
                "discontinued": True,
                "notes": "Government funded; shut down by the government for lack of funding (date not in the seed).",
            },
            {
                "code": "group-home",
                "name": "Group Home",
                "name_ja": "グループホーム",
                "kind": "other",
                "funder": "union",
                "discontinued": True,
                "notes": "Created by JWCU for graduates of the Youth Independence School; temporary, no longer exists.",
            },
        ]
        for row in rows:
            row["union"] = self.union
        self.bulk(Programme, rows, key=("code",), existing=Programme.objects.filter(union=self.union))

    # People ----------------------------------------------------------------------------------

    def person(self, society, *, center=None, age="any", joined=(1990, 2014), gender=None, **values) -> dict:
        rng = self.rng
        first_day = max(datetime.date(joined[0], 1, 1), center["opened_on"] if center else datetime.date(1900, 1, 1))
        last_day = min(datetime.date(joined[1], 12, 31), seed.AS_OF)
        if center and center.get("closed_on"):
            last_day = min(last_day, center["closed_on"] - datetime.timedelta(days=1))
        joined_on = values.pop("joined_on", None) or _day_between(rng, first_day, max(first_day, last_day))
        low, high = BIRTH_RANGES[age]
        birth_date = _day_between(rng, low, min(high, _years_before(joined_on, 18)))
        gender = gender or ("female" if age == "young-mother" else rng.choice(["female", "female", "male", "male", ""]))
        name = draw_name(rng, gender)
        self.member_numbers[society.code] += 1
        contract = rng.choice(["regular", "part_time", "part_time"])
        return {
            "society": society,
            "member_number": f"{self.member_numbers[society.code]:06d}",
            "family_name": name.family_name,
            "given_name": name.given_name,
            "family_name_kana": name.family_name_kana,
            "given_name_kana": name.given_name_kana,
            "family_name_latin": name.family_name_latin,
            "given_name_latin": name.given_name_latin,
            "birth_date": birth_date,
            "gender": gender,
            "business_center": self.centers[center["code"]] if center else None,
            "relationship": "worker_member",
            "joined_on": joined_on,
            "left_on": None,
            "leave_reason": "",
            "capital_contribution_yen": rng.randrange(50_000, 300_001, 10_000),
            "contract_type": contract,
            "weekly_hours": Decimal(rng.choice([20, 24, 30, 32, 35, 40]) if contract == "part_time" else 40),
            **values,
        }

    def left(self, row: dict, start: datetime.date, end: datetime.date) -> dict:
        start = min(max(start, row["joined_on"] + datetime.timedelta(days=30)), end)
        row["left_on"] = _day_between(self.rng, start, end)
        row["leave_reason"] = self.rng.choice(
            [
                LeaveReason.RESIGNATION,
                LeaveReason.RESIGNATION,
                LeaveReason.RETIREMENT,
                LeaveReason.TRANSFER,
                LeaveReason.OTHER,
                LeaveReason.DEATH,
            ]
        )
        return row

    def people_rows(self) -> tuple[list[dict], list[tuple[dict, list[str]]]]:
        """Returns the member rows and the inclusion categories of some of them."""
        center_rows, _lines = self.center_rows_cache
        by_code = {r["code"]: r for r in center_rows}
        rows, inclusions = [], []
        for case in CASES:
            for count, age, categories, joined in case["profiles"]:
                for _ in range(count):
                    row = self.person(self.cwc, center=by_code[case["code"]], age=age, joined=joined)
                    rows.append(row)
                    if categories:
                        inclusions.append((row, categories))

        generic = [r for r in center_rows if r["code"] not in {c["code"] for c in CASES} and not r.get("closed_on")]
        closed = [r for r in center_rows if r.get("closed_on")]
        case_members = len(rows)
        per_center = _split(seed.CWC_MEMBERS - case_members, [self.rng.randint(5, 30) for _ in generic])
        category_codes = [c for c in self.categories if c != "referred-by-programme"]
        generic_rows = []
        for center, count in zip(generic, per_center, strict=True):
            for _ in range(count):
                row = self.person(self.cwc, center=center, joined=(1990, 2015))
                generic_rows.append(row)
                if self.rng.random() < INCLUSION_SHARE:
                    inclusions.append((row, [self.rng.choice(category_codes)]))
        for row in self.rng.sample(generic_rows, CWC_LEAVING_IN_FY):
            self.left(row, FY_START, FY_END)
        rows += generic_rows
        for _ in range(CWC_LEFT_BEFORE):
            center = self.rng.choice(generic + closed)
            rows.append(
                self.left(
                    self.person(self.cwc, center=center, joined=(1990, 2013)),
                    datetime.date(1995, 1, 1),
                    center.get("closed_on") or seed.AS_OF,
                )
            )
        for _ in range(CWC_JOINED_IN_FY):
            rows.append(
                self.person(
                    self.cwc, center=self.rng.choice(generic), joined_on=_day_between(self.rng, FY_START, FY_END)
                )
            )
        for relationship, count in (("employee", CWC_EMPLOYEES), ("trainee", CWC_TRAINEES)):
            for _ in range(count):
                rows.append(
                    self.person(
                        self.cwc,
                        center=self.rng.choice(generic),
                        joined=(2005, 2015),
                        relationship=relationship,
                        capital_contribution_yen=0,
                    )
                )

        local_members = seed.WORKER_MEMBERS - seed.CWC_MEMBERS
        for society, count in zip(
            self.local_coops, _split(local_members, [self.rng.randint(2, 10) for _ in self.local_coops]), strict=True
        ):
            for _ in range(count):
                row = self.person(society, joined=(society.established_on.year, 2015))
                rows.append(row)
                if self.rng.random() < INCLUSION_SHARE:
                    inclusions.append((row, [self.rng.choice(category_codes)]))
        for _ in range(LOCAL_LEFT_BEFORE):
            society = self.rng.choice(self.local_coops)
            row = self.person(society, joined=(society.established_on.year, 2013))
            rows.append(self.left(row, row["joined_on"], seed.AS_OF))
        return rows, inclusions

    def load_people(self):
        rows, inclusions = self.people_rows()
        societies = [self.cwc, *self.local_coops]
        self.bulk(
            WorkerMember,
            rows,
            key=("society", "member_number"),
            existing=WorkerMember.objects.filter(society__in=societies),
        )
        members = {(m.society_id, m.member_number): m for m in WorkerMember.objects.filter(society__in=societies)}
        consents, inclusion_rows = [], []
        for row, categories in inclusions:
            member = members[(row["society"].pk, row["member_number"])]
            consent = {
                "member": member,
                "given_on": row["joined_on"],
                "scope": "inclusion_records",
                "reference": f"DEMO-{row['society'].code}-{row['member_number']}",
            }
            consents.append(consent)
            inclusion_rows += [
                {
                    "member": member,
                    "category": self.categories[code],
                    "since": row["joined_on"],
                    "certificate_held": code.startswith("disability-"),
                    "consent_reference": consent["reference"],
                }
                for code in categories
            ]
        self.bulk(
            ConsentRecord,
            consents,
            key=("member", "reference"),
            existing=ConsentRecord.objects.filter(member__society__in=societies),
        )
        stored_consents = {c.reference: c for c in ConsentRecord.objects.filter(member__society__in=societies)}
        for row in inclusion_rows:
            row["consent"] = stored_consents[row.pop("consent_reference")]
        self.bulk(
            MemberInclusion,
            inclusion_rows,
            key=("member", "category"),
            existing=MemberInclusion.objects.filter(member__society__in=societies),
        )

    # Turnover --------------------------------------------------------------------------------

    def load_turnover(self):
        open_centers = [c for c in self.centers.values() if c.closed_on is None]
        weights = [self.rng.randint(40, 160) for _ in open_centers]
        rows = [
            {
                "business_center": center,
                "society": None,
                "fiscal_year": seed.FISCAL_YEAR,
                "turnover_yen": yen,
                "source": "Synthetic split of CWC's FY2015 turnover (19 billion yen, seed) over its centers.",
            }
            for center, yen in zip(open_centers, _split(seed.CWC_TURNOVER_YEN, weights, unit=1000), strict=True)
        ]
        others = seed.UNION_TURNOVER_YEN - seed.CWC_TURNOVER_YEN
        weights = [self.rng.randint(40, 160) for _ in self.local_coops]
        rows += [
            {
                "society": society,
                "business_center": None,
                "fiscal_year": seed.FISCAL_YEAR,
                "turnover_yen": yen,
                "source": "Synthetic split of the rest of JWCU's FY2015 turnover (33.5 - 19 billion yen, seed).",
            }
            for society, yen in zip(self.local_coops, _split(others, weights, unit=1000), strict=True)
        ]
        self.bulk(
            AnnualFigures,
            rows,
            key=("society", "business_center", "fiscal_year"),
            existing=AnnualFigures.objects.filter(
                Q(society__union=self.union) | Q(business_center__society__union=self.union),
                fiscal_year=seed.FISCAL_YEAR,
            ),
        )

    def load(self) -> LoadReport:
        self.load_organisations()
        self.center_rows_cache = self.center_rows()
        self.rng = random.Random(RANDOM_SEED + 1)
        self.load_centers()
        self.load_programmes()
        self.load_people()
        self.load_turnover()
        return self.report


def _split(total: int, weights: list[int], *, unit: int = 1) -> list[int]:
    """Split ``total`` in proportion to ``weights``, in multiples of ``unit`` (the last share
    takes what rounding leaves), so the parts add up to ``total`` exactly."""
    whole = sum(weights)
    parts = [total * w // whole // unit * unit for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def load_demo() -> LoadReport:
    with audit.acting(channel=audit.Channel.COMMAND), transaction.atomic():
        report = DemoBuilder().load()
        if report.changed:
            _refresh_planner_statistics()
        return report


def _refresh_planner_statistics():
    """Thousands of fresh rows with no statistics can make PostgreSQL choose nested loops
    that run for minutes; ANALYZE (allowed inside the transaction) gives it real numbers."""
    models = [WorkerMember, MemberInclusion, ConsentRecord, BusinessCenter, AnnualFigures, Programme]
    tables = [model._meta.db_table for model in models]
    tables.append(BusinessCenter.business_lines.through._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")
