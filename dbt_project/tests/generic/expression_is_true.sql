{#-
    Fails for every row where the SQL expression is not true (false or null), e.g.
    `fte > 0 and fte <= 1.5`. With column_name (a column-level test) the expression is
    written after the column: `column_name: fte`, `expression: "> 0"`. Use the test's
    `where` config to restrict the rows checked. After dbt_utils.expression_is_true.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

{%- if column_name is none %}
    {%- set full_expression = expression %}
{%- else %}
    {%- set full_expression = column_name ~ ' ' ~ expression %}
{%- endif %}

select *
from {{ model }}
where not coalesce({{ full_expression }}, false)

{% endtest %}
