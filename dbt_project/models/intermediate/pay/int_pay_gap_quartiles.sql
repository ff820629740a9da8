-- Pay quartiles (Schedule 1 paragraph 13, regulation 13 of SI 2017/172): the full-pay
-- relevant employees (FPREs) of a population ranked by hourly rate and divided into four
-- parts of (as far as possible) equal size; how many of each group fall in each part.
--
-- Part sizes. With N FPREs at positions 0 .. N-1 (lowest rate first), every quartile
-- holds floor(N/4) people and the first N mod 4 quartiles one more, like SQL's ntile(4)
-- and numpy's array_split: quartile q holds positions
-- (q-1)*floor(N/4) + least(q-1, N mod 4) up to, but not including,
-- q*floor(N/4) + least(q, N mod 4) (N = 5 gives 2, 1, 1, 1; N = 6 gives 2, 2, 1, 1;
-- N = 7 gives 2, 2, 2, 1). The regulation only asks for sizes "so far as possible"
-- equal; this choice and how others differ are in docs/metrics-pay-gaps.md.
--
-- Ties (paragraph 13(2)). People on the same hourly rate share a block of positions,
-- from the number paid less up to that plus the number at the rate. Where that block
-- crosses a quartile boundary nobody is put on one side or the other: the slots it has
-- in each quartile are shared out in proportion to the group mix at that rate, so the
-- mix at that rate is the same in every quartile it reaches. Counts are fractional as a
-- result (3 women and 1 man at a rate with 2 slots in quartile 1 put 1.5 women and 0.5
-- men there). Shares of a quartile still add up to its size exactly.

with

members as (

    select * from {{ ref('int_pay_gap_population_members') }}

),

pay_gap_groups as (

    {{ pay_gap_groups() }}

),

quartiles as (

    select 1 as quartile
    union all
    select 2 as quartile
    union all
    select 3 as quartile
    union all
    select 4 as quartile

),

-- Every population with relevant employees, also one with no FPREs, so its quartile
-- rows exist (empty) like any other.
populations as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        cast(
            sum(case when is_full_pay_relevant then 1 else 0 end) as bigint
        ) as population_employees
    from members
    group by org_code, reporting_year, breakdown, characteristic

),

-- Every quartile holds quarter_size people and the first extra_places (N mod 4)
-- quartiles one more.
-- floor() of a double keeps them whole on every database (integer division does not:
-- DuckDB's / returns a double).
population_sizes as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        population_employees,
        cast(
            floor(cast(population_employees as {{ type_double() }}) / 4) as bigint
        ) as quarter_size,
        mod(population_employees, 4) as extra_places
    from populations

),

quartile_bounds as (

    select
        populations.org_code,
        populations.reporting_year,
        populations.breakdown,
        populations.characteristic,
        populations.population_employees,
        quartiles.quartile,
        (quartiles.quartile - 1) * populations.quarter_size
        + least(quartiles.quartile - 1, populations.extra_places) as quartile_start,
        quartiles.quartile * populations.quarter_size
        + least(quartiles.quartile, populations.extra_places) as quartile_end
    from population_sizes as populations
    cross join quartiles

),

rate_groups as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        hourly_rate,
        group_name,
        count(*) as employees
    from members
    where is_full_pay_relevant
    group by org_code, reporting_year, breakdown, characteristic, hourly_rate, group_name

),

-- The block of positions each hourly rate occupies. A range window over the rate counts
-- everyone paid at most this rate, all groups at the rate included (they are peers).
rate_blocks as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        hourly_rate,
        group_name,
        employees,
        cast(sum(employees) over (
            partition by org_code, reporting_year, breakdown, characteristic, hourly_rate
        ) as bigint) as employees_at_rate,
        cast(sum(employees) over (
            partition by org_code, reporting_year, breakdown, characteristic
            order by hourly_rate
            range between unbounded preceding and current row
        ) as bigint) as block_end
    from rate_groups

),

-- Slots of the rate's block inside the quartile, shared by the group mix at the rate.
allocations as (

    select
        rate_blocks.org_code,
        rate_blocks.reporting_year,
        rate_blocks.breakdown,
        rate_blocks.characteristic,
        rate_blocks.group_name,
        quartile_bounds.quartile,
        cast(rate_blocks.employees as {{ type_double() }})
        * (
            least(rate_blocks.block_end, quartile_bounds.quartile_end)
            - greatest(
                rate_blocks.block_end - rate_blocks.employees_at_rate,
                quartile_bounds.quartile_start
            )
        )
        / rate_blocks.employees_at_rate as employees_in_quartile
    from rate_blocks
    inner join quartile_bounds
        on
            rate_blocks.org_code = quartile_bounds.org_code
            and rate_blocks.reporting_year = quartile_bounds.reporting_year
            and rate_blocks.breakdown = quartile_bounds.breakdown
            and rate_blocks.characteristic = quartile_bounds.characteristic
            -- the rate's block and the quartile overlap
            and rate_blocks.block_end - rate_blocks.employees_at_rate
            < quartile_bounds.quartile_end
            and rate_blocks.block_end > quartile_bounds.quartile_start

),

allocated as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        group_name,
        quartile,
        sum(employees_in_quartile) as employees_in_quartile
    from allocations
    group by org_code, reporting_year, breakdown, characteristic, group_name, quartile

),

final as (

    select
        quartile_bounds.org_code,
        quartile_bounds.reporting_year,
        quartile_bounds.breakdown,
        quartile_bounds.characteristic,
        pay_gap_groups.group_name,
        pay_gap_groups.group_role,
        quartile_bounds.quartile,
        quartile_bounds.population_employees,
        coalesce(allocated.employees_in_quartile, 0) as employees_in_quartile,
        quartile_bounds.quartile_end - quartile_bounds.quartile_start as quartile_employees
    from quartile_bounds
    inner join pay_gap_groups
        on quartile_bounds.characteristic = pay_gap_groups.characteristic
    left join allocated
        on
            quartile_bounds.org_code = allocated.org_code
            and quartile_bounds.reporting_year = allocated.reporting_year
            and quartile_bounds.breakdown = allocated.breakdown
            and quartile_bounds.characteristic = allocated.characteristic
            and pay_gap_groups.group_name = allocated.group_name
            and quartile_bounds.quartile = allocated.quartile

)

select * from final
