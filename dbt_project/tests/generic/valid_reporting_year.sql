{#-
    Fails for every value that is not a reporting year written `YYYY-YY` with consecutive
    years (`2023-24`). Null values are left to not_null_columns.
-#}
{% test valid_reporting_year(model, column_name) %}

select
    {{ column_name }} as reporting_year,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
    and not coalesce({{ is_valid_reporting_year(column_name) }}, false)
group by {{ column_name }}

{% endtest %}
