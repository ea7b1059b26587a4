import datetime

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jwcu.models import (
    RegistryRecord,
    code_constraint,
    code_field,
    period_constraint,
    prefecture_constraint,
    prefecture_field,
    yen_field,
)


class Region(models.TextChoices):
    HOKKAIDO = "hokkaido", _("Hokkaido")
    TOHOKU = "tohoku", _("Tohoku")
    KANTO = "kanto", _("Kanto")
    CHUBU = "chubu", _("Chubu")
    KINKI = "kinki", _("Kinki")
    CHUGOKU = "chugoku", _("Chugoku")
    SHIKOKU = "shikoku", _("Shikoku")
    KYUSHU_OKINAWA = "kyushu_okinawa", _("Kyushu and Okinawa")


class OpenClosedQuerySet(models.QuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day), opened_on__lte=day)


class HeadOffice(RegistryRecord):
    """A regional head office of a society (CWC has 15)."""

    society = models.ForeignKey(
        "members.MemberSociety", models.PROTECT, related_name="head_offices", verbose_name=_("society")
    )
    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)
    prefecture = prefecture_field(blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    objects = OpenClosedQuerySet.as_manager()

    class Meta:
        verbose_name = _("head office")
        verbose_name_plural = _("head offices")
        ordering = ["society", "code"]
        constraints = [
            code_constraint("head_office_code_format"),
            prefecture_constraint("head_office_prefecture_valid", nullable=True),
            period_constraint("head_office_opened_before_closed", "opened_on", "closed_on"),
            # Target of the composite foreign key that keeps a center in its head office's society.
            models.UniqueConstraint(fields=["id", "society"], name="head_office_id_society_key"),
        ]

    def __str__(self):
        return self.name


class SdgGoal(models.IntegerChoices):
    NO_POVERTY = 1, _("1 No poverty")
    ZERO_HUNGER = 2, _("2 Zero hunger")
    GOOD_HEALTH = 3, _("3 Good health and well-being")
    QUALITY_EDUCATION = 4, _("4 Quality education")
    GENDER_EQUALITY = 5, _("5 Gender equality")
    CLEAN_WATER = 6, _("6 Clean water and sanitation")
    CLEAN_ENERGY = 7, _("7 Affordable and clean energy")
    DECENT_WORK = 8, _("8 Decent work and economic growth")
    INDUSTRY = 9, _("9 Industry, innovation and infrastructure")
    REDUCED_INEQUALITIES = 10, _("10 Reduced inequalities")
    SUSTAINABLE_CITIES = 11, _("11 Sustainable cities and communities")
    RESPONSIBLE_CONSUMPTION = 12, _("12 Responsible consumption and production")
    CLIMATE_ACTION = 13, _("13 Climate action")
    LIFE_BELOW_WATER = 14, _("14 Life below water")
    LIFE_ON_LAND = 15, _("15 Life on land")
    PEACE_JUSTICE = 16, _("16 Peace, justice and strong institutions")
    PARTNERSHIPS = 17, _("17 Partnerships for the goals")


class BusinessLine(RegistryRecord):
    """A line of business the centers run, mapped to the Sustainable Development Goals."""

    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    sdg_goals = ArrayField(
        models.PositiveSmallIntegerField(choices=SdgGoal.choices),
        verbose_name=_("SDG goals"),
        default=list,
        blank=True,
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("business line")
        verbose_name_plural = _("business lines")
        ordering = ["sort_order", "code"]
        constraints = [
            code_constraint("business_line_code_format"),
            models.CheckConstraint(
                condition=Q(sdg_goals__contained_by=SdgGoal.values),
                name="business_line_sdg_goals_valid",
                violation_error_message=_("SDG goals are numbered 1 to 17."),
            ),
        ]

    def __str__(self):
        return self.name


class BusinessCenter(RegistryRecord):
    """A workplace of a society (CWC has 324)."""

    society = models.ForeignKey(
        "members.MemberSociety", models.PROTECT, related_name="business_centers", verbose_name=_("society")
    )
    head_office = models.ForeignKey(
        HeadOffice,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="business_centers",
        verbose_name=_("head office"),
        help_text=_("It must belong to the same society."),
    )
    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    prefecture = prefecture_field()
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    business_lines = models.ManyToManyField(
        BusinessLine, related_name="business_centers", blank=True, verbose_name=_("business lines")
    )
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)
    volunteers_as_of = models.DateField(_("volunteers counted on"), null=True, blank=True)
    featured = models.BooleanField(
        _("featured case"), default=False, help_text=_("Told as a case in the annual report.")
    )
    story = models.TextField(_("story"), blank=True)
    story_ja = models.TextField(_("story (Japanese)"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = OpenClosedQuerySet.as_manager()

    class Meta:
        verbose_name = _("business center")
        verbose_name_plural = _("business centers")
        ordering = ["society", "code"]
        constraints = [
            code_constraint("business_center_code_format"),
            prefecture_constraint("business_center_prefecture_valid"),
            period_constraint("business_center_opened_before_closed", "opened_on", "closed_on"),
            models.CheckConstraint(
                condition=Q(volunteers__isnull=True) | Q(volunteers_as_of__isnull=False),
                name="business_center_volunteers_dated",
                violation_error_message=_("Say on which date the volunteers were counted."),
            ),
            # Target of the composite foreign key that keeps a member in its center's society.
            models.UniqueConstraint(fields=["id", "society"], name="business_center_id_society_key"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.head_office_id and self.society_id and self.head_office.society_id != self.society_id:
            raise ValidationError({"head_office": _("This head office belongs to another society.")})


class ProgrammeKind(models.TextChoices):
    YOUTH_SUPPORT_STATION = "youth_support_station", _("Youth Support Station")
    INDEPENDENCE_SUPPORT = "independence_support", _("System of Independence Support for the Needy")
    JOB_TRAINING = "job_training", _("Job training")
    OTHER = "other", _("Other")


class Funder(models.TextChoices):
    NATIONAL = "national", _("National government")
    PREFECTURE = "prefecture", _("Prefecture")
    MUNICIPALITY = "municipality", _("Municipality")
    LONG_TERM_CARE_INSURANCE = "ltci", _("Long-term care insurance")
    UNION = "union", _("The union itself")


class ProgrammeQuerySet(models.QuerySet):
    def running_on(self, day: datetime.date):
        """Programmes with an unknown start date count as running until they end."""
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            discontinued=False,
        )


class Programme(RegistryRecord):
    """A commissioned or funded programme run at a center or by the union."""

    union = models.ForeignKey("members.Union", models.PROTECT, related_name="programmes", verbose_name=_("union"))
    business_center = models.ForeignKey(
        BusinessCenter,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
        verbose_name=_("business center"),
    )
    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProgrammeKind.choices)
    funder = models.CharField(_("funder"), max_length=16, choices=Funder.choices)
    commissioning_body = models.CharField(_("commissioning body"), max_length=200, blank=True)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    discontinued = models.BooleanField(
        _("discontinued"), default=False, help_text=_("No longer runs, though the end date is not known.")
    )
    completions = models.PositiveIntegerField(_("participants who completed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["kind", "code"]
        constraints = [
            code_constraint("programme_code_format"),
            period_constraint("programme_started_before_ended", "started_on", "ended_on"),
        ]

    def __str__(self):
        return self.name


class AnnualFigures(RegistryRecord):
    """Turnover and other figures of one fiscal year, for a society or for one business center.

    A society's turnover is its own reported figure if it has one, else the sum of its centers'.
    The union's is the sum of its societies'. See reports.selectors.
    """

    society = models.ForeignKey(
        "members.MemberSociety",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_figures",
        verbose_name=_("society"),
    )
    business_center = models.ForeignKey(
        BusinessCenter,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_figures",
        verbose_name=_("business center"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    turnover_yen = yen_field(_("turnover (yen)"))
    wages_yen = yen_field(_("wages (yen)"), null=True, blank=True)
    surplus_yen = yen_field(_("surplus (yen)"), allow_negative=True, null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("annual figures")
        verbose_name_plural = _("annual figures")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(society__isnull=False, business_center__isnull=True)
                | Q(society__isnull=True, business_center__isnull=False),
                name="annual_figures_one_owner",
                violation_error_message=_("Figures belong either to a society or to one business center."),
            ),
            models.UniqueConstraint(
                fields=["society", "fiscal_year"],
                condition=Q(society__isnull=False),
                name="annual_figures_unique_society_year",
            ),
            models.UniqueConstraint(
                fields=["business_center", "fiscal_year"],
                condition=Q(business_center__isnull=False),
                name="annual_figures_unique_center_year",
            ),
            models.CheckConstraint(condition=Q(turnover_yen__gte=0), name="annual_figures_turnover_non_negative"),
            models.CheckConstraint(
                condition=Q(wages_yen__isnull=True) | Q(wages_yen__gte=0), name="annual_figures_wages_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1900, fiscal_year__lte=2200), name="annual_figures_fiscal_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.society or self.business_center} FY{self.fiscal_year}"
