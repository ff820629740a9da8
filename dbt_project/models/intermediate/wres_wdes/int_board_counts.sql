-- Board and workforce membership behind WRES 9 (BME) and WDES 10 (Disabled): one row
-- per trust, year, metric, board breakdown and population (`board` or `workforce`).
--
-- The board is every person flagged board_member, non-executives included; its
-- breakdowns are board:all, board:voting, board:executive and board:non_executive (board
-- members who are not executives: the chair and non-executive directors). The workforce
-- is int_people.is_workforce, the same for every breakdown. Percentages of a population
-- include its Unknown members in the denominator (metrics.md), so `members` counts
-- everyone and `unknown_members` says how many of them are Unknown.

with

people as (

    select * from {{ ref('int_people') }}

),

trust_years as (

    select distinct
        org_code,
        reporting_year
    from people

),

board_breakdowns as (

    select 'board:all' as breakdown
    union all
    select 'board:voting' as breakdown
    union all
    select 'board:executive' as breakdown
    union all
    select 'board:non_executive' as breakdown

),

board_members as (

    select
        people.org_code,
        people.reporting_year,
        board_breakdowns.breakdown,
        people.ethnicity_group,
        people.disability_group
    from people
    cross join board_breakdowns
    where
        people.is_board_member
        and (
            board_breakdowns.breakdown = 'board:all'
            or (board_breakdowns.breakdown = 'board:voting' and people.is_board_voting)
            or (board_breakdowns.breakdown = 'board:executive' and people.is_board_executive)
            or (
                board_breakdowns.breakdown = 'board:non_executive'
                and not people.is_board_executive
            )
        )

),

board_counts as (

    select
        org_code,
        reporting_year,
        breakdown,
        'board' as population,
        count(*) as members,
        sum(case when ethnicity_group = 'BME' then 1 else 0 end) as bme_members,
        sum(case when ethnicity_group = 'Unknown' then 1 else 0 end) as ethnicity_unknown_members,
        sum(case when disability_group = 'Disabled' then 1 else 0 end) as disabled_members,
        sum(case when disability_group = 'Unknown' then 1 else 0 end) as disability_unknown_members
    from board_members
    group by org_code, reporting_year, breakdown

),

-- the workforce is counted once and set beside every board breakdown
workforce_counts as (

    select
        org_code,
        reporting_year,
        count(*) as members,
        sum(case when ethnicity_group = 'BME' then 1 else 0 end) as bme_members,
        sum(case when ethnicity_group = 'Unknown' then 1 else 0 end) as ethnicity_unknown_members,
        sum(case when disability_group = 'Disabled' then 1 else 0 end) as disabled_members,
        sum(case when disability_group = 'Unknown' then 1 else 0 end) as disability_unknown_members
    from people
    where is_workforce
    group by org_code, reporting_year

),

populations as (

    select 'board' as population
    union all
    select 'workforce' as population

),

grid as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        board_breakdowns.breakdown,
        populations.population
    from trust_years
    cross join board_breakdowns
    cross join populations

),

counted as (

    select
        grid.org_code,
        grid.reporting_year,
        grid.breakdown,
        grid.population,
        coalesce(board_counts.members, workforce_counts.members, 0) as members,
        coalesce(board_counts.bme_members, workforce_counts.bme_members, 0) as bme_members,
        coalesce(
            board_counts.ethnicity_unknown_members, workforce_counts.ethnicity_unknown_members, 0
        ) as ethnicity_unknown_members,
        coalesce(
            board_counts.disabled_members, workforce_counts.disabled_members, 0
        ) as disabled_members,
        coalesce(
            board_counts.disability_unknown_members, workforce_counts.disability_unknown_members, 0
        ) as disability_unknown_members
    from grid
    left join board_counts
        on
            grid.population = 'board'
            and grid.org_code = board_counts.org_code
            and grid.reporting_year = board_counts.reporting_year
            and grid.breakdown = board_counts.breakdown
    left join workforce_counts
        on
            grid.population = 'workforce'
            and grid.org_code = workforce_counts.org_code
            and grid.reporting_year = workforce_counts.reporting_year

),

-- long by metric: the group each metric counts (BME for WRES 9, Disabled for WDES 10);
-- bigint on every warehouse (DuckDB sums integers into a 128-bit type)
final as (

    select
        org_code,
        reporting_year,
        'wres_9' as metric_id,
        breakdown,
        population,
        cast(bme_members as {{ dbt.type_bigint() }}) as group_members,
        cast(ethnicity_unknown_members as {{ dbt.type_bigint() }}) as unknown_members,
        cast(members as {{ dbt.type_bigint() }}) as members
    from counted

    union all

    select
        org_code,
        reporting_year,
        'wdes_10' as metric_id,
        breakdown,
        population,
        cast(disabled_members as {{ dbt.type_bigint() }}) as group_members,
        cast(disability_unknown_members as {{ dbt.type_bigint() }}) as unknown_members,
        cast(members as {{ dbt.type_bigint() }}) as members
    from counted

)

select * from final
