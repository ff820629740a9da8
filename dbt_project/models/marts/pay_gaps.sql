-- Pay gaps by sex, ethnicity and disability (metrics.md, "Pay gaps: marts.pay_gaps";
-- docs/metrics-pay-gaps.md): one row per organisation × reporting year ×
-- characteristic × breakdown × measure × group × quartile, for every trust and for the
-- system (org_code = the ICB code, computed over the pooled employees).
--
-- Gaps compare the reference group with the comparison group (Male/Female,
-- White/BME, Non-disabled/Disabled) and leave Unknown out; quartile shares and
-- headcounts include Unknown, so a quartile's shares add up to 100 and the unknown
-- share can be read beside the gaps. A figure that cannot be computed is null with a
-- note saying why, never zero. Values are kept at full precision: rounding is for
-- whoever presents them.
--
-- `value` and `group` are the contract's column names (metrics.md) although both are SQL
-- keywords: `group` is always quoted, and the keyword rule is off for `value`.
-- noqa: disable=RF04

with

summaries as (

    select * from {{ ref('int_pay_gap_group_summaries') }}

),

quartiles as (

    select * from {{ ref('int_pay_gap_quartiles') }}

),

-- The two sides of each gap on one row per population and characteristic.
sides as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        max(
            case when group_role = 'reference' then full_pay_relevant_employees end
        ) as reference_full_pay,
        max(
            case when group_role = 'comparison' then full_pay_relevant_employees end
        ) as comparison_full_pay,
        max(case when group_role = 'reference' then bonus_recipients end) as reference_bonus,
        max(case when group_role = 'comparison' then bonus_recipients end) as comparison_bonus,
        max(
            case when group_role = 'reference' then mean_hourly_rate end
        ) as reference_mean_hourly,
        max(
            case when group_role = 'comparison' then mean_hourly_rate end
        ) as comparison_mean_hourly,
        max(
            case when group_role = 'reference' then median_hourly_rate end
        ) as reference_median_hourly,
        max(
            case when group_role = 'comparison' then median_hourly_rate end
        ) as comparison_median_hourly,
        max(case when group_role = 'reference' then mean_bonus_pay end) as reference_mean_bonus,
        max(
            case when group_role = 'comparison' then mean_bonus_pay end
        ) as comparison_mean_bonus,
        max(
            case when group_role = 'reference' then median_bonus_pay end
        ) as reference_median_bonus,
        max(
            case when group_role = 'comparison' then median_bonus_pay end
        ) as comparison_median_bonus,
        sum(relevant_employees) as relevant_employees,
        sum(
            case when group_role = 'unknown' then relevant_employees else 0 end
        ) as unknown_employees
    from summaries
    group by org_code, reporting_year, breakdown, characteristic

),

-- Hourly gaps are over full-pay relevant employees, bonus gaps over bonus recipients:
-- each gap carries the headcounts of its own population.
gap_inputs as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        'mean_hourly_gap_pct' as measure,
        reference_full_pay as reference_employees,
        comparison_full_pay as comparison_employees,
        reference_mean_hourly as reference_value,
        comparison_mean_hourly as comparison_value
    from sides

    union all

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        'median_hourly_gap_pct' as measure,
        reference_full_pay as reference_employees,
        comparison_full_pay as comparison_employees,
        reference_median_hourly as reference_value,
        comparison_median_hourly as comparison_value
    from sides

    union all

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        'mean_bonus_gap_pct' as measure,
        reference_bonus as reference_employees,
        comparison_bonus as comparison_employees,
        reference_mean_bonus as reference_value,
        comparison_mean_bonus as comparison_value
    from sides

    union all

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        'median_bonus_gap_pct' as measure,
        reference_bonus as reference_employees,
        comparison_bonus as comparison_employees,
        reference_median_bonus as reference_value,
        comparison_median_bonus as comparison_value
    from sides

),

-- Gap % = (reference - comparison) / reference × 100: positive when the reference group
-- (men, White staff, non-disabled staff) is paid more.
gaps as (

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        measure,
        'gap' as group_name,
        cast(null as integer) as quartile,
        case
            when reference_employees > 0 and comparison_employees > 0 and reference_value <> 0
                then (reference_value - comparison_value) / reference_value * 100
        end as value,
        'percent' as unit,
        case
            when reference_employees = 0 and comparison_employees = 0
                then 'no_reference_or_comparison_group'
            when reference_employees = 0 then 'no_reference_group'
            when comparison_employees = 0 then 'no_comparison_group'
            when reference_value = 0 then 'zero_reference'
        end as note
    from gap_inputs

),

-- Per-group figures. Counts and the bonus share are given for Unknown too; the hourly
-- averages only for the two groups the gaps compare.
group_measures as (

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'headcount' as measure,
        group_name,
        cast(null as integer) as quartile,
        cast(relevant_employees as {{ type_double() }}) as value,
        'count' as unit,
        cast(null as {{ dbt.type_string() }}) as note
    from summaries

    union all

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'fpre_headcount' as measure,
        group_name,
        cast(null as integer) as quartile,
        cast(full_pay_relevant_employees as {{ type_double() }}) as value,
        'count' as unit,
        cast(null as {{ dbt.type_string() }}) as note
    from summaries

    union all

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'bonus_recipients' as measure,
        group_name,
        cast(null as integer) as quartile,
        cast(bonus_recipients as {{ type_double() }}) as value,
        'count' as unit,
        cast(null as {{ dbt.type_string() }}) as note
    from summaries

    union all

    -- Denominator: all the group's relevant employees, full pay or not.
    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'pct_receiving_bonus' as measure,
        group_name,
        cast(null as integer) as quartile,
        case
            when relevant_employees > 0
                then 100 * cast(bonus_recipients as {{ type_double() }}) / relevant_employees
        end as value,
        'percent' as unit,
        case when relevant_employees = 0 then 'no_population' end as note
    from summaries

    union all

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'mean_hourly_rate' as measure,
        group_name,
        cast(null as integer) as quartile,
        mean_hourly_rate as value,
        'gbp' as unit,
        case when full_pay_relevant_employees = 0 then 'no_population' end as note
    from summaries
    where group_role in ('reference', 'comparison')

    union all

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'median_hourly_rate' as measure,
        group_name,
        cast(null as integer) as quartile,
        median_hourly_rate as value,
        'gbp' as unit,
        case when full_pay_relevant_employees = 0 then 'no_population' end as note
    from summaries
    where group_role in ('reference', 'comparison')

),

-- Share of the population whose group is unknown, so gaps computed without them can be
-- read with how much of the workforce they leave out.
unknown_shares as (

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'unknown_share_pct' as measure,
        'Unknown' as group_name,
        cast(null as integer) as quartile,
        case
            when relevant_employees > 0
                then 100 * cast(unknown_employees as {{ type_double() }}) / relevant_employees
        end as value,
        'percent' as unit,
        case when relevant_employees = 0 then 'no_population' end as note
    from sides

),

quartile_shares as (

    select
        org_code,
        reporting_year,
        characteristic,
        breakdown,
        'quartile_pct' as measure,
        group_name,
        quartile,
        case
            when quartile_employees > 0
                then 100 * employees_in_quartile / quartile_employees
        end as value,
        'percent' as unit,
        case when quartile_employees = 0 then 'no_population' end as note
    from quartiles

),

measures as (

    select * from gaps
    union all
    select * from group_measures
    union all
    select * from unknown_shares
    union all
    select * from quartile_shares

),

final as (

    select
        cast(org_code as {{ dbt.type_string() }}) as org_code,
        cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
        cast(characteristic as {{ dbt.type_string() }}) as characteristic,
        cast(breakdown as {{ dbt.type_string() }}) as breakdown,
        cast(measure as {{ dbt.type_string() }}) as measure,
        cast(group_name as {{ dbt.type_string() }}) as "group",
        cast(quartile as integer) as quartile,
        cast(value as {{ type_double() }}) as value,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(note as {{ dbt.type_string() }}) as note
    from measures

)

select * from final
