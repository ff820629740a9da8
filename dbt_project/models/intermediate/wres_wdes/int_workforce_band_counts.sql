-- Workforce headcount by pay band and group, for WRES 1 (White, BME, Unknown) and WDES 1
-- (Disabled, Non-disabled, Unknown): one row per trust, year, metric, breakdown and group.
--
-- Breakdowns are `clinical:<band>` and `non_clinical:<band>` for every band present in
-- the trust's workforce that year, and `overall` for the whole workforce (metrics.md).
-- The workforce leaves out bank-only staff, non-executive directors and students
-- (int_people.is_workforce). Each band's denominator is its whole headcount, Unknown
-- members included, so a band's three groups add up to it; every group gets a row,
-- zero included.

with

people as (

    select * from {{ ref('int_people') }}

),

workforce as (

    select * from people
    where is_workforce

),

-- the characteristic each metric compares, one row per person and metric
person_groups as (

    select
        org_code,
        reporting_year,
        'wres_1' as metric_id,
        staff_category,
        coalesce(pay_band, 'Not recorded') as pay_band,
        ethnicity_group as group_name
    from workforce

    union all

    select
        org_code,
        reporting_year,
        'wdes_1' as metric_id,
        staff_category,
        coalesce(pay_band, 'Not recorded') as pay_band,
        disability_group as group_name
    from workforce

),

-- each person counts once in their band and once in the whole workforce
person_breakdowns as (

    select
        org_code,
        reporting_year,
        metric_id,
        {{ dbt.concat(['staff_category', "':'", 'pay_band']) }} as breakdown,
        group_name
    from person_groups

    union all

    select
        org_code,
        reporting_year,
        metric_id,
        'overall' as breakdown,
        group_name
    from person_groups

),

metric_groups as (

    {%- set metric_groups = [
        ('wres_1', ['White', 'BME', 'Unknown']),
        ('wdes_1', ['Disabled', 'Non-disabled', 'Unknown']),
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

trust_years as (

    select distinct
        org_code,
        reporting_year
    from people

),

metrics as (

    select distinct metric_id from metric_groups

),

-- the bands present in the trust's workforce that year; `overall` for every trust-year
-- with an ESR extract, even one whose workforce is empty (shown as no population)
breakdowns as (

    select distinct
        org_code,
        reporting_year,
        metric_id,
        breakdown
    from person_breakdowns

    union

    select
        trust_years.org_code,
        trust_years.reporting_year,
        metrics.metric_id,
        'overall' as breakdown
    from trust_years
    cross join metrics

),

grid as (

    select
        breakdowns.org_code,
        breakdowns.reporting_year,
        breakdowns.metric_id,
        breakdowns.breakdown,
        metric_groups.group_name
    from breakdowns
    inner join metric_groups
        on breakdowns.metric_id = metric_groups.metric_id

),

group_counts as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        count(*) as headcount
    from person_breakdowns
    group by org_code, reporting_year, metric_id, breakdown, group_name

),

breakdown_totals as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        count(*) as breakdown_headcount
    from person_breakdowns
    group by org_code, reporting_year, metric_id, breakdown

),

final as (

    select
        grid.org_code,
        grid.reporting_year,
        grid.metric_id,
        grid.breakdown,
        grid.group_name,
        coalesce(group_counts.headcount, 0) as headcount,
        coalesce(breakdown_totals.breakdown_headcount, 0) as breakdown_headcount
    from grid
    left join group_counts
        on
            grid.org_code = group_counts.org_code
            and grid.reporting_year = group_counts.reporting_year
            and grid.metric_id = group_counts.metric_id
            and grid.breakdown = group_counts.breakdown
            and grid.group_name = group_counts.group_name
    left join breakdown_totals
        on
            grid.org_code = breakdown_totals.org_code
            and grid.reporting_year = breakdown_totals.reporting_year
            and grid.metric_id = breakdown_totals.metric_id
            and grid.breakdown = breakdown_totals.breakdown

)

select * from final
