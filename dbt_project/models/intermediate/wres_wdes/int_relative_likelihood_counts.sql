-- Events and populations behind the relative-likelihood metrics, one row per trust,
-- year, metric and group (White, BME, Unknown or Disabled, Non-disabled, Unknown):
--
--   wres_2 / wdes_2  shortlisted applicants, and those of them appointed
--   wres_3           workforce headcount, and those entering the formal disciplinary process
--   wres_4           workforce headcount, and those accessing non-mandatory training / CPD
--   wdes_3           workforce headcount, and those entering the formal capability process
--
-- The grid is complete: every trust-year with an ESR or recruitment extract gets every
-- metric and group, zero counts included, so a year without applications reports "no
-- population" instead of vanishing. Unknown rows are kept so that the unknowns are
-- counted; the marts compare only the two known groups.

with

people as (

    select * from {{ ref('int_people') }}

),

applications as (

    select * from {{ ref('int_applications_grouped') }}

),

trust_years as (

    select distinct
        org_code,
        reporting_year
    from people

    union

    select distinct
        org_code,
        reporting_year
    from applications

),

metric_groups as (

    {%- set metric_groups = [
        ('wres_2', ['White', 'BME', 'Unknown']),
        ('wres_3', ['White', 'BME', 'Unknown']),
        ('wres_4', ['White', 'BME', 'Unknown']),
        ('wdes_2', ['Disabled', 'Non-disabled', 'Unknown']),
        ('wdes_3', ['Disabled', 'Non-disabled', 'Unknown']),
    ] %}
    {%- for metric_id, groups in metric_groups %}
        {%- for group_name in groups %}
            select
                '{{ metric_id }}' as metric_id,
                '{{ group_name }}' as group_name
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

grid as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        metric_groups.metric_id,
        metric_groups.group_name
    from trust_years
    cross join metric_groups

),

-- one row per person (or application) at risk, with whether the event happened
at_risk as (

    select
        org_code,
        reporting_year,
        'wres_2' as metric_id,
        ethnicity_group as group_name,
        case when appointed_from_shortlist then 1 else 0 end as had_event
    from applications
    where shortlisted

    union all

    select
        org_code,
        reporting_year,
        'wdes_2' as metric_id,
        disability_group as group_name,
        case when appointed_from_shortlist then 1 else 0 end as had_event
    from applications
    where shortlisted

    union all

    select
        org_code,
        reporting_year,
        'wres_3' as metric_id,
        ethnicity_group as group_name,
        case when entered_disciplinary then 1 else 0 end as had_event
    from people
    where is_workforce

    union all

    select
        org_code,
        reporting_year,
        'wres_4' as metric_id,
        ethnicity_group as group_name,
        case when accessed_nonmandatory_training then 1 else 0 end as had_event
    from people
    where is_workforce

    union all

    select
        org_code,
        reporting_year,
        'wdes_3' as metric_id,
        disability_group as group_name,
        case when entered_capability then 1 else 0 end as had_event
    from people
    where is_workforce

),

counted as (

    select
        org_code,
        reporting_year,
        metric_id,
        group_name,
        -- bigint on every warehouse (DuckDB sums integers into a 128-bit type)
        cast(sum(had_event) as {{ dbt.type_bigint() }}) as events,
        count(*) as population
    from at_risk
    group by org_code, reporting_year, metric_id, group_name

),

final as (

    select
        grid.org_code,
        grid.reporting_year,
        grid.metric_id,
        grid.group_name,
        coalesce(counted.events, 0) as events,
        coalesce(counted.population, 0) as population
    from grid
    left join counted
        on
            grid.org_code = counted.org_code
            and grid.reporting_year = counted.reporting_year
            and grid.metric_id = counted.metric_id
            and grid.group_name = counted.group_name

)

select * from final
