{#-
    Interval statistics shared by every indicator mart. Each macro takes SQL
    expressions (usually column names) and returns an SQL expression, written
    only with functions that DuckDB, PostgreSQL and Spark all have (sqrt, ln,
    exp, nullif), so the marts stay portable.

    Decimal literals such as 1.96 are exact decimals on every engine, but a
    decimal divided by a number is a double on DuckDB and an exact decimal,
    rounded to about 16 digits, on PostgreSQL, which would then differ from
    DuckDB in the last digits. So every such quotient divides a double
    (to_double): the value DuckDB already converts to, so DuckDB's results are
    unchanged and PostgreSQL does the same double arithmetic.
-#}

{#- an expression as a double, the type DuckDB gives a decimal it divides -#}
{% macro to_double(expression) -%}
    cast({{ expression }} as {{ type_double() }})
{%- endmacro %}

{#- numerator / denominator as a double, null when the denominator is zero or null -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#-
    Wilson score interval for a proportion x/n (0-1 scale), 95% by default.
    centre = (p + z²/2n) / (1 + z²/n); half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    Null when n is zero. It stays inside [0, 1] and is sensible at p = 0 or 1,
    unlike the normal approximation.
-#}
{% macro wilson_lower(x, n, z=1.96) -%}
    {{ _wilson(x, n, z, '-') }}
{%- endmacro %}

{% macro wilson_upper(x, n, z=1.96) -%}
    {{ _wilson(x, n, z, '+') }}
{%- endmacro %}

{% macro _wilson(x, n, z, sign) -%}
    (
        (
            {{ safe_divide(x, n) }} + {{ to_double(z ~ ' * ' ~ z) }} / (2.0 * nullif({{ n }}, 0))
            {{ sign }} {{ z }} * sqrt(
                {{ safe_divide(x, n) }} * (1 - {{ safe_divide(x, n) }}) / nullif({{ n }}, 0)
                + {{ to_double(z ~ ' * ' ~ z) }} / (4.0 * nullif({{ n }}, 0) * nullif({{ n }}, 0))
            )
        )
        / (1 + {{ to_double(z ~ ' * ' ~ z) }} / nullif({{ n }}, 0))
    )
{%- endmacro %}

{#-
    Relative likelihood (risk ratio) of group 1 against group 2:
    (a / n1) / (c / n2), where a and c are the events and n1 and n2 the populations.
    Katz log interval: exp(ln(RL) ± z·sqrt(1/a − 1/n1 + 1/c − 1/n2)).
    The ratio is null when either population or the comparator's events are zero
    (see relative_likelihood_note); the interval is also null when a is zero,
    because the log method is undefined there.
-#}
{% macro relative_likelihood(a, n1, c, n2) -%}
    (
        case
            when {{ n1 }} > 0 and {{ n2 }} > 0 and {{ c }} > 0
                then {{ safe_divide(a, n1) }} / {{ safe_divide(c, n2) }}
        end
    )
{%- endmacro %}

{% macro katz_lower(a, n1, c, n2, z=1.96) -%}
    {{ _katz(a, n1, c, n2, z, '-') }}
{%- endmacro %}

{% macro katz_upper(a, n1, c, n2, z=1.96) -%}
    {{ _katz(a, n1, c, n2, z, '+') }}
{%- endmacro %}

{% macro _katz(a, n1, c, n2, z, sign) -%}
    (
        case
            when {{ a }} > 0 and {{ c }} > 0 and {{ n1 }} > 0 and {{ n2 }} > 0
                then exp(
                    ln({{ relative_likelihood(a, n1, c, n2) }})
                    {{ sign }} {{ z }} * sqrt(
                        1 / {{ to_double(a) }} - 1 / {{ to_double(n1) }}
                        + 1 / {{ to_double(c) }} - 1 / {{ to_double(n2) }}
                    )
                )
        end
    )
{%- endmacro %}

{#- Why a relative likelihood is null: no population in a group, or no events in the comparator -#}
{% macro relative_likelihood_note(a, n1, c, n2) -%}
    (
        case
            when coalesce({{ n1 }}, 0) = 0 or coalesce({{ n2 }}, 0) = 0 then 'no_population'
            when coalesce({{ c }}, 0) = 0 then 'zero_comparator'
        end
    )
{%- endmacro %}
