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
--
-- How it is computed, without a window over every rate. Only a rate whose block crosses
-- a boundary needs sharing out, and such a rate is the rate at the last position of
-- quartile 1, 2 or 3. Counting from 1, those positions are ceil(N/4); ceil(N/2) or
-- floor(N/2) + 1 (the two middle positions; which one depends on N mod 4); and
-- ceil(3N/4), so percentile_disc picks the four boundary rates out by selection. They
-- cut the ranking into nine segments: below the first boundary rate, at it, between it
-- and the next, and so on. A segment at a boundary rate is that rate's block, shared out
-- as above. Any other segment lies inside one quartile, as no quartile ends inside it
-- (the rate where one ends is a boundary rate), so its people go there whole, as they
-- would rate by rate. The running counts are then over nine segments per population
-- instead of every rate: the same figures from two grouped passes over the members (a
-- window over every rate sorted 18 rows per employee, twice).

with

members as (

    select * from {{ ref('int_pay_gap_population_members') }}

),

-- The view imported a second time rather than the CTE above read twice: DuckDB
-- materialises a CTE read in two places (18 rows per employee, which spilled to disk on
-- the 8x ICS), while a view is laid out again wherever it is read, which costs less.
full_pay_members as (

    select * from {{ ref('int_pay_gap_population_members') }}
    where is_full_pay_relevant

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
-- rows exist (empty) like any other; and the hourly rates at the quartile boundaries.
-- percentile_disc(f) is the rate at position ceil(f * N) counting from 1 (the first
-- whose position reaches f of the way), on DuckDB and PostgreSQL alike; descending, the
-- median is the rate at position floor(N/2) + 1. One call with an array of fractions
-- keeps one copy of the rates for three of them (on DuckDB, four separate calls kept
-- four and spilled to disk on a national build). Non-FPREs' rates are null, which
-- ordered-set aggregates skip.
population_rates as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        cast(
            sum(case when is_full_pay_relevant then 1 else 0 end) as bigint
        ) as population_employees,
        percentile_disc(array[0.25, 0.5, 0.75]) within group (
            order by case when is_full_pay_relevant then hourly_rate end
        ) as quartile_end_rates,
        percentile_disc(0.5) within group (
            order by case when is_full_pay_relevant then hourly_rate end desc
        ) as upper_median_rate
    from members
    group by org_code, reporting_year, breakdown, characteristic

),

-- The boundary rates by name (arrays count from 1 on both databases). The lower median
-- is at position ceil(N/2), the upper at floor(N/2) + 1; for odd N they are the same.
populations as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        population_employees,
        quartile_end_rates[1] as quartile_1_end_rate,
        quartile_end_rates[2] as lower_median_rate,
        upper_median_rate,
        quartile_end_rates[3] as quartile_3_end_rate
    from population_rates

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

-- Each FPRE's segment of the ranking (1 to 9, lowest rates first): even segments are
-- the boundary rates, odd ones the rates between them. Where two boundary rates are the
-- same rate, its people fall in the first of the two segments and the other is empty.
segment_groups as (

    select
        full_pay_members.org_code,
        full_pay_members.reporting_year,
        full_pay_members.breakdown,
        full_pay_members.characteristic,
        case
            when full_pay_members.hourly_rate < populations.quartile_1_end_rate then 1
            when full_pay_members.hourly_rate = populations.quartile_1_end_rate then 2
            when full_pay_members.hourly_rate < populations.lower_median_rate then 3
            when full_pay_members.hourly_rate = populations.lower_median_rate then 4
            when full_pay_members.hourly_rate < populations.upper_median_rate then 5
            when full_pay_members.hourly_rate = populations.upper_median_rate then 6
            when full_pay_members.hourly_rate < populations.quartile_3_end_rate then 7
            when full_pay_members.hourly_rate = populations.quartile_3_end_rate then 8
            else 9
        end as segment,
        full_pay_members.group_name,
        count(*) as employees
    from full_pay_members
    inner join populations
        on
            full_pay_members.org_code = populations.org_code
            and full_pay_members.reporting_year = populations.reporting_year
            and full_pay_members.breakdown = populations.breakdown
            and full_pay_members.characteristic = populations.characteristic
    group by
        full_pay_members.org_code,
        full_pay_members.reporting_year,
        full_pay_members.breakdown,
        full_pay_members.characteristic,
        segment,
        full_pay_members.group_name

),

-- The block of positions each segment occupies. A range window over the segment
-- counts everyone in this segment or a lower one, all groups in the segment included
-- (they are peers).
segment_blocks as (

    select
        org_code,
        reporting_year,
        breakdown,
        characteristic,
        segment,
        group_name,
        employees,
        cast(sum(employees) over (
            partition by org_code, reporting_year, breakdown, characteristic, segment
        ) as bigint) as employees_in_segment,
        cast(sum(employees) over (
            partition by org_code, reporting_year, breakdown, characteristic
            order by segment
            range between unbounded preceding and current row
        ) as bigint) as block_end
    from segment_groups

),

-- Slots of the segment's block inside the quartile, shared by the group mix in the
-- segment: at a boundary rate, the mix at that rate; elsewhere the whole segment is in
-- one quartile, so each group's count goes there unchanged.
allocations as (

    select
        segment_blocks.org_code,
        segment_blocks.reporting_year,
        segment_blocks.breakdown,
        segment_blocks.characteristic,
        segment_blocks.group_name,
        quartile_bounds.quartile,
        cast(segment_blocks.employees as {{ type_double() }})
        * (
            least(segment_blocks.block_end, quartile_bounds.quartile_end)
            - greatest(
                segment_blocks.block_end - segment_blocks.employees_in_segment,
                quartile_bounds.quartile_start
            )
        )
        / segment_blocks.employees_in_segment as employees_in_quartile
    from segment_blocks
    inner join quartile_bounds
        on
            segment_blocks.org_code = quartile_bounds.org_code
            and segment_blocks.reporting_year = quartile_bounds.reporting_year
            and segment_blocks.breakdown = quartile_bounds.breakdown
            and segment_blocks.characteristic = quartile_bounds.characteristic
            -- the segment's block and the quartile overlap
            and segment_blocks.block_end - segment_blocks.employees_in_segment
            < quartile_bounds.quartile_end
            and segment_blocks.block_end > quartile_bounds.quartile_start

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
