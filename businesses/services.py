"""Every write to head offices, business centers, business lines, programmes and annual figures."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from businesses.models import AnnualFigures, BusinessCenter, BusinessLine, HeadOffice
from jwcu.services import record_create, record_update, record_upsert

HEAD_OFFICE_FIELDS = ["society", "code", "name", "name_ja", "region", "prefecture", "opened_on"]
PROGRAMME_FIELDS = [
    "union",
    "business_center",
    "code",
    "name",
    "name_ja",
    "kind",
    "funder",
    "commissioning_body",
    "municipality",
    "started_on",
    "ended_on",
    "discontinued",
    "completions",
    "notes",
]

# What staff and API clients may change of a center; its code and society identify it.
CENTER_EDITABLE_FIELDS = [
    "head_office",
    "name",
    "name_ja",
    "prefecture",
    "municipality",
    "opened_on",
    "business_lines",
    "volunteers",
    "volunteers_as_of",
    "featured",
    "story",
    "story_ja",
    "notes",
]


def center_create(*, business_lines: Iterable[BusinessLine] = (), **fields) -> BusinessCenter:
    with transaction.atomic():
        center = record_create(BusinessCenter, **fields)
        center.business_lines.set(business_lines)
    return center


def center_set_business_lines(center: BusinessCenter, *, business_lines: Iterable[BusinessLine]) -> bool:
    """Returns whether anything changed."""
    wanted = {line.pk for line in business_lines}
    if wanted == set(center.business_lines.values_list("pk", flat=True)):
        return False
    with transaction.atomic():
        center.business_lines.set(wanted)
        record_update(center)
    return True


def center_update(
    center: BusinessCenter,
    *,
    expected_version: int | None = None,
    business_lines: Iterable[BusinessLine] | None = None,
    **changes,
) -> BusinessCenter:
    """Change a center's fields and, when given, its business lines, in one transaction."""
    if "society" in changes and changes["society"].pk != center.society_id:
        raise ValidationError({"society": _("A business center cannot move to another society.")})
    with transaction.atomic():
        center = record_update(center, expected_version=expected_version, **changes)
        if business_lines is not None:
            center.business_lines.set(business_lines)
    return center


def center_close(center: BusinessCenter, *, closed_on: datetime.date, expected_version: int | None = None):
    def open_and_empty(current: BusinessCenter):
        if current.closed_on is not None:
            raise ValidationError({"closed_on": _("This business center is already closed.")})
        if current.people.active_on(closed_on).exists():
            raise ValidationError(
                {
                    "closed_on": _(
                        "Members still work at this center on that date; move them or record their leaving first."
                    )
                }
            )

    return record_update(center, expected_version=expected_version, precondition=open_and_empty, closed_on=closed_on)


def head_office_close(head_office: HeadOffice, *, closed_on: datetime.date, expected_version: int | None = None):
    def open_and_empty(current: HeadOffice):
        if current.closed_on is not None:
            raise ValidationError({"closed_on": _("This head office is already closed.")})
        if current.business_centers.open_on(closed_on).exists():
            raise ValidationError(
                {
                    "closed_on": _(
                        "Business centers under this head office are still open on that date; close or move them first."
                    )
                }
            )

    return record_update(
        head_office, expected_version=expected_version, precondition=open_and_empty, closed_on=closed_on
    )


def annual_figures_record(
    *, fiscal_year: int, turnover_yen: int, society=None, business_center=None, **values
) -> AnnualFigures:
    """Record (or correct) the figures of one owner for one fiscal year."""
    if (society is None) == (business_center is None):
        raise ValidationError(_("Figures belong either to a society or to one business center."))
    lookup = {"society": society, "business_center": business_center, "fiscal_year": fiscal_year}
    figures, _outcome = record_upsert(AnnualFigures, lookup=lookup, values={"turnover_yen": turnover_yen, **values})
    return figures


def annual_figures_create(
    *, fiscal_year: int, turnover_yen: int, society=None, business_center=None, **values
) -> AnnualFigures:
    """Record the figures of one owner for a fiscal year that has none yet."""
    owner = {"society": society} if society is not None else {"business_center": business_center}
    if (society is None) == (business_center is None):
        raise ValidationError(_("Figures belong either to a society or to one business center."))
    if AnnualFigures.objects.filter(**owner, fiscal_year=fiscal_year).exists():
        taken = ValidationError(
            _("Figures of this fiscal year are already recorded; correct them instead."), code="unique"
        )
        raise ValidationError({"fiscal_year": taken})
    return record_create(AnnualFigures, **owner, fiscal_year=fiscal_year, turnover_yen=turnover_yen, **values)


def annual_figures_correct(figures: AnnualFigures, *, expected_version: int | None = None, **changes) -> AnnualFigures:
    """Correct recorded figures; their owner and fiscal year stay."""
    return record_update(figures, expected_version=expected_version, **changes)


def centers_set_business_lines(assignments: dict[BusinessCenter, Iterable[BusinessLine]]) -> int:
    """Give each center exactly its business lines, in three queries whatever the number of
    centers. Returns how many links were added or removed."""
    through = BusinessCenter.business_lines.through
    wanted = {(center.pk, line.pk) for center, lines in assignments.items() for line in lines}
    stored = set(
        through.objects.filter(businesscenter__in=list(assignments)).values_list("businesscenter_id", "businessline_id")
    )
    missing, extra = wanted - stored, stored - wanted
    with transaction.atomic():
        through.objects.bulk_create([through(businesscenter_id=c, businessline_id=line) for c, line in missing])
        for center_id, line_id in extra:
            through.objects.filter(businesscenter_id=center_id, businessline_id=line_id).delete()
    return len(missing) + len(extra)
