import datetime

import pytest

from jwcu.fiscal import fiscal_year_bounds, fiscal_year_of

D = datetime.date


def test_fiscal_year_2015_runs_from_1_april_2015_to_31_march_2016():
    assert fiscal_year_bounds(2015) == (D(2015, 4, 1), D(2016, 3, 31))


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (D(2015, 3, 31), 2014),
        (D(2015, 4, 1), 2015),
        (D(2015, 12, 31), 2015),
        (D(2016, 1, 1), 2015),
        (D(2016, 3, 31), 2015),
        (D(2016, 4, 1), 2016),
    ],
)
def test_fiscal_year_of_a_day_with_a_march_year_end(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


@pytest.mark.parametrize(
    ("end_month", "fiscal_year", "bounds"),
    [
        (12, 2015, (D(2015, 1, 1), D(2015, 12, 31))),
        (6, 2015, (D(2015, 7, 1), D(2016, 6, 30))),
        (9, 2015, (D(2015, 10, 1), D(2016, 9, 30))),
        (1, 2015, (D(2015, 2, 1), D(2016, 1, 31))),
    ],
)
def test_fiscal_year_bounds_with_other_year_ends(end_month, fiscal_year, bounds):
    assert fiscal_year_bounds(fiscal_year, end_month=end_month) == bounds


@pytest.mark.parametrize(
    ("end_month", "day", "fiscal_year"),
    [
        (12, D(2015, 1, 1), 2015),
        (12, D(2015, 12, 31), 2015),
        (12, D(2016, 1, 1), 2016),
        (6, D(2015, 6, 30), 2014),
        (6, D(2015, 7, 1), 2015),
        (6, D(2016, 6, 30), 2015),
    ],
)
def test_fiscal_year_of_a_day_with_other_year_ends(end_month, day, fiscal_year):
    assert fiscal_year_of(day, end_month=end_month) == fiscal_year


@pytest.mark.parametrize(("fiscal_year", "last_day"), [(2015, D(2016, 2, 29)), (2016, D(2017, 2, 28))])
def test_a_february_year_end_is_the_last_day_of_february(fiscal_year, last_day):
    start, end = fiscal_year_bounds(fiscal_year, end_month=2)

    assert (start, end) == (D(fiscal_year, 3, 1), last_day)
    assert fiscal_year_of(D(2016, 2, 29), end_month=2) == 2015


@pytest.mark.parametrize("end_month", range(1, 13))
def test_fiscal_years_follow_each_other_without_gap_or_overlap(end_month):
    _, end_2015 = fiscal_year_bounds(2015, end_month=end_month)
    start_2016, _ = fiscal_year_bounds(2016, end_month=end_month)

    assert start_2016 - end_2015 == datetime.timedelta(days=1)


@pytest.mark.parametrize("end_month", range(1, 13))
def test_each_day_belongs_to_the_fiscal_year_whose_bounds_contain_it(end_month):
    start, end = fiscal_year_bounds(2015, end_month=end_month)

    assert fiscal_year_of(start, end_month=end_month) == 2015
    assert fiscal_year_of(end, end_month=end_month) == 2015
    assert fiscal_year_of(start - datetime.timedelta(days=1), end_month=end_month) == 2014
    assert fiscal_year_of(end + datetime.timedelta(days=1), end_month=end_month) == 2016
