{#-
    dbt.safe_cast() on DuckDB. dbt-duckdb 1.11 has no implementation of its own, so dbt
    falls back to a plain cast, which stops the query on the first bad value instead of
    returning null. DuckDB's try_cast does what safe_cast promises. dbt looks for
    adapter-specific versions of its macros in the root project first, so this one is
    used wherever dbt.safe_cast() is called on a DuckDB target.
-#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#-
    dbt.safe_cast() on PostgreSQL, which has no try_cast: dbt-postgres's fallback is a
    plain cast, and `cast('' as integer)` stops the query (a malformed reporting year,
    which the valid_reporting_year test exists to report, would fail the test's query
    instead of failing the test). For the whole-number types the project casts to, the
    cast runs only when the text is a whole number short enough for the type; anything
    else is null, as try_cast gives on DuckDB. Other types keep dbt's plain cast: dbt's
    unit-test fixtures call safe_cast for every column, with values that always convert.
-#}
{% macro postgres__safe_cast(field, type) -%}
    {%- set digits = {
        'smallint': 4, 'int2': 4,
        'integer': 9, 'int': 9, 'int4': 9,
        'bigint': 18, 'int8': 18,
    } -%}
    {%- set most = digits.get(type | lower | trim) -%}
    {%- if most is none -%}
        cast({{ field }} as {{ type }})
    {%- else -%}
        (case
            when cast({{ field }} as text) ~ '^\s*[+-]?[0-9]{1,{{ most }}}\s*$'
                then cast({{ field }} as {{ type }})
        end)
    {%- endif -%}
{%- endmacro %}
