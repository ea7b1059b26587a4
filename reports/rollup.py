"""The membership rollup (reports.models.MemberRollup), kept in step by PostgreSQL itself.

Every statement that writes worker members, their periods at centers (Placement) or their
inclusion records marks the cells it touched (a business center, or a society's people without
one) in ``reports_rollup_dirty``; a deferred constraint trigger recomputes those cells when the
transaction commits, once per transaction whatever the number of rows (a 100,000-row import, a
COPY of a million, a single edit in the admin). Reads inside a transaction that has written call
``ensure_current()`` first, which does the same at once.

The cells of one society are recomputed under an advisory lock of the society, so concurrent
transactions never interleave their recomputations; each recomputation reads what has committed
by then.

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
    WITH period AS (
        SELECT m.id AS member_id, m.society_id, p.business_center_id, m.relationship, {_ENGAGED} AS engaged,
               m.leave_reason, m.birth_date,
               greatest(p.started_on, m.joined_on) AS s,
               CASE WHEN m.left_on IS NULL THEN p.ended_on
                    WHEN p.ended_on IS NULL THEN m.left_on
                    ELSE least(p.ended_on, m.left_on) END AS e,
               p.started_on <= m.joined_on AS starts_membership,
               m.left_on IS NOT NULL AND (p.ended_on IS NULL OR m.left_on <= p.ended_on) AS ends_membership
        FROM members_placement p JOIN members_workermember m ON m.id = p.member_id
        WHERE p.business_center_id = ANY(centers)
        UNION ALL
        SELECT m.id, m.society_id, m.business_center_id, m.relationship, {_ENGAGED}, m.leave_reason, m.birth_date,
               m.joined_on, m.left_on, true, m.left_on IS NOT NULL
        FROM members_workermember m
        WHERE (m.business_center_id = ANY(centers) OR (m.business_center_id IS NULL AND m.society_id = ANY(societies)))
          AND NOT EXISTS (SELECT 1 FROM members_placement p WHERE p.member_id = m.id)
    ), valid AS (
        SELECT *, greatest(s, (birth_date + interval '60 years')::date) AS elderly_from,
                  least(e, (birth_date + interval '35 years')::date) AS youth_until
        FROM period WHERE e IS NULL OR s <= e
    ), event AS (
        SELECT v.society_id, v.business_center_id, NULL::bigint AS category_id, v.relationship, v.engaged, x.*
        FROM valid v, LATERAL (VALUES
            (v.s, 'D', '', 1, 0, 0, v.starts_membership::int, 0, (NOT v.starts_membership)::int, 0),
            (v.e, 'D', '', -1, 0, 0, 0, v.ends_membership::int, 0, (NOT v.ends_membership)::int),
            (CASE WHEN v.e IS NULL OR v.elderly_from < v.e THEN v.elderly_from END, 'D', '', 0, 1, 0, 0, 0, 0, 0),
            (CASE WHEN v.elderly_from < v.e THEN v.e END, 'D', '', 0, -1, 0, 0, 0, 0, 0),
            (CASE WHEN v.s < v.youth_until THEN v.s END, 'D', '', 0, 0, 1, 0, 0, 0, 0),
            (CASE WHEN v.s < v.youth_until THEN v.youth_until END, 'D', '', 0, 0, -1, 0, 0, 0, 0),
            -- leaves by reason: day rows of their own (kind R), read over a period, never totalled by month
            (CASE WHEN v.ends_membership THEN v.e END, 'R', v.leave_reason, 0, 0, 0, 0, 1, 0, 0)
        ) AS x("on", kind, leave_reason, {", ".join(_MEASURES)})
        WHERE x."on" IS NOT NULL
        UNION ALL
        -- inclusion categories: held within the period (by people of any relationship; not by engagement)
        SELECT v.society_id, v.business_center_id, i.category_id, v.relationship, false, x.*
        FROM valid v
        JOIN members_memberinclusion i ON i.member_id = v.member_id
        CROSS JOIN LATERAL (SELECT greatest(v.s, i.since) AS held_from, least(v.e, i.ended_on) AS held_until) h
        CROSS JOIN LATERAL (VALUES (h.held_from, 'D', '', 1, 0, 0, 0, 0, 0, 0),
                                   (h.held_until, 'D', '', -1, 0, 0, 0, 0, 0, 0))
            AS x("on", kind, leave_reason, {", ".join(_MEASURES)})
        WHERE x."on" IS NOT NULL AND (h.held_until IS NULL OR h.held_from < h.held_until)
    )
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
    SELECT 'M', (g + interval '1 month - 1 day')::date, {_CELL}, {", ".join(_MEASURES)}
    FROM running,
         generate_series(month::timestamp, least(next_change - interval '1 month', date_trunc('month', h)),
                         interval '1 month') g
    WHERE {_RUNNING_NONZERO}
    ORDER BY g;
END $$;
"""

FLUSH = f"""
CREATE OR REPLACE FUNCTION reports_rollup_flush() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    centers bigint[];
    societies bigint[];
    locked bigint[];
    society bigint;
BEGIN
    IF txid_current_if_assigned() IS NULL OR NOT EXISTS (SELECT 1 FROM reports_rollup_dirty) THEN
        RETURN 0;
    END IF;
    WITH taken AS (DELETE FROM reports_rollup_dirty RETURNING business_center_id, society_id)
    SELECT coalesce(array_agg(DISTINCT business_center_id) FILTER (WHERE business_center_id IS NOT NULL), '{{}}'),
           coalesce(array_agg(DISTINCT society_id) FILTER (WHERE business_center_id IS NULL), '{{}}'),
           coalesce(array_agg(DISTINCT society_id ORDER BY society_id), '{{}}')
    INTO centers, societies, locked
    FROM taken;
    FOREACH society IN ARRAY locked LOOP
        PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_CLASS}, society::integer);
    END LOOP;
    PERFORM reports_rollup_refresh(centers, societies);
    RETURN cardinality(centers) + cardinality(societies);
END $$;

CREATE OR REPLACE FUNCTION reports_rollup_flush_at_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reports_rollup_flush();
    RETURN NULL;
END $$;
"""

# The cells a statement touched: the centers (and societies, for people without a center) of the
# rows before and after, and of the periods of the members concerned.
_MARK_MEMBERS = """
CREATE OR REPLACE FUNCTION reports_rollup_mark_members(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO reports_rollup_dirty (business_center_id, society_id)
    SELECT business_center_id, society_id FROM members_workermember WHERE id = ANY(ids)
    UNION
    SELECT p.business_center_id, m.society_id
    FROM members_placement p JOIN members_workermember m ON m.id = p.member_id
    WHERE p.member_id = ANY(ids)
    ON CONFLICT DO NOTHING
$$;
"""

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

TRIGGERS = (
    _MARK_MEMBERS
    + f"""
CREATE OR REPLACE FUNCTION reports_rollup_members_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO reports_rollup_dirty (business_center_id, society_id)
        SELECT business_center_id, society_id FROM new_rows
        UNION
        SELECT p.business_center_id, n.society_id FROM members_placement p JOIN new_rows n ON n.id = p.member_id
        ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO reports_rollup_dirty (business_center_id, society_id)
        SELECT DISTINCT business_center_id, society_id FROM old_rows
        ON CONFLICT DO NOTHING;
    ELSE
        -- Only rows whose counted fields changed (an edit of a name counts nothing): their cells
        -- before and after, and those of their periods.
        INSERT INTO reports_rollup_dirty (business_center_id, society_id)
        WITH changed AS (
            SELECT n.id, n.business_center_id AS new_center, n.society_id AS new_society,
                   o.business_center_id AS old_center, o.society_id AS old_society
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE {_COUNTED_CHANGED}
        )
        SELECT new_center, new_society FROM changed
        UNION
        SELECT old_center, old_society FROM changed
        UNION
        SELECT p.business_center_id, c.new_society FROM members_placement p JOIN changed c ON c.id = p.member_id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION reports_rollup_related_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Placements and inclusion records: the cells of their members, and a placement's own center
    -- before the change.
    IF TG_OP IN ('UPDATE', 'DELETE') AND TG_TABLE_NAME = 'members_placement' THEN
        INSERT INTO reports_rollup_dirty (business_center_id, society_id)
        SELECT DISTINCT o.business_center_id, m.society_id
        FROM old_rows o JOIN members_workermember m ON m.id = o.member_id
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM reports_rollup_mark_members(ARRAY(SELECT DISTINCT member_id FROM old_rows));
    ELSE
        PERFORM reports_rollup_mark_members(ARRAY(SELECT DISTINCT member_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;
"""
)


def _statement_triggers(table: str, function: str) -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS reports_rollup_{op.lower()} ON {table};\n"
        f"CREATE TRIGGER reports_rollup_{op.lower()} AFTER {op} ON {table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
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
""",
        REFRESH,
        FLUSH,
        TRIGGERS,
        """
DROP TRIGGER IF EXISTS reports_rollup_flush ON reports_rollup_dirty;
CREATE CONSTRAINT TRIGGER reports_rollup_flush AFTER INSERT ON reports_rollup_dirty
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_rollup_flush_at_commit();
""",
        _statement_triggers("members_workermember", "reports_rollup_members_changed"),
        _statement_triggers("members_placement", "reports_rollup_related_changed"),
        _statement_triggers("members_memberinclusion", "reports_rollup_related_changed"),
    ]
)

UNINSTALL = """
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_workermember;
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_placement;
DROP TRIGGER IF EXISTS reports_rollup_insert ON members_memberinclusion;
DROP TRIGGER IF EXISTS reports_rollup_update ON members_memberinclusion;
DROP TRIGGER IF EXISTS reports_rollup_delete ON members_memberinclusion;
DROP TABLE IF EXISTS reports_rollup_dirty;
DROP TABLE IF EXISTS reports_rollup_horizon;
DROP FUNCTION IF EXISTS reports_rollup_flush_at_commit();
DROP FUNCTION IF EXISTS reports_rollup_flush();
DROP FUNCTION IF EXISTS reports_rollup_refresh(bigint[], bigint[]);
DROP FUNCTION IF EXISTS reports_rollup_members_changed();
DROP FUNCTION IF EXISTS reports_rollup_related_changed();
DROP FUNCTION IF EXISTS reports_rollup_mark_members(bigint[]);
"""

REBUILD = """
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
    from django.db.models.expressions import RawSQL
    from django.db.models.functions import Least

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
