{#-
    Fails for every group of rows (e.g. one band of WRES 1 in one trust and year) whose
    values do not add up to the total, within a small tolerance for floating point: the
    White, BME and Unknown percentages of a band must make 100. Restrict the rows checked
    with the test's `where` config (e.g. one metric, non-null values).
-#}
{% test values_sum_to_total(model, column_name, group_by_columns, total=100, tolerance=0.000001) %}

{%- set group_by_csv = group_by_columns | join(', ') %}

with

summed as (

    select
        {{ group_by_csv }},
        sum({{ column_name }}) as total_value,
        count(*) as n_records
    from {{ model }}
    group by {{ group_by_csv }}

)

select * from summed
where
    total_value is null
    or total_value < {{ total }} - {{ tolerance }}
    or total_value > {{ total }} + {{ tolerance }}

{% endtest %}
