"""Stand-ins for dbt's cross-database macros, for SQLFluff's jinja templater only.

SQLFluff lints the models without running dbt (the jinja templater is fast and needs no
warehouse connection), so names dbt provides at run time must be given some rendering
here. Each returns what dbt-duckdb renders, in lower case. dbt never imports this file.
"""


def type_string():
    return "varchar"


def type_int():
    return "integer"


def type_bigint():
    return "bigint"


def type_boolean():
    return "boolean"


def type_numeric():
    return "numeric(28, 6)"


def type_timestamp():
    return "timestamp"


def cast(field, type):  # noqa: A002 - dbt's own argument name
    return f"cast({field} as {type})"


def safe_cast(field, type):  # noqa: A002 - dbt's own argument name
    return f"try_cast({field} as {type})"


def concat(fields):
    return f"concat({', '.join(fields)})"


def length(expression):
    return f"length({expression})"


def split_part(string_text, delimiter_text, part_number):
    return f"string_split({string_text}, {delimiter_text})[{part_number}]"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def string_literal(value):
    return f"'{value}'"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"
