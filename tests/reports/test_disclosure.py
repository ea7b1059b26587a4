from reports.disclosure import Cell, control


def recoverable(controlled, table):
    """Every hidden cell that a reader could compute from the published totals and cells."""
    found = set()
    for column, total in controlled.totals.items():
        if total.suppressed:
            continue
        hidden = [row for row in table if controlled.cells[row][column].suppressed]
        if len(hidden) == 1:
            found.add((hidden[0], column))
    return found


def test_counts_from_one_to_four_are_hidden_and_zero_and_five_are_shown():
    controlled = control({"a": {"x": 0, "y": 1, "z": 4, "w": 5}}, additive_rows=False)
    assert controlled.cells["a"] == {"x": Cell(0), "y": Cell(None, True), "z": Cell(None, True), "w": Cell(5)}
    assert str(controlled.cells["a"]["y"]) == "<5"
    assert controlled.totals == {}


def test_a_lone_hidden_cell_gets_a_complementary_one_in_its_column():
    table = {"a": {"x": 3}, "b": {"x": 40}, "c": {"x": 12}}
    controlled = control(table, additive_rows=True)
    assert controlled.cells["a"]["x"].suppressed
    # b is not the smallest published cell: c (12) is hidden with a, so 52 - 40 gives only a + c.
    assert controlled.cells["c"]["x"].suppressed
    assert not controlled.cells["b"]["x"].suppressed
    assert controlled.totals["x"] == Cell(55)
    assert not recoverable(controlled, table)


def test_when_no_other_cell_can_hide_it_the_total_is_hidden():
    table = {"a": {"x": 2}, "b": {"x": 0}, "c": {"x": 6}}
    controlled = control(table, additive_rows=True)
    assert controlled.cells["c"]["x"].suppressed
    table = {"a": {"x": 2}, "b": {"x": 0}}
    controlled = control(table, additive_rows=True)
    assert controlled.totals["x"].suppressed


def test_two_hidden_cells_in_a_column_need_nothing_more():
    table = {"a": {"x": 1}, "b": {"x": 2}, "c": {"x": 30}}
    controlled = control(table, additive_rows=True)
    assert [row for row in table if controlled.cells[row]["x"].suppressed] == ["a", "b"]
    assert controlled.totals["x"] == Cell(33)


def test_rows_that_do_not_partition_people_publish_no_totals():
    controlled = control({"a": {"x": 3}, "b": {"x": 9}}, additive_rows=False)
    assert not controlled.cells["b"]["x"].suppressed
    assert controlled.totals == {}
