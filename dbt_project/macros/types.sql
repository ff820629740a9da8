{#-
    Column types that dbt's own cross-database macros do not cover well.

    dbt.type_float() renders FLOAT, which DuckDB reads as a 4-byte REAL: 0.8 would come
    back as 0.800000011920929. FTE and contracted hours need double precision.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'edi_platform')()) }}
{%- endmacro %}

{#- Standard SQL; DuckDB and PostgreSQL both accept it. -#}
{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#-
    Money in pounds and pence, as ingest writes it (Parquet decimal(18,2)): exact, so pay
    gap sums and medians are not disturbed by binary floating point.
-#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'edi_platform')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    decimal(18, 2)
{%- endmacro %}
