{#-
    Helpers for the reporting year, an NHS financial year written `YYYY-YY`
    (`2023-24` = 1 April 2023 to 31 March 2024; snapshot 31 March 2024; staff survey run
    in autumn 2023). Written with dbt's cross-database macros so that they render on
    DuckDB, PostgreSQL and Spark alike. Each takes SQL (usually a column name) and returns
    an SQL expression.
-#}

{#- 2023-24 -> 2023 (integer; null when the text is not a year) -#}
{% macro reporting_year_first_calendar_year(reporting_year) -%}
    {{ dbt.safe_cast(dbt.split_part(reporting_year, "'-'", 1), 'integer') }}
{%- endmacro %}

{#- 2023-24 -> date 2023-04-01, the first day of the year -#}
{% macro reporting_year_start_date(reporting_year) -%}
    cast({{ dbt.concat([dbt.split_part(reporting_year, "'-'", 1), "'-04-01'"]) }} as date)
{%- endmacro %}

{#- 2023-24 -> date 2024-03-31, the last day of the year and the workforce snapshot -#}
{% macro reporting_year_end_date(reporting_year) -%}
    cast(
        {{ dbt.concat([
            dbt.cast(reporting_year_first_calendar_year(reporting_year) ~ ' + 1', dbt.type_string()),
            "'-03-31'"
        ]) }}
        as date
    )
{%- endmacro %}

{#-
    True when the text is a well-formed reporting year: seven characters, `YYYY-YY`, the
    second part being the year after the first (so `2023-24` yes, `2023-25` or `2023/24`
    no).
-#}
{% macro is_valid_reporting_year(reporting_year) -%}
    (
        {{ dbt.length(reporting_year) }} = 7
        and {{ dbt.safe_cast(dbt.split_part(reporting_year, "'-'", 2), 'integer') }}
        = mod({{ reporting_year_first_calendar_year(reporting_year) }} + 1, 100)
    )
{%- endmacro %}
