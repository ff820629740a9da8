-- Relevant employees for the pay gap measures: one row per person in post at the
-- 31 March snapshot, per trust and reporting year, with their assignments combined
-- (the statutory method of the Equality Act 2010 (Specific Duties and Public
-- Authorities) Regulations 2017, Schedule 1, as docs/metrics-pay-gaps.md describes it).
-- Groups, staff group and band come from the primary assignment; pay, hours and the
-- full-pay test come from all the person's assignments except non-executive director
-- posts, which are office-holder fees, not employment.

with

assignments as (

    select * from {{ ref('stg_esr__assignments') }}

),

ethnic_categories as (

    select * from {{ ref('ethnic_categories') }}

),

employed_assignments as (

    select * from assignments
    where assignment_category <> 'Non-Executive Director'

),

-- A person's assignments count as one job: weekly pay and weekly hours are summed before
-- dividing, so the hourly rate is weighted by hours (two posts at £20 and £30 an hour for
-- 30 and 10 hours give £22.50, not £25). Weekly pay is the pay period's ordinary pay
-- scaled to seven days (Schedule 1 paragraph 6). The cast to double precision comes
-- before any arithmetic so every database computes the same rate.
combined as (

    select
        org_code,
        reporting_year,
        person_id,
        count(*) as assignments_combined,
        sum(
            cast(ordinary_pay_period as {{ type_double() }}) * 7 / pay_period_days
        ) as weekly_ordinary_pay,
        sum(weekly_contracted_hours) as weekly_contracted_hours,
        -- One assignment on reduced or nil pay because of leave makes the person not
        -- full-pay relevant. min() over 0/1 is bool_and() in portable SQL.
        min(case when full_pay_relevant then 1 else 0 end) = 1 as is_full_pay_relevant,
        sum(bonus_pay_12m) as bonus_pay_12m
    from employed_assignments
    group by org_code, reporting_year, person_id

),

-- Groups (metrics.md) come from the primary assignment; anything not recognised is
-- Unknown, never dropped.
primary_assignments as (

    select
        assignments.org_code,
        assignments.reporting_year,
        assignments.person_id,
        assignments.staff_group_code,
        assignments.pay_band,
        coalesce(ethnic_categories.wres_group, 'Unknown') as ethnicity_group,
        case
            when assignments.sex in ('Male', 'Female') then assignments.sex
            else 'Unknown'
        end as sex_group,
        case assignments.disability
            when 'Yes' then 'Disabled'
            when 'No' then 'Non-disabled'
            else 'Unknown'
        end as disability_group
    from assignments
    left join ethnic_categories
        on assignments.ethnic_category_code = ethnic_categories.ethnic_category_code
    where assignments.is_primary_assignment

),

employees as (

    select
        combined.org_code,
        combined.reporting_year,
        combined.person_id,

        -- groups and job, from the primary assignment
        primary_assignments.sex_group,
        primary_assignments.ethnicity_group,
        primary_assignments.disability_group,
        primary_assignments.staff_group_code,
        primary_assignments.pay_band,

        -- pay, from the combined assignments
        combined.assignments_combined,
        combined.weekly_ordinary_pay,
        combined.weekly_contracted_hours,
        combined.is_full_pay_relevant,
        combined.bonus_pay_12m,
        combined.weekly_ordinary_pay / combined.weekly_contracted_hours as hourly_rate,
        combined.bonus_pay_12m > 0 as received_bonus

    from combined
    inner join primary_assignments
        on
            combined.org_code = primary_assignments.org_code
            and combined.reporting_year = primary_assignments.reporting_year
            and combined.person_id = primary_assignments.person_id

)

select * from employees
