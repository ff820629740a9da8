{#-
    Fails for every combination of the given columns that occurs more than once, e.g. an
    assignment_id repeated within one trust and reporting year. Written here (after
    dbt_utils.unique_combination_of_columns) because `dbt deps` cannot reach the dbt hub.
    Rows where any of the columns is null are counted too: a null key is a fault of its
    own, caught by not_null_columns.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{%- set columns_csv = combination_of_columns | join(', ') %}

with

grouped as (

    select
        {{ columns_csv }},
        count(*) as n_records
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1

)

select * from grouped

{% endtest %}
