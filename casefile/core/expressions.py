from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Value


class CjkGrams(models.Func):
    """casefile_cjk_grams(): every Chinese character and character pair of some text columns.

    Takes one or more text columns and, last, optionally one text-array column.
    """

    function = "casefile_cjk_grams"
    template = "%(function)s(ARRAY[%(expressions)s]::text[])"
    output_field = ArrayField(models.TextField())


class CjkGramsWithArray(CjkGrams):
    """As CjkGrams, with the last expression an array of text (e.g. aliases)."""

    arg_joiner = ", "

    def as_sql(self, compiler, connection, **extra_context):
        *columns, array = self.source_expressions
        column_sql, params = [], []
        for expression in columns:
            sql, p = compiler.compile(expression)
            column_sql.append(sql)
            params.extend(p)
        array_sql, array_params = compiler.compile(array)
        sql = f"{self.function}(ARRAY[{', '.join(column_sql)}]::text[] || {array_sql}::text[])"
        return sql, [*params, *array_params]


class ArrayToString(models.Func):
    """array_to_string(array, separator): the items of a text array as one text."""

    function = "array_to_string"
    output_field = models.TextField()


class KeyList(models.Func):
    """Space-separated keys as an array (string_to_array(name_keys, ' ')): a GIN index on
    it finds rows holding any of many exact keys at once (a name's near misses)."""

    function = "string_to_array"
    output_field = ArrayField(models.TextField())

    def __init__(self, expression="name_keys", **extra):
        super().__init__(F(expression), Value(" "), **extra)
