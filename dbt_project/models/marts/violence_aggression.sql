-- Violence and aggression against staff (EDI Improvement Plan high impact action 6), in
-- the long shape shared with the WRES and WDES marts (metrics.md): one row per org_code,
-- reporting year, metric, breakdown and group, with the counts behind each value.
--
-- int_violence_counts holds every trust row's numerator and denominator, grids
-- complete. This model adds the system (ICS) row from pooled counts, then the values,
-- their 95% intervals and a note wherever a value is null (macros/indicators.sql for
-- the shared steps):
--   va_incidents_per_1000_wte (per_1000_wte), va_victim_rate groups (per_1000_staff):
--       1000 x count / denominator. Interval: the count's exact Poisson limits
--       (tabulated below for counts 0-9) or Byar's approximation from 10 on (within
--       0.2% of exact there), divided by the denominator, which is taken as fixed.
--   va_moderate_harm_pct, va_police_pct, va_linked_pct, va_survey_*: percent, Wilson.
--   va_victim_rate relative_likelihood (BME vs White, Disabled vs Non-disabled): ratio of
--       the two groups' rates, with a log (Katz-type) interval whose variance, 1/a + 1/c,
--       is that of a ratio of two Poisson counts: the numerators count incidents, not
--       people (one person can be hurt twice), so the binomial Katz terms -1/n do not
--       apply.
-- docs/metrics-violence.md explains each measure for analysts.

{% set icb_code = var('icb_code') %}
{% set z = 1.96 %}
{# Exact 95% Poisson limits for a count x (Garwood: chi-square quantiles
    chi2(0.025; 2x) / 2 and chi2(0.975; 2x + 2) / 2), used where Byar's approximation is
    least accurate (its lower limit at x = 1 is half the exact one). #}
{% set exact_poisson_limits = [
    (0, 0.0, 3.688879),
    (1, 0.025318, 5.571643),
    (2, 0.242209, 7.224688),
    (3, 0.618672, 8.767273),
    (4, 1.089865, 10.241589),
    (5, 1.623486, 11.668332),
    (6, 2.201894, 13.059474),
    (7, 2.814363, 14.422675),
    (8, 3.453832, 15.763189),
    (9, 4.115373, 17.084803),
] %}

with

-- Denominators as exact decimals while they are pooled, so that the system's WTE is the
-- same to the last digit on every row (a floating-point sum depends on the order in
-- which the warehouse happens to add the trusts).
counts as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        numerator,
        cast(denominator as decimal(18, 4)) as denominator
    from {{ ref('int_violence_counts') }}

),

-- trusts' counts plus the system's, summed across trusts (pooled counts)
pooled_exact as (

    {{ union_system_rows('counts', icb_code) }}

),

pooled as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        numerator,
        cast(denominator as {{ type_double() }}) as denominator
    from pooled_exact

),

-- rates per 1,000 ---------------------------------------------------------------------

-- Byar's approximation to the 95% Poisson limits of a count x:
--   lower = x (1 - 1/(9x) - z/(3 sqrt(x)))^3, upper = (x+1) (1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
-- Counts are divided as doubles (to_double, macros/statistics.sql): PostgreSQL would
-- otherwise divide exact decimals and differ from DuckDB in the last digits.
byar_roots as (

    select
        *,
        case
            when numerator > 0
                then 1 - 1 / {{ to_double('9 * numerator') }}
                    - {{ z }} / (3 * sqrt({{ to_double('numerator') }}))
        end as byar_lower_root,
        case
            when numerator >= 0
                then 1 - 1 / {{ to_double('9 * (numerator + 1)') }}
                    + {{ z }} / (3 * sqrt({{ to_double('numerator + 1') }}))
        end as byar_upper_root

    from pooled
    where
        metric_id = 'va_incidents_per_1000_wte'
        or (metric_id = 'va_victim_rate' and group_name <> 'relative_likelihood')

),

-- 95% limits for the expected count behind a rate: exact below 10, Byar's from 10 on
count_limits as (

    select
        *,
        case
            {%- for count, lower, upper in exact_poisson_limits %}
                when numerator = {{ count }} then {{ lower }}
            {%- endfor %}
            when numerator >= 10 then numerator * power(byar_lower_root, 3)
        end as count_lower,
        case
            {%- for count, lower, upper in exact_poisson_limits %}
                when numerator = {{ count }} then {{ upper }}
            {%- endfor %}
            when numerator >= 10 then (numerator + 1) * power(byar_upper_root, 3)
        end as count_upper

    from byar_roots

),

rates as (

    select
        org_code,
        reporting_year,
        metric_id,
        breakdown,
        group_name,
        numerator,
        denominator,
        -- `value` is the contract's column name, keyword or not
        1000 * {{ safe_divide('numerator', 'denominator') }} as value,  -- noqa: RF04
        case
            when metric_id = 'va_victim_rate' then 'per_1000_staff' else 'per_1000_wte'
        end as unit,
        1000 * {{ safe_divide('count_lower', 'denominator') }} as ci_lower,
        1000 * {{ safe_divide('count_upper', 'denominator') }} as ci_upper,
        -- no WTE or headcount: no ESR extract for the year, or no one in the group
        case when coalesce(denominator, 0) = 0 then 'no_population' end as note

    from count_limits

),

-- percentages of incidents and of survey respondents (Wilson) --------------------------

shares as (

    {{ rate_rows(
        'pooled',
        unit='percent',
        metric_ids=[
            'va_moderate_harm_pct',
            'va_police_pct',
            'va_linked_pct',
            'va_survey_physical_public',
            'va_survey_physical_managers',
            'va_survey_physical_colleagues',
            'va_survey_sexual_public',
            'va_survey_sexual_staff',
        ]
    ) }}

),

-- relative likelihood of being the victim ---------------------------------------------

-- comparison group (BME, Disabled) against reference group (White, Non-disabled), from
-- the group rows' counts, the system's pooled counts included
victim_pairs as (

    select
        org_code,
        reporting_year,
        breakdown,
        max(case when group_name in ('BME', 'Disabled') then numerator end)
            as comparison_incidents,
        max(case when group_name in ('BME', 'Disabled') then denominator end)
            as comparison_headcount,
        max(case when group_name in ('White', 'Non-disabled') then numerator end)
            as reference_incidents,
        max(case when group_name in ('White', 'Non-disabled') then denominator end)
            as reference_headcount

    from pooled
    where metric_id = 'va_victim_rate'
    group by org_code, reporting_year, breakdown

),

likelihoods as (

    select
        org_code,
        reporting_year,
        breakdown,
        {{ relative_likelihood(
            'comparison_incidents', 'comparison_headcount',
            'reference_incidents', 'reference_headcount'
        ) }} as likelihood_ratio,
        {{ relative_likelihood_note(
            'comparison_incidents', 'comparison_headcount',
            'reference_incidents', 'reference_headcount'
        ) }} as note,
        -- standard error of ln(ratio) for two Poisson counts; the log interval needs
        -- incidents in both groups, so a ratio of 0 gets none
        case
            when comparison_incidents > 0 and reference_incidents > 0
                then sqrt(
                        1 / {{ to_double('comparison_incidents') }}
                        + 1 / {{ to_double('reference_incidents') }}
                    )
        end as log_standard_error

    from victim_pairs

),

likelihood_rows as (

    select
        org_code,
        reporting_year,
        'va_victim_rate' as metric_id,
        breakdown,
        'relative_likelihood' as group_name,
        cast(null as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator,
        likelihood_ratio as value,  -- noqa: RF04
        'ratio' as unit,
        case
            when likelihood_ratio > 0
                then exp(ln(likelihood_ratio) - {{ z }} * log_standard_error)
        end as ci_lower,
        case
            when likelihood_ratio > 0
                then exp(ln(likelihood_ratio) + {{ z }} * log_standard_error)
        end as ci_upper,
        note

    from likelihoods

),

indicators as (

    select * from rates
    union all
    select * from shares
    union all
    select * from likelihood_rows

),

-- numerator and denominator as double precision: a WTE denominator is not whole
final as (

    select {{ indicator_columns(type_double()) }}
    from indicators

)

select * from final
