-- The trust-years the violence marts cover, with the workforce WTE their rates divide by.
--
-- One row per trust and reporting year that sent an ESR extract or incidents. WTE is
-- metrics.md's: the fte of every assignment of every workforce person (primary
-- assignment neither Bank nor Non-Executive Director, staff group not 02 Students),
-- from the same year's ESR extract; int_people already adds up each person's
-- assignments in total_fte. A trust-year with ESR but no incidents has incidents = 0, so
-- its rates are zero, not null; one without ESR has no WTE (null), so its rates are
-- null (note no_population in the marts).

with

people as (

    select * from {{ ref('int_people') }}

),

incidents as (

    select * from {{ ref('int_incidents_linked') }}

),

-- The WTE is added up as an exact decimal so that it does not depend on the order in
-- which the warehouse adds the rows (a floating-point sum can differ in its last digits
-- from run to run). Coalesced to 0: an ESR extract with no workforce in it has a WTE of
-- zero, which is not the same as having no extract at all (null).
workforce as (

    select
        org_code,
        reporting_year,
        sum(case when is_workforce then 1 else 0 end) as workforce_headcount,
        cast(
            coalesce(
                sum(case when is_workforce then cast(total_fte as decimal(18, 4)) end), 0
            )
            as {{ type_double() }}
        ) as workforce_wte

    from people
    group by org_code, reporting_year

),

incident_counts as (

    select
        org_code,
        reporting_year,
        count(*) as incidents

    from incidents
    group by org_code, reporting_year

),

trust_years as (

    select
        org_code,
        reporting_year
    from workforce

    union

    select
        org_code,
        reporting_year
    from incident_counts

),

covered as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        workforce.workforce_headcount,
        workforce.workforce_wte,
        workforce.org_code is not null as has_esr_extract,
        coalesce(incident_counts.incidents, 0) as incidents

    from trust_years
    left join workforce
        on
            trust_years.org_code = workforce.org_code
            and trust_years.reporting_year = workforce.reporting_year
    left join incident_counts
        on
            trust_years.org_code = incident_counts.org_code
            and trust_years.reporting_year = incident_counts.reporting_year

)

select * from covered
