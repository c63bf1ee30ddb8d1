"""Snippets of SQL that write values the way Casefile shows them, for the records and
exports that PostgreSQL builds itself (the API's case records, the CSV)."""


def partial_date(column: str) -> str:
    """A partial date as precise as it is known: YYYY, YYYY-MM or YYYY-MM-DD (or NULL)."""
    return (
        f"CASE {column}_precision WHEN 'year' THEN to_char({column}, 'YYYY') "
        f"WHEN 'month' THEN to_char({column}, 'YYYY-MM') "
        f"WHEN 'day' THEN to_char({column}, 'YYYY-MM-DD') END"
    )


def timestamp(column: str) -> str:
    """As the API writes times (REST_FRAMEWORK DATETIME_FORMAT): UTC, microseconds, Z."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
