-- Violence and aggression incidents, one row per incident, with the victim linked to
-- the ESR extract where the incident system recorded who it was.
--
-- Ingest pseudonymises the victim's employee number with the same key (and the same
-- leading-zero normalisation) as ESR's, so victim_person_id equals the victim's
-- person_id. metrics.md counts a victim as linked only when the number belongs to a
-- person in post in the same trust's ESR extract for the same reporting year: a number
-- from another trust or another year, a number no one has, or a blank leaves the
-- incident unlinked. Any person in post links (bank staff and non-executives included);
-- whether the victim is in the workforce is kept beside, because the victim rates divide
-- by workforce headcounts.

with

incidents as (

    select * from {{ ref('stg_incidents__incidents') }}

),

people as (

    select * from {{ ref('int_people') }}

),

linked as (

    select
        -- keys
        incidents.org_code,
        incidents.reporting_year,
        incidents.incident_id,
        incidents.source_row,

        -- when: months since 1 April of the reporting year (0 = April ... 11 = March),
        -- which the monthly series joins on. A whole number everywhere: DuckDB's
        -- datediff is a bigint already, dbt-postgres's a double (date_part arithmetic).
        incidents.incident_date,
        cast(
            {{ dbt.datediff(
                reporting_year_start_date('incidents.reporting_year'),
                'incidents.incident_date',
                'month'
            ) }} as {{ dbt.type_bigint() }}
        ) as month_offset,

        -- what happened
        incidents.category,
        incidents.perpetrator,
        incidents.harm_level,
        incidents.harm_level in ('Moderate', 'Severe', 'Death') as is_moderate_or_worse_harm,
        incidents.reported_to_police,
        incidents.staff_group_code,

        -- who was hurt: their groups come from the primary assignment that year
        incidents.victim_person_id,
        people.person_id is not null as is_victim_linked,
        coalesce(people.is_workforce, false) as is_victim_in_workforce,
        people.ethnicity_group as victim_ethnicity_group,
        people.disability_group as victim_disability_group

    from incidents
    -- int_people has one row per person per trust-year, so the join cannot fan out
    left join people
        on
            incidents.org_code = people.org_code
            and incidents.reporting_year = people.reporting_year
            and incidents.victim_person_id = people.person_id

)

select * from linked
