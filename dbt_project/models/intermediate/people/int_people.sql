-- People in post at the 31 March snapshot: one row per person per trust-year.
--
-- Headcounts count people, not assignments (metrics.md): a person's group, band,
-- staff group and category come from their primary assignment, and a person has an
-- HR event or a board role when any of their assignments is flagged.

with

assignments as (

    select * from {{ ref('stg_esr__assignments') }}

),

ethnic_categories as (

    select * from {{ ref('ethnic_categories') }}

),

staff_groups as (

    select * from {{ ref('staff_groups') }}

),

pay_bands as (

    select * from {{ ref('pay_bands') }}

),

assignment_categories as (

    select * from {{ ref('assignment_categories') }}

),

primary_assignments as (

    select * from assignments
    where is_primary_assignment

),

-- max over 0/1 rather than bool_or: the same SQL then runs on every warehouse
person_totals as (

    select
        org_code,
        reporting_year,
        person_id,
        count(*) as assignment_count,
        sum(fte) as total_fte,
        max(case when board_member then 1 else 0 end) = 1 as is_board_member,
        max(case when board_member and board_voting then 1 else 0 end) = 1
            as is_board_voting,
        max(case when board_member and board_executive then 1 else 0 end) = 1
            as is_board_executive,
        max(case when entered_disciplinary then 1 else 0 end) = 1 as entered_disciplinary,
        max(case when entered_capability then 1 else 0 end) = 1 as entered_capability,
        max(case when nonmandatory_training then 1 else 0 end) = 1
            as accessed_nonmandatory_training

    from assignments
    group by org_code, reporting_year, person_id

),

people as (

    select
        -- keys
        primary_assignments.org_code,
        primary_assignments.reporting_year,
        primary_assignments.person_id,

        -- role, from the primary assignment
        primary_assignments.assignment_category,
        primary_assignments.staff_group_code,
        staff_groups.staff_category,
        primary_assignments.pay_band,
        pay_bands.band_order,
        pay_bands.band_family,
        pay_bands.is_8c_and_above,

        -- equality groups, from the primary assignment; anything unrecognised is Unknown
        primary_assignments.ethnic_category_code,
        coalesce(ethnic_categories.wres_group, 'Unknown') as ethnicity_group,
        case primary_assignments.disability
            when 'Yes' then 'Disabled'
            when 'No' then 'Non-disabled'
            else 'Unknown'
        end as disability_group,
        case
            when primary_assignments.sex in ('Male', 'Female') then primary_assignments.sex
            else 'Unknown'
        end as sex_group,
        primary_assignments.age_band,

        -- populations (metrics.md): the workforce leaves out bank-only staff,
        -- non-executive directors and students
        (
            coalesce(assignment_categories.in_workforce, false)
            and staff_groups.staff_category <> 'student'
        ) as is_workforce,
        coalesce(assignment_categories.is_non_executive, false) as is_non_executive_director,

        -- across all the person's assignments
        person_totals.assignment_count,
        person_totals.total_fte,
        person_totals.is_board_member,
        person_totals.is_board_voting,
        person_totals.is_board_executive,
        person_totals.entered_disciplinary,
        person_totals.entered_capability,
        person_totals.accessed_nonmandatory_training

    from primary_assignments
    inner join person_totals
        on
            primary_assignments.org_code = person_totals.org_code
            and primary_assignments.reporting_year = person_totals.reporting_year
            and primary_assignments.person_id = person_totals.person_id
    left join ethnic_categories
        on primary_assignments.ethnic_category_code = ethnic_categories.ethnic_category_code
    left join staff_groups
        on primary_assignments.staff_group_code = staff_groups.staff_group_code
    left join pay_bands
        on primary_assignments.pay_band = pay_bands.pay_band
    left join assignment_categories
        on primary_assignments.assignment_category = assignment_categories.assignment_category

)

select * from people
