import datetime
import functools
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jwcu.audit import ChannelHistory
from jwcu.fiscal import RECORD_DAYS

# Codes are what URLs, API filters, imports and commands use; database ids never leave.
code_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and single hyphens, e.g. west-nara."),
)
CODE_PATTERN_SQL = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def code_field(**kwargs):
    return models.CharField(_("code"), max_length=64, validators=[code_validator], **kwargs)


def yen_field(verbose_name, *, allow_negative=False, **kwargs):
    """Whole yen in a 64-bit integer (33.5 billion yen does not fit in 32 bits)."""
    validators = [MaxValueValidator(2**63 - 1), MinValueValidator(0 if not allow_negative else -(2**63))]
    return models.BigIntegerField(verbose_name, validators=validators, **kwargs)


class Prefecture(models.TextChoices):
    """The 47 prefectures by JIS X 0401 code."""

    HOKKAIDO = "01", _("Hokkaido")
    AOMORI = "02", _("Aomori")
    IWATE = "03", _("Iwate")
    MIYAGI = "04", _("Miyagi")
    AKITA = "05", _("Akita")
    YAMAGATA = "06", _("Yamagata")
    FUKUSHIMA = "07", _("Fukushima")
    IBARAKI = "08", _("Ibaraki")
    TOCHIGI = "09", _("Tochigi")
    GUNMA = "10", _("Gunma")
    SAITAMA = "11", _("Saitama")
    CHIBA = "12", _("Chiba")
    TOKYO = "13", _("Tokyo")
    KANAGAWA = "14", _("Kanagawa")
    NIIGATA = "15", _("Niigata")
    TOYAMA = "16", _("Toyama")
    ISHIKAWA = "17", _("Ishikawa")
    FUKUI = "18", _("Fukui")
    YAMANASHI = "19", _("Yamanashi")
    NAGANO = "20", _("Nagano")
    GIFU = "21", _("Gifu")
    SHIZUOKA = "22", _("Shizuoka")
    AICHI = "23", _("Aichi")
    MIE = "24", _("Mie")
    SHIGA = "25", _("Shiga")
    KYOTO = "26", _("Kyoto")
    OSAKA = "27", _("Osaka")
    HYOGO = "28", _("Hyogo")
    NARA = "29", _("Nara")
    WAKAYAMA = "30", _("Wakayama")
    TOTTORI = "31", _("Tottori")
    SHIMANE = "32", _("Shimane")
    OKAYAMA = "33", _("Okayama")
    HIROSHIMA = "34", _("Hiroshima")
    YAMAGUCHI = "35", _("Yamaguchi")
    TOKUSHIMA = "36", _("Tokushima")
    KAGAWA = "37", _("Kagawa")
    EHIME = "38", _("Ehime")
    KOCHI = "39", _("Kochi")
    FUKUOKA = "40", _("Fukuoka")
    SAGA = "41", _("Saga")
    NAGASAKI = "42", _("Nagasaki")
    KUMAMOTO = "43", _("Kumamoto")
    OITA = "44", _("Oita")
    MIYAZAKI = "45", _("Miyazaki")
    KAGOSHIMA = "46", _("Kagoshima")
    OKINAWA = "47", _("Okinawa")


class WebsiteField(models.URLField):
    """A URL; typed without a scheme, it is taken as https (Django 6's default, today's too)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def prefecture_field(**kwargs):
    return models.CharField(_("prefecture"), max_length=2, choices=Prefecture.choices, **kwargs)


def prefecture_constraint(name: str, field: str = "prefecture", *, nullable=False) -> models.CheckConstraint:
    condition = models.Q(**{f"{field}__in": Prefecture.values})
    if nullable:
        condition |= models.Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def code_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(code__regex=CODE_PATTERN_SQL), name=name)


# name of each period constraint -> (start field, end field), so that validation can put the
# error on the end field, where a form shows it.
PERIOD_CONSTRAINTS: dict[str, tuple[str, str]] = {}
PERIOD_MESSAGE = _("The end date cannot be before the start date.")


def period_constraint(name: str, start: str, end: str) -> models.CheckConstraint:
    """start <= end whenever end is set."""
    PERIOD_CONSTRAINTS[name] = (start, end)
    return models.CheckConstraint(
        condition=models.Q(**{f"{end}__isnull": True}) | models.Q(**{f"{start}__lte": models.F(end)}),
        name=name,
        violation_error_message=PERIOD_MESSAGE,
    )


# Control characters (NUL, escape…; a tab or line break only in multi-line text), and what is no
# text at all: lone surrogates, and U+FFFD, which bytes that were not UTF-8 become when a request
# is read. PostgreSQL refuses NUL outright; the others would end up in exports and pages.
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NOT_TEXT = re.compile(r"[\ud800-\udfff\ufffd]")


def value_problem(field: models.Field, value) -> ValidationError | None:
    """What is wrong with ``value`` of ``field`` beyond the field's own validation: text that
    holds control characters or is not valid Unicode, or a date outside the registry's years."""
    if isinstance(value, str) and isinstance(field, models.CharField | models.TextField):
        if NOT_TEXT.search(value):
            return ValidationError(
                _("This text holds characters that are not valid Unicode (e.g. bytes that were not UTF-8)."),
                code="invalid_unicode",
            )
        control = CONTROL_IN_TEXT if isinstance(field, models.TextField) else CONTROL_IN_LINE
        if control.search(value):
            return ValidationError(
                _("Remove the control characters (such as NUL, tab or line break) from this text.")
                if control is CONTROL_IN_LINE
                else _("Remove the control characters (such as NUL or escape) from this text."),
                code="control_characters",
            )
    if type(value) is datetime.date:
        try:
            within_record_days(value)
        except ValidationError as error:
            return error
    return None


def value_checker(field: models.Field):
    """A validator of ``field``'s values by value_problem (for serializers and forms, which
    should refuse such a value beside the other errors of their fields)."""

    def check(value):
        if (problem := value_problem(field, value)) is not None:
            raise problem

    return check


def within_record_days(day: datetime.date):
    """Validator of the dates a record holds (RECORD_DAYS)."""
    if not RECORD_DAYS[0] <= day <= RECORD_DAYS[1]:
        raise ValidationError(
            _("Give a date from %(first)s to %(last)s.") % {"first": RECORD_DAYS[0], "last": RECORD_DAYS[1]},
            code="date_out_of_range",
        )


class CheckedValues(models.Model):
    """Refuses, as an error of the field, text with control characters or invalid Unicode and
    dates outside the registry's years, whatever writes the record (forms, API, admin, imports:
    every one validates with ``full_clean`` or ``clean_fields``)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        try:
            super().clean_fields(exclude=exclude)
            errors = {}
        except ValidationError as error:
            errors = error.error_dict
        for field in _checked_fields(type(self)):
            if field.name in errors or (exclude and field.name in exclude):
                continue
            if (problem := value_problem(field, getattr(self, field.attname))) is not None:
                errors[field.name] = [problem]
        if errors:
            raise ValidationError(errors)


@functools.cache
def _checked_fields(model) -> tuple[models.Field, ...]:
    """The fields of ``model`` value_problem looks at (imports check rows by the thousand)."""
    kinds = models.CharField | models.TextField | models.DateField
    return tuple(
        field
        for field in model._meta.concrete_fields
        if isinstance(field, kinds) and not isinstance(field, models.DateTimeField)
    )


class RegistryRecord(CheckedValues):
    """Base of every registry record: timestamps for incremental sync, a version against
    lost updates, and a full history (who, when, through which channel, what changed)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True, bases=[ChannelHistory])

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """As Django's, but a period that ends before it starts is an error of its end field."""
        errors = self.period_errors(exclude=exclude)
        try:
            super().validate_constraints(exclude={*(exclude or ()), *errors})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def period_errors(self, exclude=None) -> dict[str, list]:
        """The periods of this record that end before they start, checked without a query."""
        errors = {}
        for constraint in self._meta.constraints:
            start, end = PERIOD_CONSTRAINTS.get(constraint.name, (None, None))
            if end is None or end in (exclude or ()):
                continue
            started, ended = getattr(self, start), getattr(self, end)
            if started is not None and ended is not None and ended < started:
                errors.setdefault(end, []).append(PERIOD_MESSAGE)
        return errors

    def validate_periods(self):
        if errors := self.period_errors():
            raise ValidationError(errors)


def month_validators():
    return [MinValueValidator(1), MaxValueValidator(12)]


class Role(models.TextChoices):
    UNION_ADMIN = "union_admin", _("Union administrator")
    SOCIETY_EDITOR = "society_editor", _("Society editor")
    HEAD_OFFICE_EDITOR = "head_office_editor", _("Head-office editor")
    VIEWER = "viewer", _("Viewer")


class RoleAssignment(RegistryRecord):
    """What a staff user may see and change: a role over the union, one society or one head
    office, and whether they hold the sensitive-data permission (APPI special care-required
    information: inclusion categories)."""

    user = models.OneToOneField("auth.User", models.CASCADE, related_name="registry_role", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    union = models.ForeignKey("members.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    society = models.ForeignKey(
        "members.MemberSociety", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("society")
    )
    head_office = models.ForeignKey(
        "businesses.HeadOffice", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("head office")
    )
    sensitive = models.BooleanField(
        _("may see sensitive data"),
        default=False,
        help_text=_("Inclusion categories (disability, social withdrawal…) are shown only with this permission."),
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role="union_admin", society__isnull=True, head_office__isnull=True)
                    | models.Q(role="society_editor", society__isnull=False, head_office__isnull=True)
                    | models.Q(role="head_office_editor", head_office__isnull=False)
                    | models.Q(role="viewer")
                ),
                name="role_assignment_scope_matches_role",
                violation_error_message=_(
                    "A union administrator has no society or head office; a society editor needs a society; "
                    "a head-office editor needs a head office."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()}"


class ApiClient(CheckedValues):
    """A regional office's system that reads (and perhaps writes) the registry through the API.

    Its token is shown once when the client is created; only its SHA-256 is stored, with a
    short prefix to find the row without scanning."""

    name = models.CharField(_("name"), max_length=200)
    union = models.ForeignKey("members.Union", models.PROTECT, related_name="+", verbose_name=_("union"))
    society = models.ForeignKey(
        "members.MemberSociety", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("society")
    )
    head_office = models.ForeignKey(
        "businesses.HeadOffice", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("head office")
    )
    can_write = models.BooleanField(_("may write"), default=False)
    sensitive = models.BooleanField(
        _("may see sensitive data"),
        default=False,
        help_text=_("Inclusion categories, and inclusion statistics without disclosure control."),
    )
    token_prefix = models.CharField(_("token prefix"), max_length=12, unique=True, editable=False)
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        "auth.User", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(society__isnull=True) | models.Q(head_office__isnull=True),
                name="api_client_one_scope",
                violation_error_message=_("Scope a client to the union, one society or one head office."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.head_office_id and self.society_id:
            raise ValidationError(_("Scope a client to the union, one society or one head office."))
        if self.society_id and self.union_id and self.society.union_id != self.union_id:
            raise ValidationError({"society": _("This society belongs to another union.")})
        if self.head_office_id and self.union_id and self.head_office.society.union_id != self.union_id:
            raise ValidationError({"head_office": _("This head office belongs to another union.")})


class ImportJob(models.Model):
    """A file uploaded on an import page (members or business centers), checked and imported
    off the request by a task (jwcu.import_jobs.import_job_run) that reports its progress here.

    A job is checked first (nothing written); a file without problems is imported once, when its
    owner confirms. The file is kept only until then. The id, a UUID, is what URLs show."""

    class Kind(models.TextChoices):
        MEMBERS = "members", _("members")
        CENTERS = "centers", _("business centers")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey("auth.User", models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    union = models.ForeignKey(
        "members.Union", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("union")
    )
    society = models.ForeignKey(
        "members.MemberSociety", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("society")
    )
    language = models.CharField(_("language"), max_length=8)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.BinaryField(_("file"), null=True, editable=False)  # discarded once no longer needed
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)  # estimated until finished
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("records created"), null=True, blank=True)
    updated_count = models.PositiveIntegerField(_("records updated"), null=True, blank=True)
    unchanged_count = models.PositiveIntegerField(_("records unchanged"), null=True, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)  # the first ones only
    problem_count = models.PositiveIntegerField(_("number of problems"), default=0)
    preview = models.JSONField(_("preview"), default=dict, blank=True)  # columns and first rows
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last sign of work"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="import_job_user_kind")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def importing(self) -> bool:
        """Confirmed: the worker writes the records (rather than only checking them)."""
        return self.confirmed_at is not None


class ScheduledRun(models.Model):
    """A run of a periodic task (jwcu.queue.periodic) for the period starting at ``due_at``: the
    key that lets one scheduler, of any number, enqueue it."""

    name = models.CharField(_("task"), max_length=200)
    due_at = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="scheduled_run_once")]

    def __str__(self):
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"
