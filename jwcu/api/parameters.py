"""Query parameters read strictly: unknown ones refused, dates and timestamps parsed, every
problem named with its parameter."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers

from jwcu.fiscal import STATISTICS_DAYS

FIRST_DAY, LAST_DAY = STATISTICS_DAYS


class Parameters:
    """Reads query parameters, collecting a reason for every invalid one so that a 400 names
    them all at once."""

    def __init__(self, request):
        self.params = request.query_params
        self.errors: dict[str, list[str]] = {}
        # A blank value is refused, not read as "no filter": a client whose variable was empty
        # would otherwise get the figures of its whole scope for those of one society.
        for name, values in self.params.lists():
            if any(not value.strip() for value in values):
                self.errors[name] = [_("Give a value, or leave the parameter out.")]

    def unknown(self, known: set[str]):
        for name in sorted(set(self.params) - known):
            self.errors[name] = [_("Unknown parameter.")]

    def date(self, name: str) -> datetime.date | None:
        value = self.params.get(name)
        if value is None:
            return None
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            self.errors[name] = [_("Give a date as YYYY-MM-DD.")]
        elif not FIRST_DAY <= day <= LAST_DAY:
            self.errors[name] = [within_registry_years_message()]
            day = None
        return day

    def timestamp(self, name: str) -> datetime.datetime | None:
        value = self.params.get(name)
        if value is None:
            return None
        try:
            # A "+" of an offset arrives as a space when the client did not encode it.
            moment = parse_datetime(value.replace(" ", "+"))
        except ValueError:
            moment = None
        if moment is None:
            self.errors[name] = [_("Give a timestamp as ISO 8601, e.g. 2016-11-16T09:00:00+09:00.")]
            return None
        moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        # PostgreSQL takes UTC offsets up to 15:59 only, Python's up to 23:59: compare in UTC.
        try:
            moment = moment.astimezone(datetime.UTC)
        except OverflowError:
            moment = None
        if moment is None or not FIRST_DAY <= moment.date() <= LAST_DAY:
            self.errors[name] = [within_registry_years_message()]
            return None
        return moment

    def check(self, name: str, problem: str | None):
        if problem:
            self.errors[name] = [problem]

    def merge(self, errors: dict):
        for name, reasons in errors.items():
            self.errors.setdefault(name, []).extend(str(reason) for reason in reasons)

    def raise_errors(self):
        if self.errors:
            raise exceptions.ValidationError(self.errors)


def within_registry_years_message() -> str:
    return _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}


def within_registry_years(day: datetime.date):
    """Validator of date parameters."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise serializers.ValidationError(within_registry_years_message())


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
