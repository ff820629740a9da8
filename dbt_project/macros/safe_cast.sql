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
