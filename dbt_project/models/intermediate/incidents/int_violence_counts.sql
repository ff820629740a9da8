-- The counts behind every trust row of marts.violence_aggression: one row per trust,
-- reporting year, metric, breakdown and group, with the numerator and denominator the
-- mart divides (it adds the system row and the values, intervals and notes).
--
-- Grids are complete (metrics.md): every trust-year the marts cover gets every category
-- and perpetrator of the contract and both groups of each victim breakdown, zero counts
-- included; each survey metric present for a trust-year gets all five groups.
--
-- A count pair that cannot be completed is null on both sides: a trust-year without an
-- ESR extract has incidents but no WTE to divide them by, and no victim could link.
-- That is also what keeps the system row right: it adds up numerators and
-- denominators across trusts (union_system_rows), so a trust's incidents must not enter
-- the pooled numerator unless its WTE enters the denominator.
-- Survey metrics come only where int_survey_metrics has them, so a question not asked
-- that year (unwanted sexual behaviour before 2023) is absent, not zero.

{# The contract's incident categories and perpetrators (stg_incidents__incidents tests
    that no other value gets through, so no incident falls outside the grid). #}
{% set categories = [
    'Physical assault', 'Verbal abuse', 'Threatening behaviour', 'Sexual', 'Other'
] %}
{% set perpetrators = ['Patient', 'Relative or public', 'Staff'] %}
{% set survey_metrics = [
    'va_survey_physical_public',
    'va_survey_physical_managers',
    'va_survey_physical_colleagues',
    'va_survey_sexual_public',
    'va_survey_sexual_staff',
] %}

with

trust_years as (

    select * from {{ ref('int_violence_trust_years') }}

),

incidents as (

    select * from {{ ref('int_incidents_linked') }}

),

people as (

    select * from {{ ref('int_people') }}

),

survey as (

    select * from {{ ref('int_survey_metrics') }}

),

-- incidents per 1,000 WTE: overall, by category and by perpetrator -----------------------

rate_breakdowns as (

    select 'overall' as breakdown
    {%- for category in categories %}
        union all
        select 'category:{{ category }}' as breakdown
    {%- endfor %}
    {%- for perpetrator in perpetrators %}
        union all
        select 'perpetrator:{{ perpetrator }}' as breakdown
    {%- endfor %}

),

incidents_by_breakdown as (

    select
        org_code,
        reporting_year,
        'overall' as breakdown,
        count(*) as incidents
    from incidents
    group by org_code, reporting_year

    union all

    select
        org_code,
        reporting_year,
        {{ dbt.concat(["'category:'", 'category']) }} as breakdown,
        count(*) as incidents
    from incidents
    group by org_code, reporting_year, category

    union all

    select
        org_code,
        reporting_year,
        {{ dbt.concat(["'perpetrator:'", 'perpetrator']) }} as breakdown,
        count(*) as incidents
    from incidents
    group by org_code, reporting_year, perpetrator

),

-- a count only where there is a WTE to divide it by (see the pairing rule above)
rate_counts as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        'va_incidents_per_1000_wte' as metric_id,
        rate_breakdowns.breakdown,
        'all' as group_name,
        case
            when trust_years.workforce_wte > 0
                then coalesce(incidents_by_breakdown.incidents, 0)
        end as numerator,
        trust_years.workforce_wte as denominator

    from trust_years
    cross join rate_breakdowns
    left join incidents_by_breakdown
        on
            trust_years.org_code = incidents_by_breakdown.org_code
            and trust_years.reporting_year = incidents_by_breakdown.reporting_year
            and rate_breakdowns.breakdown = incidents_by_breakdown.breakdown

),

-- shares of incidents: moderate or worse harm, reported to police, victim linked ----------

incident_shares as (

    select
        org_code,
        reporting_year,
        sum(case when is_moderate_or_worse_harm then 1 else 0 end) as moderate_harm,
        sum(case when reported_to_police then 1 else 0 end) as reported_to_police,
        sum(case when is_victim_linked then 1 else 0 end) as linked

    from incidents
    group by org_code, reporting_year

),

shares_by_trust_year as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        trust_years.has_esr_extract,
        trust_years.incidents,
        coalesce(incident_shares.moderate_harm, 0) as moderate_harm,
        coalesce(incident_shares.reported_to_police, 0) as reported_to_police,
        coalesce(incident_shares.linked, 0) as linked

    from trust_years
    left join incident_shares
        on
            trust_years.org_code = incident_shares.org_code
            and trust_years.reporting_year = incident_shares.reporting_year

),

share_counts as (

    select
        org_code,
        reporting_year,
        'va_moderate_harm_pct' as metric_id,
        'overall' as breakdown,
        'all' as group_name,
        moderate_harm as numerator,
        incidents as denominator
    from shares_by_trust_year

    union all

    select
        org_code,
        reporting_year,
        'va_police_pct' as metric_id,
        'overall' as breakdown,
        'all' as group_name,
        reported_to_police as numerator,
        incidents as denominator
    from shares_by_trust_year

    union all

    -- without an ESR extract nothing could link: unknown, not 0%
    select
        org_code,
        reporting_year,
        'va_linked_pct' as metric_id,
        'overall' as breakdown,
        'all' as group_name,
        case when has_esr_extract then linked end as numerator,
        case when has_esr_extract then incidents end as denominator
    from shares_by_trust_year

),

-- victim rates: linked victims' incidents per workforce person of the group -------------

victim_groups as (

    select
        'ethnicity' as breakdown,
        'White' as group_name
    union all
    select
        'ethnicity' as breakdown,
        'BME' as group_name
    union all
    select
        'disability' as breakdown,
        'Disabled' as group_name
    union all
    select
        'disability' as breakdown,
        'Non-disabled' as group_name

),

workforce_by_group as (

    select
        org_code,
        reporting_year,
        'ethnicity' as breakdown,
        ethnicity_group as group_name,
        count(*) as headcount
    from people
    where is_workforce
    group by org_code, reporting_year, ethnicity_group

    union all

    select
        org_code,
        reporting_year,
        'disability' as breakdown,
        disability_group as group_name,
        count(*) as headcount
    from people
    where is_workforce
    group by org_code, reporting_year, disability_group

),

-- numerator and denominator describe the same people: an incident counts for a group
-- only when its victim is a workforce member of that group (a linked bank worker or
-- non-executive is in neither)
victim_incidents_by_group as (

    select
        org_code,
        reporting_year,
        'ethnicity' as breakdown,
        victim_ethnicity_group as group_name,
        count(*) as incidents
    from incidents
    where is_victim_in_workforce
    group by org_code, reporting_year, victim_ethnicity_group

    union all

    select
        org_code,
        reporting_year,
        'disability' as breakdown,
        victim_disability_group as group_name,
        count(*) as incidents
    from incidents
    where is_victim_in_workforce
    group by org_code, reporting_year, victim_disability_group

),

victim_counts as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        'va_victim_rate' as metric_id,
        victim_groups.breakdown,
        victim_groups.group_name,
        case
            when trust_years.has_esr_extract
                then coalesce(victim_incidents_by_group.incidents, 0)
        end as numerator,
        case
            when trust_years.has_esr_extract then coalesce(workforce_by_group.headcount, 0)
        end as denominator

    from trust_years
    cross join victim_groups
    left join workforce_by_group
        on
            trust_years.org_code = workforce_by_group.org_code
            and trust_years.reporting_year = workforce_by_group.reporting_year
            and victim_groups.breakdown = workforce_by_group.breakdown
            and victim_groups.group_name = workforce_by_group.group_name
    left join victim_incidents_by_group
        on
            trust_years.org_code = victim_incidents_by_group.org_code
            and trust_years.reporting_year = victim_incidents_by_group.reporting_year
            and victim_groups.breakdown = victim_incidents_by_group.breakdown
            and victim_groups.group_name = victim_incidents_by_group.group_name

),

-- staff survey: physical violence and unwanted sexual behaviour -------------------------

-- macros/indicators.sql: a metric absent for a trust-year (its question was not asked)
-- stays absent; once present, every group gets a row, breakdown `overall`
survey_counts as (

    {{ survey_counts(
        'survey',
        survey_metrics,
        ['all', 'White', 'BME', 'Disabled', 'Non-disabled']
    ) }}

),

all_counts as (

    select * from rate_counts
    union all
    select * from share_counts
    union all
    select * from victim_counts
    union all
    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        numerator,
        denominator
    from survey_counts

),

-- one type for every branch: whole counts, and a denominator that may be a WTE
typed as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator

    from all_counts

)

select * from typed
