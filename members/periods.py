"""A member's periods of work, in SQL: the one definition that the member's page
(members.selectors.member_periods) and the membership rollup (reports.rollup) read."""


def work_periods_sql(
    members: str, placements: str, *, columns: str = "", placed: str = "true", unplaced: str = "true"
) -> str:
    """The periods the people of ``members`` worked.

    A person with placements in ``placements`` has one period per placement, within their
    membership: from the later of the placement's start and their joining, to the earlier of
    its end and their leaving. A person with none has one period at their own center (NULL:
    none) from joining to leaving.

    Columns: member_id, business_center_id, s, e, starts_membership (the period begins the
    membership: a join, not a move in), ends_membership (it ends it: a leave, not a move out),
    then ``columns``, expressions over the member ``m`` (aliased in the first branch).
    ``members`` and ``placements`` are relations with the columns of members_workermember and
    members_placement (tables, transition tables, CTEs). ``placed`` and ``unplaced`` narrow
    each kind of period. A period whose start is after its end (a placement after leaving) is
    not one: callers keep ``e IS NULL OR s <= e``."""
    extra = f",\n               {columns}" if columns else ""
    return f"""
        SELECT m.id AS member_id, p.business_center_id,
               greatest(p.started_on, m.joined_on) AS s,
               CASE WHEN m.left_on IS NULL THEN p.ended_on
                    WHEN p.ended_on IS NULL THEN m.left_on
                    ELSE least(p.ended_on, m.left_on) END AS e,
               p.started_on <= m.joined_on AS starts_membership,
               m.left_on IS NOT NULL AND (p.ended_on IS NULL OR m.left_on <= p.ended_on) AS ends_membership{extra}
        FROM {placements} p JOIN {members} m ON m.id = p.member_id
        WHERE {placed}
        UNION ALL
        SELECT m.id, m.business_center_id, m.joined_on, m.left_on, true, m.left_on IS NOT NULL{extra}
        FROM {members} m
        WHERE {unplaced} AND NOT EXISTS (SELECT 1 FROM {placements} p WHERE p.member_id = m.id)"""
