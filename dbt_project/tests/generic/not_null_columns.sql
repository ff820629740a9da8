{#-
    Fails with one row for each listed column that holds nulls, naming the column and
    counting its null rows. One query per model instead of dbt's `not_null` per column:
    a build of every table ran 202 separate not_null tests, each costing dbt and Dagster
    about as much as a small table (docs/performance.md). Names are quoted because some
    columns are SQL keywords (`group`).
-#}
{% test not_null_columns(model, column_names) %}

with

null_counts as (

    select
        {%- for column in column_names %}
        sum(case when {{ adapter.quote(column) }} is null then 1 else 0 end)
            as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ model }}

),

null_columns as (

    {%- for column in column_names %}
    select
        '{{ column }}' as column_name,
        {{ adapter.quote(column) }} as null_rows
    from null_counts
    where {{ adapter.quote(column) }} > 0
    {{ "union all" if not loop.last }}
    {%- endfor %}

)

select * from null_columns

{% endtest %}
