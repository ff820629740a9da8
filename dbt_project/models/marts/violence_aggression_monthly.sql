-- Monthly violence and aggression incidents per trust, for statistical process control
-- (XmR) charts: twelve points a year, which SPC needs and annual figures cannot give.
--
-- One row per org_code and month (YYYY-MM) of every trust-year the marts cover, every
-- month present (zero incidents when there were none), with the year's workforce WTE
-- and the rate annualised so that a month compares with the annual rate:
-- incidents_per_1000_wte = incidents x 12 x 1000 / wte. Each month counts as a twelfth
-- of a year whatever its length (February is not scaled up), so the twelve monthly rates
-- average exactly to va_incidents_per_1000_wte of marts.violence_aggression.
-- The system (ICS) row pools the incidents and WTE of member trust-years that have a
-- workforce WTE, the same trust-years as the system rate in marts.violence_aggression.

with

trust_years as (

    select * from {{ ref('int_violence_trust_years') }}

),

incidents as (

    select * from {{ ref('int_incidents_linked') }}

),

-- the twelve months of a reporting year as offsets from 1 April, with the calendar year
-- offset and the two-digit month number that name them (offset 9 = January of the
-- following calendar year); written out here so no date series function is needed
month_offsets as (

    {%- for offset in range(12) %}
        select
            {{ offset }} as month_offset,
            {{ 1 if offset >= 9 else 0 }} as calendar_year_offset,
            '{{ "%02d" | format((offset + 3) % 12 + 1) }}' as month_number
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

incidents_by_month as (

    select
        org_code,
        reporting_year,
        month_offset,
        count(*) as incidents

    from incidents
    group by org_code, reporting_year, month_offset

),

trust_months as (

    select
        trust_years.org_code,
        trust_years.reporting_year,
        month_offsets.month_offset,
        month_offsets.calendar_year_offset,
        month_offsets.month_number,
        trust_years.workforce_wte as wte,
        coalesce(incidents_by_month.incidents, 0) as incidents

    from trust_years
    cross join month_offsets
    left join incidents_by_month
        on
            trust_years.org_code = incidents_by_month.org_code
            and trust_years.reporting_year = incidents_by_month.reporting_year
            and month_offsets.month_offset = incidents_by_month.month_offset

),

-- pooled over trust-years with a workforce WTE, so that the system rate divides the
-- incidents of the same trusts whose WTE it adds up
system_months as (

    select
        '{{ var("icb_code") }}' as org_code,
        reporting_year,
        month_offset,
        calendar_year_offset,
        month_number,
        sum(case when wte > 0 then incidents else 0 end) as incidents,
        sum(case when wte > 0 then cast(wte as decimal(18, 4)) end) as wte

    from trust_months
    group by reporting_year, month_offset, calendar_year_offset, month_number

),

all_months as (

    select
        org_code,
        reporting_year,
        month_offset,
        calendar_year_offset,
        month_number,
        incidents,
        wte
    from trust_months

    union all

    select
        org_code,
        reporting_year,
        month_offset,
        calendar_year_offset,
        month_number,
        incidents,
        wte
    from system_months

),

final as (

    select
        org_code,
        reporting_year,
        -- YYYY-MM; `month` is the contract's column name, keyword or not
        {{ dbt.concat([
            dbt.cast(
                reporting_year_first_calendar_year('reporting_year') ~ ' + calendar_year_offset',
                dbt.type_string()
            ),
            "'-'",
            'month_number'
        ]) }} as month,  -- noqa: RF04
        cast(
            {{ dbt.dateadd('month', 'month_offset', reporting_year_start_date('reporting_year')) }}
            as date
        ) as month_start,
        cast(incidents as {{ dbt.type_bigint() }}) as incidents,
        cast(wte as {{ type_double() }}) as wte,
        12 * 1000 * {{ safe_divide('incidents', 'wte') }} as incidents_per_1000_wte,
        -- no WTE: the trust sent no ESR extract for the year (or it had no workforce)
        case when coalesce(wte, 0) = 0 then 'no_population' end as note

    from all_months

)

select * from final
