"""Fiscal years: FY N runs from the first day after month ``end_month`` of year N to the last
day of that month in N+1 (FY2015 = 2015-04-01 … 2016-03-31 with the default March year end)."""

import calendar
import datetime

# The days the statistics can be asked about (API parameters, dashboard filters): they look 60
# years back from them and a fiscal year ahead.
STATISTICS_DAYS = (datetime.date(1900, 1, 1), datetime.date(2199, 12, 31))
# The days a record can hold: the oldest partner (ICA) was founded in 1895; anything later than
# 2199 is a typing error, and the dates computed from a record's (a retention period ahead, the
# fiscal year after) must stay within the years Python and PostgreSQL share.
RECORD_DAYS = (datetime.date(1800, 1, 1), datetime.date(2199, 12, 31))


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
