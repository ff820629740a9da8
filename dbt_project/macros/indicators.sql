{#-
    Building blocks of the indicator marts (marts.wres_indicators, marts.wdes_metrics,
    marts.violence_aggression), which share one long shape (metrics.md, "Common shape of
    the indicator marts"). Each macro renders a complete `select` to put inside a CTE:

        shares as (
            {{ rate_rows('pooled_counts', unit='percent') }}
        ),

    HOW TO USE THEM

    1. Count. Build a CTE of counts in the *counts shape*, one row per
           org_code, reporting_year, metric_id, breakdown, group_name
       with `numerator` and `denominator` (plus `score_total` for score metrics), and a
       complete grid: every group of every breakdown has a row, zeros included (cross
       join the groups, left join the counts, coalesce to 0). The column is called
       group_name until the very end, because `group` is an SQL keyword.

    2. Pool. `union_system_rows(counts, icb_code)` returns the trusts' rows plus the
       system (ICS) rows, org_code = icb_code, from counts summed across trusts (pooled
       counts, never an average of trust figures). Pass var('icb_code') from the model,
       so that unit tests can override it.

    3. Compute. Each of these returns rows in the *row shape*:
           org_code, reporting_year, metric_id, breakdown, group_name, numerator,
           denominator, value, unit, ci_lower, ci_upper, note
       - rate_rows(counts, unit='percent')          value = numerator / denominator in
         `unit` (percent x100, proportion x1, per_1000_staff / per_1000_wte x1000), Wilson
         95% interval, note `no_population` when the denominator is 0;
       - relative_likelihood_rows(counts, 'White', 'BME')
         the two compared groups' rows (unit proportion by default: likelihood =
         numerator / denominator) plus a `relative_likelihood` row, unit ratio, with the
         Katz log interval; null with note `no_population` / `zero_comparator` when
         undefined. The first group named is the numerator of the ratio. Other groups in
         the counts (Unknown) are left out: the contract has no Unknown row;
       - difference_rows(rows, 'board', 'workforce')  a `difference` row per breakdown,
         value of the first group minus the second (percentage points), null with the
         first null group's note when either is null;
       - survey_counts(survey_metrics, metric_ids, groups, scored=false) turns
         intermediate.int_survey_metrics into the counts shape (events over respondents,
         breakdown `overall`); a metric absent for a trust-year stays absent, but once
         present every listed group gets a row. scored=true gives numerator null,
         denominator respondents and score_total = score x respondents, so pooling gives
         a respondent-weighted mean;
       - score_rows(counts)  value = score_total / denominator, unit score, no interval.

    4. Finish. `select {{ indicator_columns() }} from <union of the row CTEs>` casts every
       column to its published type, in the contract's order, and renames group_name to
       "group".

    Every macro renders portable SQL (case, sum, cross join, union all; the statistics
    macros of statistics.sql), so the marts run on PostgreSQL as well as DuckDB.
    Worked example: models/marts/wres_indicators.sql.
-#}

{#- The identifying columns of an indicator row, in the contract's order. -#}
{% macro _indicator_keys(prefix='') -%}
    {{ prefix }}org_code,
    {{ prefix }}reporting_year,
    {{ prefix }}metric_id,
    {{ prefix }}breakdown
{%- endmacro %}

{#- `column in ('a', 'b')`, or `true` when no values are given. -#}
{% macro _in_list(column, values) -%}
    {%- if values -%}
        {{ column }} in ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#-
    Trust rows plus system rows pooled across trusts (step 2). sum_columns are the count
    columns to carry and add up.
-#}
{% macro union_system_rows(counts, icb_code, sum_columns=['numerator', 'denominator']) -%}
    select
        {{ _indicator_keys() }},
        group_name,
        {%- for column in sum_columns %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ counts }}

    union all

    select
        {{ dbt.string_literal(icb_code) }} as org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        {%- for column in sum_columns %}
        sum({{ column }}) as {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ counts }}
    group by reporting_year, metric_id, breakdown, group_name
{%- endmacro %}

{#-
    One end of a Wilson 95% interval for numerator/denominator, times `scale`. At 0 of n
    the lower end is exactly 0 and at n of n the upper end exactly 1; the formula gives
    those only up to rounding (3.6e-17 for 0 of 7), which would leave the value just
    outside its own interval, so they are set exactly.
-#}
{% macro _wilson_bound(side, numerator, denominator, scale) -%}
    {%- if side == 'lower' -%}
        (case
            when {{ denominator }} > 0 and {{ numerator }} = 0 then 0.0
            else {{ wilson_lower(numerator, denominator) }}
        end) * {{ scale }}
    {%- else -%}
        (case
            when {{ denominator }} > 0 and {{ numerator }} = {{ denominator }} then 1.0
            else {{ wilson_upper(numerator, denominator) }}
        end) * {{ scale }}
    {%- endif -%}
{%- endmacro %}

{% macro _unit_scale(unit) -%}
    {%- set scales = {
        'percent': 100,
        'proportion': 1,
        'per_1000_staff': 1000,
        'per_1000_wte': 1000,
    } -%}
    {%- if unit not in scales -%}
        {{ exceptions.raise_compiler_error("rate_rows: unit '" ~ unit ~ "' is not a rate unit") }}
    {%- endif -%}
    {{ return(scales[unit]) }}
{%- endmacro %}

{#-
    Rates (step 3): value = numerator / denominator in `unit`, for the rows of `counts`
    whose group (and metric) is listed, or all rows. interval='wilson' (for shares, where
    the numerator cannot exceed the denominator) or 'none'.
-#}
{% macro rate_rows(counts, unit='percent', groups=none, metric_ids=none, interval='wilson') -%}
    {%- set scale = _unit_scale(unit) -%}
    select
        {{ _indicator_keys() }},
        group_name,
        numerator,
        denominator,
        {{ safe_divide('numerator', 'denominator') }} * {{ scale }} as value,
        '{{ unit }}' as unit,
        {%- if interval == 'wilson' %}
        {{ _wilson_bound('lower', 'numerator', 'denominator', scale) }} as ci_lower,
        {{ _wilson_bound('upper', 'numerator', 'denominator', scale) }} as ci_upper,
        {%- else %}
        cast(null as {{ type_double() }}) as ci_lower,
        cast(null as {{ type_double() }}) as ci_upper,
        {%- endif %}
        case when coalesce(denominator, 0) = 0 then 'no_population' end as note
    from {{ counts }}
    where
        {{ _in_list('group_name', groups) }}
        and {{ _in_list('metric_id', metric_ids) }}
{%- endmacro %}

{#-
    A relative-likelihood metric (step 3): the rows of the two groups compared, and the
    `relative_likelihood` row = likelihood(numerator_group) / likelihood(comparator_group)
    with its Katz log interval. metric_ids restricts the metrics taken from `counts` (each
    metric has its own direction: WRES 2 puts White over BME, WRES 3 BME over White).
    group_unit and group_interval set how the two groups' own rows are shown (default the
    likelihood as a proportion with a Wilson interval; e.g. per_1000_staff and 'none' for
    a rate per head).
-#}
{% macro relative_likelihood_rows(
    counts,
    numerator_group,
    comparator_group,
    metric_ids=none,
    group_unit='proportion',
    group_interval='wilson'
) -%}
    {{ rate_rows(
        counts,
        unit=group_unit,
        groups=[numerator_group, comparator_group],
        metric_ids=metric_ids,
        interval=group_interval
    ) }}

    union all

    select
        {{ _indicator_keys() }},
        'relative_likelihood' as group_name,
        cast(null as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator,
        {{ relative_likelihood('a', 'n1', 'c', 'n2') }} as value,
        'ratio' as unit,
        {{ katz_lower('a', 'n1', 'c', 'n2') }} as ci_lower,
        {{ katz_upper('a', 'n1', 'c', 'n2') }} as ci_upper,
        {{ relative_likelihood_note('a', 'n1', 'c', 'n2') }} as note
    from (
        -- a / n1: events / population of the numerator group; c / n2: of the comparator
        select
            {{ _indicator_keys() }},
            coalesce(sum(case when group_name = '{{ numerator_group }}' then numerator end), 0) as a,
            coalesce(sum(case when group_name = '{{ numerator_group }}' then denominator end), 0) as n1,
            coalesce(sum(case when group_name = '{{ comparator_group }}' then numerator end), 0) as c,
            coalesce(sum(case when group_name = '{{ comparator_group }}' then denominator end), 0) as n2
        from {{ counts }}
        where
            {{ _in_list('group_name', [numerator_group, comparator_group]) }}
            and {{ _in_list('metric_id', metric_ids) }}
        group by {{ _indicator_keys() }}
    ) as compared
{%- endmacro %}

{#-
    A comparison row (step 3) from rows already computed (row shape): value of
    minuend_group minus value of subtrahend_group, for each trust, year, metric and
    breakdown; in percentage points by default (WRES 9: board % minus workforce %).
    No interval. Null when either value is null, with that group's note.
-#}
{% macro difference_rows(
    rows,
    minuend_group,
    subtrahend_group,
    group_name='difference',
    unit='percentage_points'
) -%}
    select
        {{ _indicator_keys() }},
        '{{ group_name }}' as group_name,
        cast(null as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator,
        minuend_value - subtrahend_value as value,
        '{{ unit }}' as unit,
        cast(null as {{ type_double() }}) as ci_lower,
        cast(null as {{ type_double() }}) as ci_upper,
        case
            when minuend_value is null or subtrahend_value is null
                then coalesce(minuend_note, subtrahend_note, 'no_population')
        end as note
    from (
        select
            {{ _indicator_keys() }},
            max(case when group_name = '{{ minuend_group }}' then value end) as minuend_value,
            max(case when group_name = '{{ subtrahend_group }}' then value end) as subtrahend_value,
            max(case when group_name = '{{ minuend_group }}' then note end) as minuend_note,
            max(case when group_name = '{{ subtrahend_group }}' then note end) as subtrahend_note
        from {{ rows }}
        where {{ _in_list('group_name', [minuend_group, subtrahend_group]) }}
        group by {{ _indicator_keys() }}
    ) as compared
{%- endmacro %}

{#-
    Staff survey results in the counts shape (step 1), from int_survey_metrics: for each
    trust-year where a listed metric has results (its question was asked), one row per
    listed group, breakdown `overall`. A metric absent for a year stays absent; a group
    missing from a present metric gets zero respondents (shown as no_population).
    Groups map to the survey extract's breakdowns: all -> overall, White/BME ->
    ethnicity, Disabled/Non-disabled -> disability, Male/Female -> sex.
-#}
{% macro survey_counts(survey_metrics, metric_ids, groups, scored=false) -%}
    {%- set survey_breakdowns = {
        'all': 'overall',
        'White': 'ethnicity',
        'BME': 'ethnicity',
        'Disabled': 'disability',
        'Non-disabled': 'disability',
        'Male': 'sex',
        'Female': 'sex',
    } -%}
    select
        {{ _indicator_keys('grid.') }},
        grid.group_name,
        {%- if scored %}
        cast(null as {{ dbt.type_bigint() }}) as numerator,
        coalesce(results.respondents, 0) as denominator,
        -- score x respondents, so that pooled trusts give a respondent-weighted mean
        results.score * results.respondents as score_total
        {%- else %}
        coalesce(results.events, 0) as numerator,
        coalesce(results.respondents, 0) as denominator,
        cast(null as {{ type_double() }}) as score_total
        {%- endif %}
    from (
        select
            present.org_code,
            present.reporting_year,
            present.metric_id,
            'overall' as breakdown,
            survey_groups.group_name,
            survey_groups.survey_breakdown
        from (
            select distinct
                org_code,
                reporting_year,
                metric_id
            from {{ survey_metrics }}
            where {{ _in_list('metric_id', metric_ids) }}
        ) as present
        cross join (
            {%- for group in groups %}
            select
                '{{ group }}' as group_name,
                '{{ survey_breakdowns[group] }}' as survey_breakdown
            {% if not loop.last %}union all{% endif %}
            {%- endfor %}
        ) as survey_groups
    ) as grid
    left join {{ survey_metrics }} as results
        on
            grid.org_code = results.org_code
            and grid.reporting_year = results.reporting_year
            and grid.metric_id = results.metric_id
            and grid.survey_breakdown = results.breakdown
            and grid.group_name = results.respondent_group
{%- endmacro %}

{#- Mean scores (step 3): score_total / denominator, unit score; no interval. -#}
{% macro score_rows(counts) -%}
    select
        {{ _indicator_keys() }},
        group_name,
        numerator,
        denominator,
        {{ safe_divide('score_total', 'denominator') }} as value,
        'score' as unit,
        cast(null as {{ type_double() }}) as ci_lower,
        cast(null as {{ type_double() }}) as ci_upper,
        case when coalesce(denominator, 0) = 0 then 'no_population' end as note
    from {{ counts }}
{%- endmacro %}

{#-
    The published columns (step 4), in the contract's order and types. count_type is the
    type of numerator and denominator (bigint for headcounts; a WTE denominator needs
    type_double()).
-#}
{% macro indicator_columns(count_type=none) -%}
    {%- set count_type = count_type or dbt.type_bigint() -%}
    cast(org_code as {{ dbt.type_string() }}) as org_code,
    cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
    cast(metric_id as {{ dbt.type_string() }}) as metric_id,
    cast(breakdown as {{ dbt.type_string() }}) as breakdown,
    cast(group_name as {{ dbt.type_string() }}) as "group",
    cast(numerator as {{ count_type }}) as numerator,
    cast(denominator as {{ count_type }}) as denominator,
    cast(value as {{ type_double() }}) as value,
    cast(unit as {{ dbt.type_string() }}) as unit,
    cast(ci_lower as {{ type_double() }}) as ci_lower,
    cast(ci_upper as {{ type_double() }}) as ci_upper,
    cast(note as {{ dbt.type_string() }}) as note
{%- endmacro %}
