"""History kept by the database: every insert, update and delete of a tracked model is
copied into a `<Model>Change` table by a statement-level trigger (django-pghistory).

Because triggers write the history, bulk `update()`, `bulk_create()`, the importer's
set-based writes and raw SQL are recorded as well as form saves. Who made a change
comes from the pghistory context: the request middleware sets the signed-in user, and
services and commands add the action (e.g. "publish", "import") to it.
"""

import pghistory
from django.db import models

# One history row per changed row, written by one trigger per statement: a 100,000-row
# import costs one INSERT … SELECT into the history table, not 100,000 trigger calls.
HISTORY_LEVEL = pghistory.Statement


def track_history(*, exclude: tuple[str, ...] = (), indexed: tuple[str, ...] = ()):
    """Decorate a model so that every version of its rows is kept in `<Model>Change`.

    `exclude` names derived columns (search vectors, generated columns, trigger-kept
    caches): they can be recomputed from the rest and would only bloat the history.
    `indexed` names copied foreign keys that history is looked up by (a part's `case`).
    Reach a row's history as `instance.changes`.
    """

    def decorate(model):
        model_name = f"{model.__name__}Change"
        indexes = [
            models.Index(fields=[name], name=f"{model_name.lower()}_{name}") for name in indexed
        ]
        return pghistory.track(
            # PostgreSQL fires a table's AFTER triggers in the order of their names;
            # "audit_" sorts first, so a part's history row is written before the trigger
            # that touches its case, and history rows sort in the order of the writes.
            pghistory.InsertEvent(trigger_name="audit_insert"),
            pghistory.UpdateEvent(trigger_name="audit_update"),
            pghistory.DeleteEvent(trigger_name="audit_delete"),
            exclude=list(exclude),
            model_name=model_name,
            meta={"indexes": indexes},
            obj_field=pghistory.ObjForeignKey(related_name="changes", db_index=True),
            level=HISTORY_LEVEL,
        )(model)

    return decorate
