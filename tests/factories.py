"""factory_boy factories of the registry's records, each valid on its own."""

import datetime

import factory

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice, Programme, Region
from members.models import (
    ConsentRecord,
    ConsentScope,
    IloType,
    InclusionCategory,
    InclusionGroup,
    LegalForm,
    MemberInclusion,
    MembershipReport,
    MemberSociety,
    Partner,
    PartnerLevel,
    PartnerRelation,
    SocietyKind,
    Union,
    WorkerMember,
)
from reports.models import Indicator, IndicatorScope


class UnionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Union

    code = factory.Sequence(lambda n: f"union-{n}")
    name = factory.Sequence(lambda n: f"Test Union {n}")
    established_on = datetime.date(1979, 1, 1)


class MemberSocietyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberSociety

    union = factory.SubFactory(UnionFactory)
    code = factory.Sequence(lambda n: f"society-{n}")
    name = factory.Sequence(lambda n: f"Worker Co-op {n}")
    kind = SocietyKind.LOCAL_WORKER_COOP
    legal_form = LegalForm.WORKER_COOP
    ilo_type = IloType.WORKER
    prefecture = "13"
    established_on = datetime.date(1990, 1, 1)
    joined_union_on = datetime.date(1990, 1, 1)


class MembershipReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipReport

    society = factory.SubFactory(
        MemberSocietyFactory, registers_individuals=False, kind=SocietyKind.OLDER_PERSONS_COOP_UNION
    )
    as_of = datetime.date(2015, 3, 31)
    members = 100


class HeadOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HeadOffice

    society = factory.SubFactory(MemberSocietyFactory)
    code = factory.Sequence(lambda n: f"head-office-{n}")
    name = factory.Sequence(lambda n: f"Head Office {n}")
    region = Region.KANTO
    opened_on = datetime.date(2000, 4, 1)


class BusinessLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessLine
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"line-{n}")
    name = factory.Sequence(lambda n: f"Business line {n}")
    sdg_goals = factory.LazyFunction(lambda: [3, 8])


class BusinessCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessCenter

    society = factory.SubFactory(MemberSocietyFactory)
    code = factory.Sequence(lambda n: f"center-{n}")
    name = factory.Sequence(lambda n: f"Business Center {n}")
    prefecture = "13"
    municipality = "Toshima City"
    opened_on = datetime.date(2000, 4, 1)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    union = factory.SubFactory(UnionFactory)
    code = factory.Sequence(lambda n: f"programme-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")
    kind = "job_training"
    funder = "prefecture"


class AnnualFiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualFigures

    society = factory.SubFactory(MemberSocietyFactory)
    fiscal_year = 2015
    turnover_yen = 1_000_000


class WorkerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerMember

    society = factory.SubFactory(MemberSocietyFactory)
    member_number = factory.Sequence(lambda n: f"M{n:06d}")
    family_name = "山田"
    given_name = "花子"
    family_name_kana = "ヤマダ"
    given_name_kana = "ハナコ"
    family_name_latin = "Yamada"
    given_name_latin = "Hanako"
    birth_date = datetime.date(1970, 5, 1)
    joined_on = datetime.date(2010, 4, 1)


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    member = factory.SubFactory(WorkerMemberFactory)
    given_on = datetime.date(2014, 4, 1)
    scope = ConsentScope.INCLUSION_RECORDS
    reference = factory.Sequence(lambda n: f"CONSENT-{n}")


class InclusionCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InclusionCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    group = InclusionGroup.DISABILITY


class MemberInclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberInclusion

    member = factory.SubFactory(WorkerMemberFactory)
    category = factory.SubFactory(InclusionCategoryFactory)
    consent = factory.SubFactory(ConsentRecordFactory, member=factory.SelfAttribute("..member"))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    union = factory.SubFactory(UnionFactory)
    code = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"Partner {n}")
    relation = PartnerRelation.PARTNERSHIP
    level = PartnerLevel.GLOBAL


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicator-{n}")
    scope = IndicatorScope.NATIONAL
    label = "Relative poverty rate"
    value = 16
    unit = "percent"
