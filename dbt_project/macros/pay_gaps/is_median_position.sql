{#-
    SQL condition, true for the row or rows whose values make up the median, given each
    row's position in its group (row_number() ordered by the value, from 1) and the
    group's size (count(*) over the same partition). Averaging the value over the rows it
    selects gives the median:

        n odd  (n = 5): positions 2.5 <= p <= 3.5, i.e. p = 3, the middle value;
        n even (n = 4): positions 2 <= p <= 3, the two middle values, averaged.

    That is n / 2 <= p <= n / 2 + 1, written here in whole numbers (2p between n and
    n + 2) so no division is involved: integer division truncates on PostgreSQL but not
    on DuckDB. Window functions and this comparison are plain SQL on every database dbt
    supports, unlike median() (DuckDB) or percentile_cont ... within group (PostgreSQL),
    so no adapter dispatch is needed. Rows tied on the value may be numbered in any order:
    the values at the middle positions, and so the median, are the same whichever order.
-#}
{% macro is_median_position(position, group_size) -%}
    (2 * {{ position }} between {{ group_size }} and {{ group_size }} + 2)
{%- endmacro %}
