import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jwcu.models import RegistryRecord, code_constraint, code_field


class IndicatorScope(models.TextChoices):
    NATIONAL = "national", _("National context")
    BUSINESS_CENTER = "business_center", _("Business center")


class Indicator(RegistryRecord):
    """A published figure that is not a count of registry records: the national context the
    union compares itself with (relative poverty rate 16 %…) and facts of a center's work
    (litres of used oil collected per day)."""

    code = code_field()
    scope = models.CharField(_("scope"), max_length=16, choices=IndicatorScope.choices)
    business_center = models.ForeignKey(
        "businesses.BusinessCenter",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("business center"),
    )
    label = models.CharField(_("label"), max_length=200)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=32, help_text=_("percent, persons, households, litres/day…"))
    as_of = models.DateField(_("as of"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scope", "code"]
        constraints = [
            code_constraint("indicator_code_format"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(business_center__isnull=True), name="indicator_national_code_unique"
            ),
            models.UniqueConstraint(
                fields=["business_center", "code"],
                condition=Q(business_center__isnull=False),
                name="indicator_center_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(scope=IndicatorScope.NATIONAL, business_center__isnull=True)
                | Q(scope=IndicatorScope.BUSINESS_CENTER, business_center__isnull=False),
                name="indicator_scope_matches_owner",
                violation_error_message=_("A center's indicator names its center; a national one names none."),
            ),
        ]

    def __str__(self):
        return f"{self.label}: {self.value} {self.unit}"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class ReportExport(models.Model):
    """A frozen export of the annual report: what was asked for and the SHA-256 of the file
    handed out, so a published report can be proven unchanged; ``figures_sha256`` digests the
    report's figures (its CSV form), so a regeneration can be shown to give the same numbers."""

    union = models.ForeignKey("members.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    as_of = models.DateField(_("as of"))
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    public = models.BooleanField(_("public edition"))
    options = models.JSONField(_("options"), default=dict)
    file_name = models.CharField(_("file name"), max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, db_index=True)
    figures_sha256 = models.CharField(_("SHA-256 of the figures"), max_length=64)
    created_by = models.ForeignKey(
        "auth.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual report export")
        verbose_name_plural = _("annual report exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="report_export_sha256_hex"),
        ]

    def __str__(self):
        return f"{self.union} FY{self.fiscal_year} {self.format} {self.sha256[:12]}"


class ReportJob(models.Model):
    """An annual report asked for on its page, built off the request by a task
    (reports.services.report_job_run) that records its progress here, then its file, which the
    one who asked (or a union administrator) downloads until REPORT_FILE_RETENTION_HOURS have
    passed. The id, a UUID, is what URLs show."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Preparing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    union = models.ForeignKey("members.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    public = models.BooleanField(_("public edition"))
    language = models.CharField(_("language"), max_length=8)
    requested_by = models.ForeignKey("auth.User", models.CASCADE, related_name="+", verbose_name=_("asked for by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("step"), max_length=200, blank=True)
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveIntegerField(_("steps"), null=True, blank=True)
    content = models.BinaryField(_("file"), null=True, editable=False)  # discarded after the retention
    export = models.ForeignKey(
        ReportExport, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorded export")
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report job")
        verbose_name_plural = _("annual report jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="report_job_user_created")]

    def __str__(self):
        return f"FY{self.fiscal_year} {self.format} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class MemberRollup(models.Model):
    """The membership statistics kept by the database (reports.rollup): per cell of people (society,
    business center, inclusion category, relationship, engaged in the work, reason for leaving)
    either the change on a day (kind "D") or the running total at a month's end (kind "M"), and the
    leaves of a day by reason (kind "R", with ``leave_reason``; read over a period only).
    A figure on any day D is the month-end row of the last month end on or before D plus the day
    rows after it up to D, so a statistic reads about one row per cell whatever the number of
    members. Written only by the database's triggers, never by the application."""

    class Kind(models.TextChoices):
        DAY = "D", _("change on the day")
        MONTH = "M", _("total at the month's end")
        LEAVES_BY_REASON = "R", _("leaves on the day, by reason")

    kind = models.CharField(max_length=1, choices=Kind.choices)
    on = models.DateField()
    society = models.ForeignKey(
        "members.MemberSociety", models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    business_center = models.ForeignKey(
        "businesses.BusinessCenter",
        models.DO_NOTHING,
        null=True,
        db_constraint=False,
        db_index=False,  # member_rollup_center_kind_on
        related_name="+",
    )
    # null: the people themselves; set: the people holding this inclusion category (in ``active``)
    category = models.ForeignKey(
        "members.InclusionCategory", models.DO_NOTHING, null=True, db_constraint=False, db_index=False, related_name="+"
    )
    relationship = models.CharField(max_length=16)
    engaged = models.BooleanField()
    leave_reason = models.CharField(max_length=16, blank=True)
    active = models.IntegerField(default=0)
    elderly = models.IntegerField(default=0)
    youth = models.IntegerField(default=0)
    joins = models.IntegerField(default=0)
    leaves = models.IntegerField(default=0)
    moves_in = models.IntegerField(default=0)
    moves_out = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # One row per kind, day and cell: the key the triggers' deltas are summed into (ON
            # CONFLICT), and the union's figures on a day: the month-end rows of one month and the
            # day rows after it; with the society, one society's among them (the report's figures
            # per society).
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "on",
                    "society",
                    "business_center",
                    "category",
                    "relationship",
                    "engaged",
                    "leave_reason",
                ],
                name="member_rollup_row_key",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            # A center's figures, and the rows a recomputation replaces and reads (reports.rollup).
            models.Index(fields=["business_center", "kind", "on"], name="member_rollup_center_kind_on"),
            models.Index(
                fields=["society", "kind", "on"],
                condition=Q(business_center__isnull=True),
                name="member_rollup_society_kind_on",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.on} society {self.society_id} center {self.business_center_id}"
