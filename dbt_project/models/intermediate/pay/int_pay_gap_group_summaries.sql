-- Per population × characteristic × group: the headcounts, and the means and medians
-- that the pay gaps compare. Hourly figures are over full-pay relevant employees (FPREs);
-- bonus figures over relevant employees paid a bonus in the 12 months to the snapshot.
-- Every group of the characteristic gets a row, with zero counts and null averages when
-- nobody is in it, so the mart can tell an empty group from a missing one.

with

members as (

    select * from {{ ref('int_pay_gap_population_members') }}

),

pay_gap_groups as (

    {{ pay_gap_groups() }}

),

populations as (

    select distinct
        org_code,
        reporting_year,
        breakdown,
        characteristic
    from members

),

grid as (

    select
        populations.org_code,
        populations.reporting_year,
        populations.breakdown,
        populations.characteristic,
        pay_gap_groups.group_name,
        pay_gap_groups.group_role
    from populations
    inner join pay_gap_groups
        on populations.characteristic = pay_gap_groups.characteristic

),

counts as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        cast(count(*) as bigint) as relevant_employees,
        cast(
            sum(case when is_full_pay_relevant then 1 else 0 end) as bigint
        ) as full_pay_relevant_employees,
        cast(sum(case when received_bonus then 1 else 0 end) as bigint) as bonus_recipients,
        avg(case when is_full_pay_relevant then hourly_rate end) as mean_hourly_rate,
        avg(
            case when received_bonus then cast(bonus_pay_12m as {{ type_double() }}) end
        ) as mean_bonus_pay
    from members
    group by org_code, reporting_year, breakdown, characteristic, group_name

),

-- Medians by position in the sorted list (macros/pay_gaps/is_median_position.sql), a
-- window-function form that runs unchanged on DuckDB and PostgreSQL.
hourly_positions as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        hourly_rate,
        row_number() over (
            partition by org_code, reporting_year, breakdown, characteristic, group_name
            order by hourly_rate
        ) as rate_position,
        count(*) over (
            partition by org_code, reporting_year, breakdown, characteristic, group_name
        ) as group_size
    from members
    where is_full_pay_relevant

),

hourly_medians as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        avg(hourly_rate) as median_hourly_rate
    from hourly_positions
    where {{ is_median_position('rate_position', 'group_size') }}
    group by org_code, reporting_year, breakdown, characteristic, group_name

),

bonus_positions as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        cast(bonus_pay_12m as {{ type_double() }}) as bonus_pay_12m,
        row_number() over (
            partition by org_code, reporting_year, breakdown, characteristic, group_name
            order by bonus_pay_12m
        ) as bonus_position,
        count(*) over (
            partition by org_code, reporting_year, breakdown, characteristic, group_name
        ) as group_size
    from members
    where received_bonus

),

bonus_medians as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        avg(bonus_pay_12m) as median_bonus_pay
    from bonus_positions
    where {{ is_median_position('bonus_position', 'group_size') }}
    group by org_code, reporting_year, breakdown, characteristic, group_name

),

final as (

    select
        grid.org_code,
        grid.reporting_year,
        grid.breakdown,
        grid.characteristic,
        grid.group_name,
        grid.group_role,
        counts.mean_hourly_rate,
        hourly_medians.median_hourly_rate,
        counts.mean_bonus_pay,
        bonus_medians.median_bonus_pay,
        -- a group nobody is in has no counts row: zero, not null
        coalesce(counts.relevant_employees, 0) as relevant_employees,
        coalesce(counts.full_pay_relevant_employees, 0) as full_pay_relevant_employees,
        coalesce(counts.bonus_recipients, 0) as bonus_recipients
    from grid
    left join counts
        on
            grid.org_code = counts.org_code
            and grid.reporting_year = counts.reporting_year
            and grid.breakdown = counts.breakdown
            and grid.characteristic = counts.characteristic
            and grid.group_name = counts.group_name
    left join hourly_medians
        on
            grid.org_code = hourly_medians.org_code
            and grid.reporting_year = hourly_medians.reporting_year
            and grid.breakdown = hourly_medians.breakdown
            and grid.characteristic = hourly_medians.characteristic
            and grid.group_name = hourly_medians.group_name
    left join bonus_medians
        on
            grid.org_code = bonus_medians.org_code
            and grid.reporting_year = bonus_medians.reporting_year
            and grid.breakdown = bonus_medians.breakdown
            and grid.characteristic = bonus_medians.characteristic
            and grid.group_name = bonus_medians.group_name

)

select * from final
