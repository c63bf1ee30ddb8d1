from pghistory.middleware import HistoryMiddleware


class HistoryContextMiddleware(HistoryMiddleware):
    """Record who made each change: every write request runs in a pghistory context that
    holds the signed-in user's id and the page's path (PGHISTORY_MIDDLEWARE_METHODS).

    The context is internal: reviewers see it in a case's history; the public change
    log never shows it, since editors may be at risk.
    """
