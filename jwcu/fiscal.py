"""Fiscal years: FY N runs from the first day after month ``end_month`` of year N to the last
day of that month in N+1 (FY2015 = 2015-04-01 … 2016-03-31 with the default March year end)."""

import calendar
import datetime


def fiscal_year_bounds(year: int, *, end_month: int = 3) -> tuple[datetime.date, datetime.date]:
    if end_month == 12:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start = datetime.date(year, end_month + 1, 1)
    end = datetime.date(year + 1, end_month, calendar.monthrange(year + 1, end_month)[1])
    return start, end


def fiscal_year_of(day: datetime.date, *, end_month: int = 3) -> int:
    if end_month == 12:
        return day.year
    return day.year if day.month > end_month else day.year - 1
