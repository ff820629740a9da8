-- Job applications with the applicant's WRES and WDES groups: one row per application.
--
-- Applicants are grouped exactly as staff are (metrics.md, Groups): ethnic categories
-- A-C White and D-S BME through the ethnic_categories seed, anything else (Z, blank, a
-- code the seed does not know) Unknown; disability Yes is Disabled, No Non-disabled,
-- anything else Unknown. Unknown applicants stay in the table: WRES 2 and WDES 2
-- exclude them from both compared groups, but they are counted.

with

applications as (

    select * from {{ ref('stg_recruitment__applications') }}

),

ethnic_categories as (

    select * from {{ ref('ethnic_categories') }}

),

grouped as (

    select
        -- keys
        applications.org_code,
        applications.reporting_year,
        applications.application_id,
        applications.vacancy_id,

        -- post
        applications.pay_band,

        -- as submitted
        applications.ethnic_category_code,
        applications.disability,
        applications.shortlisted,

        -- applicant's groups
        coalesce(ethnic_categories.wres_group, 'Unknown') as ethnicity_group,
        case applications.disability
            when 'Yes' then 'Disabled'
            when 'No' then 'Non-disabled'
            else 'Unknown'
        end as disability_group,

        -- an appointment counts only from the shortlist (ingest quarantines an
        -- appointment without shortlisting, so this only guards against a leak)
        coalesce(applications.shortlisted and applications.appointed, false)
            as appointed_from_shortlist

    from applications
    left join ethnic_categories
        on applications.ethnic_category_code = ethnic_categories.ethnic_category_code

)

select * from grouped
