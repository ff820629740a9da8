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
        -- The median as standard SQL's ordered-set aggregate (DuckDB and PostgreSQL):
        -- the middle value, or the two middle values averaged. It ignores the nulls
        -- the case leaves for people outside the measure.
        percentile_cont(0.5) within group (
            order by case when is_full_pay_relevant then hourly_rate end
        ) as median_hourly_rate,
        avg(
            case when received_bonus then cast(bonus_pay_12m as {{ type_double() }}) end
        ) as mean_bonus_pay,
        percentile_cont(0.5) within group (
            order by case when received_bonus then cast(bonus_pay_12m as {{ type_double() }}) end
        ) as median_bonus_pay
    from members
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
        counts.median_hourly_rate,
        counts.mean_bonus_pay,
        counts.median_bonus_pay,
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

)

select * from final
