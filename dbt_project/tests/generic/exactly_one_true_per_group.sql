{#-
    Fails for every group (e.g. a person within one trust and year) that does not have
    exactly one row where the boolean column is true. Used for "exactly one primary
    assignment per person": every person-level figure (headcount, ethnicity, band) is
    taken from the primary assignment, so a person with none would vanish and a person
    with two would be counted twice.
-#}
{% test exactly_one_true_per_group(model, column_name, group_by_columns) %}

{%- set group_by_csv = group_by_columns | join(', ') %}

with

counted as (

    select
        {{ group_by_csv }},
        sum(case when {{ column_name }} then 1 else 0 end) as n_true
    from {{ model }}
    group by {{ group_by_csv }}

)

select * from counted
where n_true <> 1

{% endtest %}
