{#-
    Use a custom schema name exactly as configured (`staging`, `reference`, `marts`), not
    dbt's default `<target schema>_<custom schema>` (`main_staging`). Analysts and the
    Dagster publish assets query `marts.*` and `staging.*` by these fixed names, on every
    target. A node with no custom schema lands in the target's own schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
