"""Statement-level triggers: derived columns stay right however rows are written.

A trigger fires once per statement and sees every row the statement touched
(through PostgreSQL transition tables), so a bulk insert of 100,000 rows costs
one UPDATE of the rows that depend on them, not 100,000.
"""

import pgtrigger

# PostgreSQL allows transition tables only on single-event triggers: one per event.
_EVENTS = {
    "ins": (pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), "SELECT * FROM new_rows"),
    "upd": (
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        "SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows",
    ),
    "del": (pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), "SELECT * FROM old_rows"),
}


def after_rows_change(
    name: str, sql: str, *, events=("ins", "upd", "del")
) -> list[pgtrigger.Trigger]:
    """Triggers that run `sql` after each statement that inserts, updates or deletes rows.

    In `sql`, `{changed_rows}` stands for a subquery of the rows the statement
    touched: new versions for inserts, old ones for deletes, both for updates.
    """
    triggers = []
    for event in events:
        operation, referencing, rows = _EVENTS[event]
        triggers.append(
            pgtrigger.Trigger(
                name=f"{name}_{event}",
                level=pgtrigger.Statement,
                when=pgtrigger.After,
                operation=operation,
                referencing=referencing,
                func=sql.format(changed_rows=f"({rows})") + "\nRETURN NULL;",
            )
        )
    return triggers


def after_rows_really_change(
    name: str, sql: str, *, columns: tuple[str, ...] | None = None
) -> list[pgtrigger.Trigger]:
    """As after_rows_change, for updates only, with `{changed_rows}` the new versions of
    rows whose values actually changed: any value, or with `columns` one of those."""
    if columns:
        old = ", ".join(f"old_rows.{column}" for column in columns)
        new = ", ".join(f"new_rows.{column}" for column in columns)
        differs = f"({new}) IS DISTINCT FROM ({old})"
    else:
        differs = "new_rows IS DISTINCT FROM old_rows"
    changed = (
        "(SELECT new_rows.* FROM new_rows JOIN old_rows ON old_rows.id = new_rows.id "
        f"WHERE {differs})"
    )
    return [
        pgtrigger.Trigger(
            name=f"{name}_upd",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Update,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
            func=sql.format(changed_rows=changed) + "\nRETURN NULL;",
        )
    ]
