{#-
    The groups each pay gap characteristic is reported for (metrics.md, Groups), as rows of
    SQL: characteristic, group_name, group_role. The role says how a group enters the
    figures: `reference` and `comparison` are the two sides of every gap (gap = (reference -
    comparison) / reference), `unknown` is counted and shown in headcounts and quartile
    shares but is in neither side. Models cross join this with their populations, so every
    group gets a row even when nobody is in it (a grid with zeros, not missing rows).
-#}
{% macro pay_gap_groups() -%}
    {%- set groups = [
        ('sex', 'Male', 'reference'),
        ('sex', 'Female', 'comparison'),
        ('sex', 'Unknown', 'unknown'),
        ('ethnicity', 'White', 'reference'),
        ('ethnicity', 'BME', 'comparison'),
        ('ethnicity', 'Unknown', 'unknown'),
        ('disability', 'Non-disabled', 'reference'),
        ('disability', 'Disabled', 'comparison'),
        ('disability', 'Unknown', 'unknown'),
    ] -%}
    {%- for characteristic, group_name, group_role in groups %}
    select
        cast('{{ characteristic }}' as {{ dbt.type_string() }}) as characteristic,
        cast('{{ group_name }}' as {{ dbt.type_string() }}) as group_name,
        cast('{{ group_role }}' as {{ dbt.type_string() }}) as group_role
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
