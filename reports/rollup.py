"""The membership rollup (reports.models.MemberRollup), kept in step by PostgreSQL itself, by deltas.

Every statement that writes worker members, their periods at centers (Placement) or their
inclusion records has a statement-level trigger with its transition tables (OLD TABLE old_rows,
NEW TABLE new_rows), which computes the contributions of the people the statement concerns as
they were before it (sign -1) and as they are after it (sign +1), sums them by rollup row (kind,
day, cell) and logs the nonzero sums in ``reports_rollup_pending``. Before the statement means:
the changed table's old rows, and the other two tables as they are (a statement changes one
table). A member row's change concerns all its placements and inclusion records; a placement's
concerns all the periods of its person (whose placements, before, are the present ones but those
the statement wrote, plus its old rows); an inclusion record's concerns only the categories it
counts. An edit that changes no counted field logs nothing. The same path serves one edit in the
admin, an import's ``INSERT … ON CONFLICT`` of 5,000 rows and a COPY of a million.

The logged deltas are applied when the transaction commits (a deferred constraint trigger on the
societies marked in ``reports_rollup_dirty``), or earlier when a read in the transaction asks
(``ensure_current()``): the day rows get their summed deltas (upserted on member_rollup_row_key),
each month-end row from a delta's month to the horizon the running sum of its cell's deltas up to
it (one upsert over the months, from the deltas summed by cell and month), and rows left all zero
are deleted, so that the table always holds what a recomputation writes: no row all zero, a
month-end row wherever a cell's running total up to the horizon is not. Applying once per
transaction, not once per statement, writes each month-end row of an import once, not once per
chunk, and keeps the rollup's rows (and the society's advisory lock) held only during the commit.

Concurrency: the deltas of concurrent transactions commute, and the deltas of one society are
applied under its advisory lock, one transaction after the other (the same rows in the same order:
no deadlock, no lost update; ON CONFLICT and the UPDATE's row locks). The triggers on placements
and inclusion records lock the rows of the people concerned (FOR NO KEY UPDATE, as an update of
them does), so a statement on a person's placements and one on the person, in two transactions,
run one after the other and each computes its deltas from what the other left. That needs READ
COMMITTED (Django's default, and this project's): each statement of a trigger reads what has
committed by then. Under REPEATABLE READ a trigger reads its transaction's snapshot, and a change
of a person's placements committed after it would not be seen (``rebuild()`` repairs that).

``reports_rollup_refresh(centers, societies)`` recomputes cells wholesale: ``rebuild()`` (``python
manage.py rebuild_rollup``) is the repair path, the reference the tests compare the deltas with,
and what moves the horizon on. Both use the same definitions (``_periods``, ``_events``):

A person counts, on a day, at the center of the period (Placement) they worked there; people
never moved have one period, at their center, from joining to leaving. Per period: active from
its start to its end; elderly from the later of its start and the 60th birthday; youth until the
earlier of its end and the 35th birthday; a join where it starts the membership, else a move in;
a leave where it ends the membership, else a move out. Inclusion categories count while held
within the period. Ages follow PostgreSQL's date arithmetic: a person born on 29 February turns
N on 28 February of a year that is not a leap year.

Month-end rows run to a horizon (``reports_rollup_horizon``, two years past the first build);
a figure after the horizon adds the day rows from there, so it stays right, only slower, until
``python manage.py rebuild_rollup`` moves the horizon on.
"""

import datetime
import functools
import operator

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Least

from members.periods import work_periods_sql

ADVISORY_LOCK_CLASS = 7301  # pg_advisory_xact_lock(class, society id)

_ENGAGED = "((m.contract_type <> '' OR coalesce(m.weekly_hours, 0) > 0) AND m.relationship <> 'volunteer')"

_CELL = "society_id, business_center_id, category_id, relationship, engaged, leave_reason"
_MEASURES = ("active", "elderly", "youth", "joins", "leaves", "moves_in", "moves_out")
_COLUMNS = f'kind, "on", {_CELL}, {", ".join(_MEASURES)}'
_SUMS = ", ".join(f"sum({m})" for m in _MEASURES)
_ANY_NONZERO = " OR ".join(f"sum({m}) <> 0" for m in _MEASURES)
_SUMS_AS = ", ".join(f"sum({m}) AS {m}" for m in _MEASURES)
_RUNNING_SUMS = ", ".join(f"sum({m}) OVER cell_months AS {m}" for m in _MEASURES)
_RUNNING_NONZERO = " OR ".join(f"{m} <> 0" for m in _MEASURES)

_MEASURE_LIST = ", ".join(_MEASURES)
_KEY = f'kind, "on", {_CELL}'  # a rollup row's key (member_rollup_row_key)
_SIGNED_SUMS = ", ".join(f"sum(sign * {m})" for m in _MEASURES)
_SIGNED_NONZERO = " OR ".join(f"sum(sign * {m}) <> 0" for m in _MEASURES)
_ADDED = ", ".join(f"{m} = r.{m} + excluded.{m}" for m in _MEASURES)
_RETURNED_ALL_ZERO = " AND ".join(f"{m} = 0" for m in _MEASURES)


def _periods(members: str, placements: str, *, sign: str = "1", placed: str = "true", unplaced: str = "true") -> str:
    """The periods people worked at centers (members.periods.work_periods_sql), with what the
    rollup counts of each: the person's society, relationship, engagement, reason for leaving
    and birth date, and ``sign`` (1 or -1), carried to every row the period counts."""
    columns = f"m.society_id, m.relationship, {_ENGAGED} AS engaged, m.leave_reason, m.birth_date, {sign} AS sign"
    return work_periods_sql(members, placements, columns=columns, placed=placed, unplaced=unplaced)


def _events(inclusions: str, *, inclusion_sign: str = "1", people: bool = True) -> str:
    """The CTEs ``valid`` and ``event`` over a CTE ``period`` (``_periods``): each period's changes
    on each day, of the people themselves (unless not ``people``) and of the inclusion categories
    they held within it (from ``inclusions``, a relation with the columns of
    members_memberinclusion; each record's rows signed by ``inclusion_sign`` too). The only
    definitions of what a period counts, for the recomputation and for the deltas alike. (Block
    comments only: django-pgtrigger may put a trigger's function on one line.)"""
    of_people = f"""
        SELECT v.society_id, v.business_center_id, NULL::bigint AS category_id, v.relationship, v.engaged,
               v.sign AS sign, x.*
        FROM valid v, LATERAL (VALUES
            (v.s, 'D', '', 1, 0, 0, v.starts_membership::int, 0, (NOT v.starts_membership)::int, 0),
            (v.e, 'D', '', -1, 0, 0, 0, v.ends_membership::int, 0, (NOT v.ends_membership)::int),
            (CASE WHEN v.e IS NULL OR v.elderly_from < v.e THEN v.elderly_from END, 'D', '', 0, 1, 0, 0, 0, 0, 0),
            (CASE WHEN v.elderly_from < v.e THEN v.e END, 'D', '', 0, -1, 0, 0, 0, 0, 0),
            (CASE WHEN v.s < v.youth_until THEN v.s END, 'D', '', 0, 0, 1, 0, 0, 0, 0),
            (CASE WHEN v.s < v.youth_until THEN v.youth_until END, 'D', '', 0, 0, -1, 0, 0, 0, 0),
            /* leaves by reason: day rows of their own (kind R), read over a period, never totalled by month */
            (CASE WHEN v.ends_membership THEN v.e END, 'R', v.leave_reason, 0, 0, 0, 0, 1, 0, 0)
        ) AS x("on", kind, leave_reason, {_MEASURE_LIST})
        WHERE x."on" IS NOT NULL"""
    # inclusion categories: held within the period (by people of any relationship; not by engagement)
    of_inclusions = f"""
        SELECT v.society_id, v.business_center_id, i.category_id, v.relationship, false AS engaged,
               v.sign * {inclusion_sign} AS sign, x.*
        FROM valid v
        JOIN {inclusions} i ON i.member_id = v.member_id
        CROSS JOIN LATERAL (SELECT greatest(v.s, i.since) AS held_from, least(v.e, i.ended_on) AS held_until) h
        CROSS JOIN LATERAL (VALUES (h.held_from, 'D', '', 1, 0, 0, 0, 0, 0, 0),
                                   (h.held_until, 'D', '', -1, 0, 0, 0, 0, 0, 0))
            AS x("on", kind, leave_reason, {_MEASURE_LIST})
        WHERE x."on" IS NOT NULL AND (h.held_until IS NULL OR h.held_from < h.held_until)"""
    return f"""valid AS (
        SELECT *, greatest(s, (birth_date + interval '60 years')::date) AS elderly_from,
                  least(e, (birth_date + interval '35 years')::date) AS youth_until
        FROM period WHERE e IS NULL OR s <= e
    ), event AS ({of_people + " UNION ALL " if people else ""}{of_inclusions}
    )"""


REFRESH = f"""
CREATE OR REPLACE FUNCTION reports_rollup_refresh(centers bigint[], societies bigint[]) RETURNS void
LANGUAGE plpgsql
-- The planner cannot know how many people a transaction has just written: its estimates run to
-- millions of rows, which would compile the statements (JIT, about 0.9 s) and size the sorts of
-- the month totals for disk. Neither pays for statements that handle some hundred thousand rows.
SET jit = off
SET work_mem = '128MB'
AS $$
DECLARE
    h date;
BEGIN
    SELECT horizon INTO h FROM reports_rollup_horizon;
    IF h IS NULL THEN
        h := (date_trunc('month', current_date + interval '2 years') + interval '1 month - 1 day')::date;
        INSERT INTO reports_rollup_horizon (horizon) VALUES (h);
    END IF;

    DELETE FROM reports_memberrollup
    WHERE business_center_id = ANY(centers) OR (business_center_id IS NULL AND society_id = ANY(societies));

    -- The changes on each day, from the periods people worked at these centers.
    INSERT INTO reports_memberrollup ({_COLUMNS})
    WITH period AS ({
    _periods(
        "members_workermember",
        "members_placement",
        placed="p.business_center_id = ANY(centers)",
        unplaced="(m.business_center_id = ANY(centers)"
        " OR (m.business_center_id IS NULL AND m.society_id = ANY(societies)))",
    )
}
    ), {_events("members_memberinclusion")}
    SELECT kind, "on", {_CELL}, {_SUMS}
    FROM event
    GROUP BY kind, "on", {_CELL}
    HAVING {_ANY_NONZERO}
    ORDER BY "on";  -- a day's rows side by side on disk: a figure on a day reads few pages

    -- Running totals at each month's end, from the cell's first month to the horizon: summed over
    -- the months that have changes (a sort of those alone), then carried over the months until
    -- the cell's next change.
    INSERT INTO reports_memberrollup ({_COLUMNS})
    WITH changes AS (
        SELECT {_CELL}, date_trunc('month', "on")::date AS month, {_SUMS_AS}
        FROM reports_memberrollup
        WHERE kind = 'D'
          AND (business_center_id = ANY(centers) OR (business_center_id IS NULL AND society_id = ANY(societies)))
        GROUP BY {_CELL}, date_trunc('month', "on")
    ), running AS (
        SELECT {_CELL}, month, {_RUNNING_SUMS},
               lead(month) OVER cell_months AS next_change
        FROM changes
        WINDOW cell_months AS (PARTITION BY {_CELL} ORDER BY month)
    )
    SELECT 'M', (g + interval '1 month - 1 day')::date, {_CELL}, {_MEASURE_LIST}
    FROM running,
         generate_series(month::timestamp, least(next_change - interval '1 month', date_trunc('month', h)),
                         interval '1 month') g
    WHERE {_RUNNING_NONZERO}
    ORDER BY g;
END $$;
"""

# Applying the deltas a transaction logged: at its commit (a deferred constraint trigger on the
# societies it marked), or earlier when a read in it asks (ensure_current). The day rows get the
# sums of the deltas of their day (ON CONFLICT on member_rollup_row_key), the month-end rows the
# running sums of the deltas up to their month end, for every month end from a delta's month to
# the horizon; rows left all zero are deleted, so the table holds exactly what a recomputation
# (reports_rollup_refresh) would write.
FLUSH = f"""
CREATE OR REPLACE FUNCTION reports_rollup_flush() RETURNS integer
LANGUAGE plpgsql
SET jit = off
SET work_mem = '128MB'
AS $$
DECLARE
    societies bigint[];
    society bigint;
    h date;
    emptied bigint[];
BEGIN
    IF txid_current_if_assigned() IS NULL OR NOT EXISTS (SELECT 1 FROM reports_rollup_dirty) THEN
        RETURN 0;
    END IF;
    WITH taken AS (DELETE FROM reports_rollup_dirty RETURNING society_id)
    SELECT coalesce(array_agg(DISTINCT society_id ORDER BY society_id), '{{}}') INTO societies FROM taken;
    -- Concurrent transactions apply the deltas of one society one after the other: the same rows
    -- in the same order, never a deadlock.
    FOREACH society IN ARRAY societies LOOP
        PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_CLASS}, society::integer);
    END LOOP;
    SELECT horizon INTO h FROM reports_rollup_horizon;
    IF h IS NULL THEN
        h := (date_trunc('month', current_date + interval '2 years') + interval '1 month - 1 day')::date;
        INSERT INTO reports_rollup_horizon (horizon) VALUES (h);
    END IF;

    -- The day rows (changes, kind D; leaves by reason, kind R).
    WITH delta AS (
        SELECT {_KEY}, {_SUMS_AS}
        FROM reports_rollup_pending
        GROUP BY {_KEY}
        HAVING {_ANY_NONZERO}
    ), applied AS (
        INSERT INTO reports_memberrollup AS r ({_COLUMNS})
        SELECT {_COLUMNS} FROM delta ORDER BY "on", {_CELL}
        ON CONFLICT ({_KEY}) DO UPDATE SET {_ADDED}
        RETURNING r.id, {", ".join(f"r.{m}" for m in _MEASURES)}
    )
    SELECT array_agg(id) INTO emptied FROM applied WHERE {_RETURNED_ALL_ZERO};
    IF emptied IS NOT NULL THEN
        DELETE FROM reports_memberrollup WHERE id = ANY(emptied);
    END IF;

    -- The month-end rows: each cell's deltas summed by month, run over its months, and carried to
    -- the month before its next month with deltas (the last: to the horizon).
    WITH changes AS (
        SELECT {_CELL}, date_trunc('month', "on")::date AS month, {_SUMS_AS}
        FROM reports_rollup_pending
        WHERE kind = 'D'
        GROUP BY {_CELL}, date_trunc('month', "on")
    ), running AS (
        SELECT {_CELL}, month, {_RUNNING_SUMS},
               lead(month) OVER cell_months AS next_change
        FROM changes
        WINDOW cell_months AS (PARTITION BY {_CELL} ORDER BY month)
    ), applied AS (
        INSERT INTO reports_memberrollup AS r ({_COLUMNS})
        SELECT 'M', (g + interval '1 month - 1 day')::date, {_CELL}, {_MEASURE_LIST}
        FROM running,
             generate_series(month::timestamp, least(next_change - interval '1 month', date_trunc('month', h)),
                             interval '1 month') g
        WHERE {_RUNNING_NONZERO}
        ORDER BY g, {_CELL}
        ON CONFLICT ({_KEY}) DO UPDATE SET {_ADDED}
        RETURNING r.id, {", ".join(f"r.{m}" for m in _MEASURES)}
    )
    SELECT array_agg(id) INTO emptied FROM applied WHERE {_RETURNED_ALL_ZERO};
    IF emptied IS NOT NULL THEN
        DELETE FROM reports_memberrollup WHERE id = ANY(emptied);
    END IF;

    DELETE FROM reports_rollup_pending;
    RETURN cardinality(societies);
END $$;

CREATE OR REPLACE FUNCTION reports_rollup_flush_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rollup_flush();
    RETURN NULL;
END $$;
"""

# The fields of a person that count: an update that changes none of them logs nothing.
_COUNTED = (
    "society_id",
    "business_center_id",
    "relationship",
    "contract_type",
    "weekly_hours",
    "leave_reason",
    "joined_on",
    "left_on",
    "birth_date",
)
_COUNTED_CHANGED = (
    f"({', '.join('n.' + c for c in _COUNTED)}) IS DISTINCT FROM ({', '.join('o.' + c for c in _COUNTED)})"
)


def _log(ctes: str, period: str, events: str) -> str:
    """The deltas of one statement: the contributions of the periods (``period``, signed -1 for
    before the statement and 1 for after it) and of their ``events``, summed by row of the rollup;
    logged in reports_rollup_pending, and their societies marked in reports_rollup_dirty (which
    applies them at commit). ``ctes`` precede the CTE ``period``."""
    return f"""
    WITH {ctes}
    period AS ({period}
    ), {events}, logged AS (
        INSERT INTO reports_rollup_pending ({_COLUMNS})
        SELECT kind, "on", {_CELL}, {_SIGNED_SUMS}
        FROM event
        GROUP BY kind, "on", {_CELL}
        HAVING {_SIGNED_NONZERO}
        RETURNING society_id
    )
    INSERT INTO reports_rollup_dirty (society_id)
    SELECT DISTINCT society_id FROM logged
    ON CONFLICT DO NOTHING;
    RETURN NULL;"""


def _none_of(table: str) -> str:
    """A relation with the columns of ``table`` and no rows (a transition table the operation has not)."""
    return f"(SELECT * FROM {table} WHERE false)"


def _lock_members(ids: str) -> str:
    """Lock the people a placement or inclusion statement concerns, so that a concurrent change of
    their own rows (or of their other records) waits, then reads this one's, and the reverse: each
    statement's before and after are what the other left."""
    return f"PERFORM 1 FROM members_workermember WHERE id IN ({ids}) ORDER BY id FOR NO KEY UPDATE;\n"


def member_trigger_sql(operation: str) -> str:
    """The body of the statement trigger on members_workermember for ``operation`` (INSERT,
    UPDATE, DELETE): the people's contributions from their rows before (old_rows) and after
    (new_rows), with their placements and inclusion records as they are (the statement changed
    neither)."""
    inclusions = _events("members_memberinclusion")
    if operation == "INSERT":
        return _log("", _periods("new_rows", "members_placement"), inclusions)
    if operation == "DELETE":
        return _log("", _periods("old_rows", "members_placement", sign="-1"), inclusions)
    # an edit of a name counts nothing: only rows whose counted fields changed
    ctes = f"""changed AS (
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_COUNTED_CHANGED}
    ), before AS (
        SELECT o.* FROM old_rows o JOIN changed c ON c.id = o.id
    ), after AS (
        SELECT n.* FROM new_rows n JOIN changed c ON c.id = n.id
    ),"""
    period = (
        _periods("before", "members_placement", sign="-1")
        + "\n        UNION ALL"
        + _periods("after", "members_placement")
    )
    nothing_counted = f"""
    IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {_COUNTED_CHANGED}) THEN
        RETURN NULL;
    END IF;"""
    return nothing_counted + _log(ctes, period, inclusions)


def _transition(operation: str, table: str) -> tuple[str, str]:
    old = "old_rows" if operation in ("UPDATE", "DELETE") else _none_of(table)
    new = "new_rows" if operation in ("INSERT", "UPDATE") else _none_of(table)
    return old, new


def _concerned_people(old: str, new: str, *, placements: str) -> tuple[str, str]:
    """The people a statement on one of their related tables concerns (the member_id of its old
    and new rows), and the CTEs ``concerned``, ``people`` (their rows) and ``placements`` (named
    so: their placements as they are now), each followed by a comma."""
    concerned = f"SELECT member_id FROM {old} x UNION SELECT member_id FROM {new} y"
    ctes = f"""concerned AS ({concerned}
    ), people AS (
        SELECT m.* FROM members_workermember m JOIN concerned c ON c.member_id = m.id
    ), {placements} AS (
        SELECT p.* FROM members_placement p JOIN concerned c ON c.member_id = p.member_id
    ), """
    return concerned, ctes


def placement_trigger_sql(operation: str) -> str:
    """The body of the statement trigger on members_placement: the contributions of the people
    whose placements changed, with their placements before (the present ones but those the
    statement wrote, and the old rows) and after (the present ones)."""
    old, new = _transition(operation, "members_placement")
    concerned, ctes = _concerned_people(old, new, placements="after")
    ctes += f"""before AS (
        SELECT a.* FROM after a WHERE NOT EXISTS (SELECT 1 FROM {new} n WHERE n.id = a.id)
        UNION ALL
        SELECT * FROM {old} o
    ),"""
    period = _periods("people", "before", sign="-1") + "\n        UNION ALL" + _periods("people", "after")
    return _lock_members(concerned) + _log(ctes, period, _events("members_memberinclusion"))


def inclusion_trigger_sql(operation: str) -> str:
    """The body of the statement trigger on members_memberinclusion: the categories held by the
    people concerned, from their records before (old rows) and after (new rows), within their
    periods as they are; their own rows count the same before and after."""
    old, new = _transition(operation, "members_memberinclusion")
    concerned, ctes = _concerned_people(old, new, placements="placements")
    ctes += f"""records AS (
        SELECT member_id, category_id, since, ended_on, -1 AS sign FROM {old} o
        UNION ALL
        SELECT member_id, category_id, since, ended_on, 1 FROM {new} n
    ),"""
    return _lock_members(concerned) + _log(
        ctes, _periods("people", "placements"), _events("records", inclusion_sign="i.sign", people=False)
    )


TRIGGERED = {
    "members_workermember": member_trigger_sql,
    "members_placement": placement_trigger_sql,
    "members_memberinclusion": inclusion_trigger_sql,
}

# The functions of the statement triggers of migrations 0003-0006, which marked cells to recompute
# at commit; the triggers of the same names are replaced by the delta triggers.
DROP_RECOMPUTING_FUNCTIONS = """
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_memberinclusion;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_memberinclusion;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_memberinclusion;
DROP FUNCTION IF EXISTS reports_rollup_members_changed();
DROP FUNCTION IF EXISTS reports_rollup_related_changed();
DROP FUNCTION IF EXISTS reports_rollup_mark_members(bigint[]);
"""


def _statement_triggers(table: str) -> str:
    """The three statement triggers on ``table`` (each its own function: a trigger with transition
    tables has one event, and only its own function sees them)."""
    body = TRIGGERED[table]
    return "\n".join(
        f"""
CREATE OR REPLACE FUNCTION reports_rollup_{table}_{op.lower()}() RETURNS trigger
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
{body(op)}
END $$;
DROP TRIGGER IF EXISTS reports_rollup_{op.lower()} ON {table};
CREATE TRIGGER reports_rollup_{op.lower()} AFTER {op} ON {table} REFERENCING {tables}
    FOR EACH STATEMENT EXECUTE FUNCTION reports_rollup_{table}_{op.lower()}();"""
        for op, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    )


INSTALL = "\n".join(
    [
        """
CREATE TABLE IF NOT EXISTS reports_rollup_horizon (horizon date NOT NULL);
CREATE TABLE IF NOT EXISTS reports_rollup_dirty (
    txid bigint NOT NULL DEFAULT txid_current(),
    business_center_id bigint,
    society_id bigint NOT NULL,
    CONSTRAINT reports_rollup_dirty_once UNIQUE NULLS NOT DISTINCT (txid, business_center_id, society_id)
);
-- The deltas a transaction has logged and not yet applied (empty once it has committed): never
-- kept past a commit, so not written to the WAL either.
CREATE UNLOGGED TABLE IF NOT EXISTS reports_rollup_pending (
    kind varchar(1) NOT NULL,
    "on" date NOT NULL,
    society_id bigint NOT NULL,
    business_center_id bigint,
    category_id bigint,
    relationship varchar(16) NOT NULL,
    engaged boolean NOT NULL,
    leave_reason varchar(16) NOT NULL,
    """
        + ",\n    ".join(f"{m} integer NOT NULL" for m in _MEASURES)
        + """
);
""",
        REFRESH,
        FLUSH,
        """
DROP TRIGGER IF EXISTS reports_rollup_flush ON reports_rollup_dirty;
CREATE CONSTRAINT TRIGGER reports_rollup_flush AFTER INSERT ON reports_rollup_dirty
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_rollup_flush_at_commit();
""",
        DROP_RECOMPUTING_FUNCTIONS,
        *(_statement_triggers(table) for table in TRIGGERED),
    ]
)

UNINSTALL = (
    DROP_RECOMPUTING_FUNCTIONS
    + "".join(
        f"DROP FUNCTION IF EXISTS reports_rollup_{table}_{op}();\n"
        for table in TRIGGERED
        for op in ("insert", "update", "delete")
    )
    + """
DROP TABLE IF EXISTS reports_rollup_dirty;
DROP TABLE IF EXISTS reports_rollup_pending;
DROP TABLE IF EXISTS reports_rollup_horizon;
DROP FUNCTION IF EXISTS reports_rollup_flush_at_commit();
DROP FUNCTION IF EXISTS reports_rollup_flush();
DROP FUNCTION IF EXISTS reports_rollup_refresh(bigint[], bigint[]);
"""
)

# Deltas this transaction has logged are part of what the recomputation reads: dropped, not applied.
REBUILD = f"""
SELECT pg_advisory_xact_lock({ADVISORY_LOCK_CLASS}, id::integer)
FROM (SELECT id FROM members_membersociety ORDER BY id) s;
DELETE FROM reports_rollup_pending;
DELETE FROM reports_rollup_dirty;
DELETE FROM reports_rollup_horizon;
INSERT INTO reports_rollup_horizon (horizon)
    VALUES ((date_trunc('month', current_date + interval '2 years') + interval '1 month - 1 day')::date);
DELETE FROM reports_memberrollup;
SELECT reports_rollup_refresh(
    ARRAY(SELECT id FROM businesses_businesscenter),
    ARRAY(SELECT id FROM members_membersociety)
);
"""


def ensure_current(using: str = "default") -> None:
    """Bring the rollup up to date with what this transaction has written, before reading it.
    Outside a transaction there is nothing pending (every commit has brought the rollup up to
    date), nor where this connection has sent nothing but reads since it last did this."""
    connection = connections[using]
    if connection.in_atomic_block and getattr(connection, "rollup_pending", True):
        with connection.cursor() as cursor:
            cursor.execute("SELECT reports_rollup_flush()")
        connection.rollup_pending = False


def _note_writes(execute, sql, params, many, context):
    """An execute wrapper on every connection: any statement but a SELECT may leave the rollup
    to bring up to date. (Code that writes people through the driver's own cursor, such as COPY,
    also sends ordinary statements through Django afterwards, or sets ``rollup_pending``.)"""
    if not sql.lstrip()[:6].upper().startswith("SELECT"):
        context["connection"].rollup_pending = True
    return execute(sql, params, many, context)


def watch_connection(sender, connection, **kwargs) -> None:
    """connection_created receiver: install ``_note_writes``."""
    connection.rollup_pending = True
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


def rebuild(using: str = "default") -> None:
    """Recompute the whole rollup and move the horizon to two years from today."""
    with connections[using].cursor() as cursor:
        cursor.execute(REBUILD)


def horizon_sql() -> str:
    return "(SELECT horizon FROM reports_rollup_horizon LIMIT 1)"


def last_month_end(day: datetime.date) -> datetime.date:
    """The last day of a month on or before ``day``."""
    following = day + datetime.timedelta(days=1)
    if following.day == 1:
        return day
    return day.replace(day=1) - datetime.timedelta(days=1)


def at(day: datetime.date, prefix: str = "") -> Q:
    """The rollup rows whose sum is the figure on ``day``: the month-end totals of the last month
    end on or before it (or the horizon, if that is earlier) and the changes of the days after."""

    month = Least(RawSQL("%s::date", [last_month_end(day)]), RawSQL(horizon_sql(), []))
    return Q(**{f"{prefix}kind": "M", f"{prefix}on": month}) | Q(
        **{f"{prefix}kind": "D", f"{prefix}on__gt": month, f"{prefix}on__lte": day}
    )


def at_any(days, prefix: str = "") -> Q:
    """The rollup rows needed for the figures on any of ``days``."""
    return functools.reduce(operator.or_, (at(day, prefix) for day in sorted(set(days))))


def horizon(using: str = "default") -> datetime.date | None:
    """The last month end with month totals."""
    with connections[using].cursor() as cursor:
        cursor.execute(horizon_sql())
        row = cursor.fetchone()
    return row[0] if row else None
