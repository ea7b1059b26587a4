"""Disclosure control of published counts of people.

In anything that leaves the hands of staff with the sensitive-data permission, a count from 1 to
4 is not shown ("<5"), and where a suppressed cell could be worked out from a published total
(the total minus the other cells of its line), another cell of that line, or the total itself,
is suppressed too.
"""

from dataclasses import dataclass, field

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when suppressed
    suppressed: bool = False

    def __str__(self):
        return "<5" if self.suppressed else str(self.value)


class Totals(dict):
    """Per column, its total over additive rows; a column no row holds (a table without rows)
    totals 0, which hides nothing."""

    def __missing__(self, column):
        return Cell(0)


@dataclass
class ControlledTable:
    cells: dict[str, dict[str, Cell]]
    totals: dict[str, Cell] = field(default_factory=dict)  # per column, over additive rows


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def control(table: dict[str, dict[str, int]], *, additive_rows: bool) -> ControlledTable:
    """Disclosure-controlled copy of ``table`` (row key -> column key -> count).

    ``additive_rows``: the rows partition the population (each person counts in one row), so each
    column has a total over the rows, which is published. A lone suppressed cell of a column
    would then be recoverable by subtraction, so the smallest published non-zero cell of that
    column is suppressed as well; if there is none, the total is. Columns are never taken as
    additive: a person can belong to several categories.
    """
    hidden = {(row, column) for row, cells in table.items() for column, count in cells.items() if is_small(count)}
    columns = sorted({column for cells in table.values() for column in cells})
    totals = {column: sum(cells.get(column, 0) for cells in table.values()) for column in columns}
    hidden_totals = {column for column, total in totals.items() if is_small(total)}
    if additive_rows:
        for column in columns:
            suppressed_rows = [row for row in table if (row, column) in hidden]
            if len(suppressed_rows) != 1 or column in hidden_totals:
                continue
            published = sorted(
                (table[row][column], row)
                for row in table
                if (row, column) not in hidden and table[row].get(column, 0) > 0
            )
            if published:
                hidden.add((published[0][1], column))
            else:
                hidden_totals.add(column)
    return ControlledTable(
        cells={
            row: {
                column: Cell(None, True) if (row, column) in hidden else Cell(count) for column, count in cells.items()
            }
            for row, cells in table.items()
        },
        totals=Totals(
            {column: Cell(None, True) if column in hidden_totals else Cell(total) for column, total in totals.items()}
        )
        if additive_rows
        else {},
    )


def published_inclusion(result: dict, *, controlled: bool) -> dict:
    """The groups of reports.selectors.inclusion_by as published: per group its active members
    and, per category (elderly and youth first), the count and its share of the active members.

    ``controlled``: counts of people from 1 to 4 are suppressed (count and share null,
    ``suppressed`` true) with complementary suppression. A ``total`` over the groups is given
    only where the groups partition the people."""
    columns = ["elderly", "youth", *result["categories"]]
    groups = result["groups"]
    table = {index: {column: _count_of(group, column) for column in columns} for index, group in enumerate(groups)}
    if controlled:
        checked = control(table, additive_rows=result["partitions"])
        cells, totals = checked.cells, checked.totals
    else:
        cells = {row: {column: Cell(count) for column, count in counts.items()} for row, counts in table.items()}
        totals = (
            {column: Cell(sum(counts[column] for counts in table.values())) for column in columns}
            if result["partitions"]
            else {}
        )

    def published(active: int, row: dict[str, Cell]) -> list[dict]:
        return [
            {
                "category": column,
                "count": cell.value,
                "share": None if cell.suppressed or not active else round(cell.value / active, 4),
                "suppressed": cell.suppressed,
            }
            for column, cell in row.items()
        ]

    total_active = sum(group["active_members"] for group in groups)
    published_groups = {
        "groups": [
            {
                "key": group["key"],
                "label": group["label"],
                "active_members": group["active_members"],
                "categories": published(group["active_members"], cells[index]),
            }
            for index, group in enumerate(groups)
        ]
    }
    if not result["partitions"]:
        return published_groups
    return {
        **published_groups,
        "total": {"active_members": total_active, "categories": published(total_active, totals)},
    }


def _count_of(group: dict, column: str) -> int:
    return group[column] if column in ("elderly", "youth") else group["categories"][column]
