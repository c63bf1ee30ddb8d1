"""Media types of the export endpoints, for content negotiation and the schema.

The exports stream their bodies themselves; these renderers only render errors
(as JSON), should one happen before streaming starts.
"""

from rest_framework.renderers import JSONRenderer


class NdjsonRenderer(JSONRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"


class CsvRenderer(JSONRenderer):
    media_type = "text/csv"
    format = "csv"
