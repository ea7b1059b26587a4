import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jwcu.models import (
    RegistryRecord,
    WebsiteField,
    code_constraint,
    code_field,
    month_validators,
    period_constraint,
    prefecture_constraint,
    prefecture_field,
    yen_field,
)


class Union(RegistryRecord):
    """A federation of co-operatives (JWCU). The registry may hold several."""

    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    website = WebsiteField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("union")
        verbose_name_plural = _("unions")
        ordering = ["name"]
        constraints = [code_constraint("union_code_format")]

    def __str__(self):
        return self.name


class SocietyKind(models.TextChoices):
    CENTRAL_WORKER_COOP = "central_worker_coop", _("Central worker co-operative")
    LOCAL_WORKER_COOP = "local_worker_coop", _("Local worker co-operative")
    OLDER_PERSONS_COOP_UNION = "older_persons_coop_union", _("Older persons' consumer co-operative union")
    AFFILIATED = "affiliated", _("Other affiliated organisation")
    ASSOCIATED = "associated", _("Associated member")


class LegalForm(models.TextChoices):
    WORKER_COOP = "worker_coop", _("Worker co-operative (Worker Cooperatives Act 2020)")
    ENTERPRISE_ASSOCIATION = "enterprise_association", _("Enterprise association (kigyo kumiai)")
    CONSUMER_COOP = "consumer_coop", _("Consumer co-operative")
    NPO = "npo", _("NPO")
    SOCIAL_WELFARE_CORPORATION = "social_welfare_corporation", _("Social welfare corporation")
    AGRICULTURAL_CORPORATION = "agricultural_corporation", _("Agricultural corporation")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class IloType(models.TextChoices):
    """Types of co-operative in the ILO 20th ICLS (2018) guidelines."""

    WORKER = "worker", _("Worker co-operative")
    PRODUCER = "producer", _("Producer co-operative")
    CONSUMER_USER = "consumer_user", _("Consumer/user co-operative")
    MULTI_STAKEHOLDER = "multi_stakeholder", _("Multi-stakeholder co-operative")
    NOT_A_COOPERATIVE = "not_a_cooperative", _("Not a co-operative")


class MemberSocietyQuerySet(models.QuerySet):
    def in_union_on(self, day: datetime.date):
        return self.filter(Q(left_union_on__isnull=True) | Q(left_union_on__gt=day), joined_union_on__lte=day)


class MemberSociety(RegistryRecord):
    """An organisation that is a member of a union."""

    union = models.ForeignKey(Union, models.PROTECT, related_name="societies", verbose_name=_("union"))
    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=SocietyKind.choices)
    legal_form = models.CharField(_("legal form"), max_length=32, choices=LegalForm.choices)
    ilo_type = models.CharField(_("ILO type"), max_length=32, choices=IloType.choices)
    prefecture = prefecture_field(blank=True, help_text=_("Leave empty for a national organisation."))
    established_on = models.DateField(_("established on"), null=True, blank=True)
    joined_union_on = models.DateField(_("joined the union on"))
    left_union_on = models.DateField(_("left the union on"), null=True, blank=True)
    registers_individuals = models.BooleanField(
        _("registers individuals"),
        default=True,
        help_text=_("Does the registry hold this society's people one by one? If not, it reports counts."),
    )
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        _("fiscal year ends in month"), default=3, validators=month_validators()
    )
    member_organisations = models.PositiveIntegerField(
        _("member organisations"),
        null=True,
        blank=True,
        help_text=_("For a society that is itself a federation: how many organisations are its members."),
    )
    website = WebsiteField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = MemberSocietyQuerySet.as_manager()

    class Meta:
        verbose_name = _("member society")
        verbose_name_plural = _("member societies")
        ordering = ["union", "code"]
        constraints = [
            code_constraint("society_code_format"),
            prefecture_constraint("society_prefecture_valid", nullable=True),
            period_constraint("society_joined_before_left", "joined_union_on", "left_union_on"),
            models.CheckConstraint(
                condition=Q(established_on__isnull=True) | Q(established_on__lte=models.F("joined_union_on")),
                name="society_established_before_joined",
                violation_error_message=_("A society cannot join the union before it was established."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year_end_month__gte=1, fiscal_year_end_month__lte=12),
                name="society_fiscal_month_valid",
            ),
        ]

    def __str__(self):
        return self.name


class MembershipReport(RegistryRecord):
    """A membership count reported by a society that does not register its people one by one."""

    society = models.ForeignKey(
        MemberSociety, models.PROTECT, related_name="membership_reports", verbose_name=_("society")
    )
    as_of = models.DateField(_("as of"))
    members = models.PositiveIntegerField(_("individual members"))
    worker_members = models.PositiveIntegerField(_("of whom worker members"), default=0)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership report")
        verbose_name_plural = _("membership reports")
        ordering = ["society", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["society", "as_of"], name="membership_report_unique_per_day"),
            models.CheckConstraint(
                condition=Q(worker_members__lte=models.F("members")),
                name="membership_report_workers_within_members",
                violation_error_message=_("Worker members cannot exceed individual members."),
            ),
        ]

    def __str__(self):
        return f"{self.society} {self.as_of}: {self.members}"

    def clean(self):
        if self.society_id and self.society.registers_individuals:
            raise ValidationError(
                {"society": _("This society registers its members one by one; their count is not reported.")}
            )


class Relationship(models.TextChoices):
    WORKER_MEMBER = "worker_member", _("Worker member")
    EMPLOYEE = "employee", _("Employee (not a member)")
    VOLUNTEER = "volunteer", _("Volunteer")
    TRAINEE = "trainee", _("Trainee")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class ContractType(models.TextChoices):
    REGULAR = "regular", _("Regular")
    PART_TIME = "part_time", _("Part-time")


class LeaveReason(models.TextChoices):
    RETIREMENT = "retirement", _("Retirement")
    RESIGNATION = "resignation", _("Resignation")
    TRANSFER = "transfer", _("Transfer")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


class WorkerMemberQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Joined on or before ``day`` and not yet left on it."""
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), joined_on__lte=day)

    def worker_members(self):
        return self.filter(relationship=Relationship.WORKER_MEMBER)


class WorkerMember(RegistryRecord):
    """A person who works in a society: worker members own and run it (associated work)."""

    # No index of its own: the indexes of (society, member_number), (society, joined_on, left_on) and
    # (society, updated_at, id) begin with it.
    society = models.ForeignKey(
        MemberSociety, models.PROTECT, related_name="people", verbose_name=_("society"), db_index=False
    )
    member_number = models.CharField(_("member number"), max_length=32)
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=100, blank=True)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=100, blank=True)
    family_name_latin = models.CharField(_("family name (romaji)"), max_length=100, blank=True)
    given_name_latin = models.CharField(_("given name (romaji)"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    business_center = models.ForeignKey(
        "businesses.BusinessCenter",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("business center"),
        help_text=_("Current workplace; it must belong to the member's society."),
        db_index=False,  # member_center_period_idx leads with it
    )
    relationship = models.CharField(
        _("relationship"), max_length=16, choices=Relationship.choices, default=Relationship.WORKER_MEMBER
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=16, choices=LeaveReason.choices, blank=True)
    capital_contribution_yen = yen_field(_("capital contribution (yen)"), default=0)
    contract_type = models.CharField(_("contract"), max_length=16, choices=ContractType.choices, blank=True)
    weekly_hours = models.DecimalField(
        _("weekly hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(168)],
    )
    anonymised_on = models.DateField(
        _("anonymised on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Personal fields were erased after the retention period; counts still include the member."),
    )
    # Indexed with id in Meta.indexes, for the keyset pages of a sync: the index of updated_at
    # alone would be redundant.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WorkerMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker member")
        verbose_name_plural = _("worker members")
        ordering = ["society", "member_number"]
        constraints = [
            models.UniqueConstraint(fields=["society", "member_number"], name="member_number_unique_in_society"),
            period_constraint("member_joined_before_left", "joined_on", "left_on"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=False) | Q(leave_reason=""),
                name="member_leave_reason_needs_left_on",
                violation_error_message=_("A reason for leaving needs a date of leaving."),
            ),
            models.CheckConstraint(condition=Q(capital_contribution_yen__gte=0), name="member_capital_non_negative"),
            models.CheckConstraint(
                condition=Q(weekly_hours__isnull=True) | Q(weekly_hours__gte=0, weekly_hours__lte=168),
                name="member_weekly_hours_valid",
            ),
            models.CheckConstraint(condition=~Q(member_number=""), name="member_number_not_empty"),
        ]
        indexes = [
            models.Index(fields=["society", "joined_on", "left_on"], name="member_society_period_idx"),
            models.Index(fields=["business_center", "joined_on", "left_on"], name="member_center_period_idx"),
            # Keyset pages (jwcu.api.pagination.KeysetPagination) of a union-wide and a society's sync.
            models.Index(fields=["updated_at", "id"], name="member_updated_keyset_idx"),
            models.Index(fields=["member_number", "id"], name="member_number_keyset_idx"),
            models.Index(fields=["society", "updated_at", "id"], name="member_society_updated_idx"),
        ]

    def __str__(self):
        return f"{self.family_name} {self.given_name} ({self.member_number})"

    def clean(self):
        errors = {}
        if self.business_center_id and self.society_id and self.business_center.society_id != self.society_id:
            errors["business_center"] = _("This business center belongs to another society.")
        if self.leave_reason and self.left_on is None:
            errors["leave_reason"] = _("A reason for leaving needs a date of leaving.")
        if errors:
            raise ValidationError(errors)


class ConsentScope(models.TextChoices):
    INCLUSION_RECORDS = "inclusion_records", _("Inclusion categories: recording and internal statistics")
    INCLUSION_AND_PUBLICATION = "inclusion_and_publication", _("Inclusion categories, including anonymised publication")


class ConsentRecord(RegistryRecord):
    """A member's recorded consent to the registry holding special care-required information (APPI)."""

    member = models.ForeignKey(WorkerMember, models.PROTECT, related_name="consents", verbose_name=_("member"))
    given_on = models.DateField(_("given on"))
    scope = models.CharField(_("scope"), max_length=32, choices=ConsentScope.choices)
    reference = models.CharField(
        _("reference"), max_length=200, help_text=_("Where the signed consent is kept (document number).")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["member", "-given_on"]
        constraints = [
            models.UniqueConstraint(fields=["id", "member"], name="consent_id_member_key"),
            period_constraint("consent_given_before_withdrawn", "given_on", "withdrawn_on"),
            models.CheckConstraint(condition=~Q(reference=""), name="consent_reference_not_empty"),
        ]

    def __str__(self):
        return f"{self.member} {self.given_on} ({self.reference})"


class InclusionGroup(models.TextChoices):
    DISABILITY = "disability", _("Disability")
    SOCIAL = "social", _("Social exclusion")
    ECONOMIC = "economic", _("Economic hardship")
    FAMILY = "family", _("Family situation")
    OTHER = "other", _("Other")


class InclusionCategory(RegistryRecord):
    """What the registry counts as inclusion. Elderly (60+) and youth (under 35) are derived
    from birth dates at the reporting date and are not categories."""

    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=16, choices=InclusionGroup.choices)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("inclusion category")
        verbose_name_plural = _("inclusion categories")
        ordering = ["sort_order", "code"]
        constraints = [code_constraint("inclusion_category_code_format")]

    def __str__(self):
        return self.name


class MemberInclusion(RegistryRecord):
    """One inclusion category of one member, stored only under the member's recorded consent."""

    member = models.ForeignKey(WorkerMember, models.PROTECT, related_name="inclusions", verbose_name=_("member"))
    category = models.ForeignKey(
        InclusionCategory, models.PROTECT, related_name="member_inclusions", verbose_name=_("category")
    )
    consent = models.ForeignKey(ConsentRecord, models.PROTECT, related_name="inclusions", verbose_name=_("consent"))
    since = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    certificate_held = models.BooleanField(
        _("certificate held"), default=False, help_text=_("For disabilities: a disability certificate is held.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("member inclusion")
        verbose_name_plural = _("member inclusions")
        ordering = ["member", "category"]
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="member_inclusion_unique"),
            period_constraint("member_inclusion_since_before_end", "since", "ended_on"),
        ]

    def __str__(self):
        return f"{self.member}: {self.category}"

    def clean(self):
        if self.consent_id and self.member_id and self.consent.member_id != self.member_id:
            raise ValidationError({"consent": _("This consent was given by another member.")})
        # An inclusion ended by the withdrawal stays valid; only a current one needs current consent.
        if self.consent_id and self.consent.withdrawn_on is not None and self.ended_on is None:
            raise ValidationError({"consent": _("This consent has been withdrawn.")})


class PartnerRelation(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partnership")
    RELATED_INSTITUTION = "related_institution", _("Related institution")


class PartnerLevel(models.TextChoices):
    GLOBAL = "global", _("Global")
    REGIONAL_SECTORAL = "regional_sectoral", _("Regional / sectoral")
    NATIONAL = "national", _("National")


class Partner(RegistryRecord):
    """An institution the union works with or has founded (ICA, CICOPA, JJC, …)."""

    union = models.ForeignKey(Union, models.PROTECT, related_name="partners", verbose_name=_("union"))
    code = code_field(unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=32, blank=True)
    relation = models.CharField(_("relation"), max_length=32, choices=PartnerRelation.choices)
    level = models.CharField(_("level"), max_length=32, choices=PartnerLevel.choices, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    established_by_union = models.BooleanField(_("established by the union"), default=False)
    website = WebsiteField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["relation", "level", "name"]
        constraints = [
            code_constraint("partner_code_format"),
            models.CheckConstraint(
                condition=~Q(relation=PartnerRelation.PARTNERSHIP) | ~Q(level=""),
                name="partner_partnership_has_level",
                violation_error_message=_("A partnership needs a level (global, regional/sectoral, national)."),
            ),
        ]

    def __str__(self):
        return self.name


class Placement(RegistryRecord):
    """A period a member worked at one business center. A move to another center ends the
    current period and opens the next; WorkerMember.business_center is the current workplace."""

    member = models.ForeignKey(WorkerMember, models.PROTECT, related_name="placements", verbose_name=_("member"))
    business_center = models.ForeignKey(
        "businesses.BusinessCenter", models.PROTECT, related_name="placements", verbose_name=_("business center")
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["member", "started_on"]
        constraints = [
            period_constraint("placement_started_before_ended", "started_on", "ended_on"),
            models.UniqueConstraint(
                fields=["member"], condition=Q(ended_on__isnull=True), name="placement_one_current_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.business_center} {self.started_on}–{self.ended_on or ''}"

    def clean(self):
        if self.business_center_id and self.member_id and self.business_center.society_id != self.member.society_id:
            raise ValidationError({"business_center": _("This business center belongs to another society.")})
