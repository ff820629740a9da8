{#-
    Generic test: fails for every group of rows (rows sharing the values of
    group_by_columns) where the sum of an SQL expression differs from the expected figure
    by more than a tolerance (for floating point). `expected` is SQL evaluated per group,
    so it may be a constant (`100`: shares add up to 100) or an aggregate
    (`max(quartile_employees)`); with `expression: 1` the test counts rows, so it can
    check that a grid is complete. Restrict the rows checked with the test's `where`
    config.
-#}
{% test group_sum_equals(model, expression, group_by_columns, expected, tolerance=0.000001) %}

{%- set group_by_csv = group_by_columns | join(', ') %}

with

grouped as (

    select
        {{ group_by_csv }},
        sum({{ expression }}) as actual_sum,
        {{ expected }} as expected_sum
    from {{ model }}
    group by {{ group_by_csv }}

)

select * from grouped
where actual_sum is null
    or expected_sum is null
    or abs(actual_sum - expected_sum) > {{ tolerance }}

{% endtest %}
