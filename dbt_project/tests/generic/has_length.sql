{#-
    Fails for every non-null value whose length in characters is not the given one: an
    ODS code has 3, a pseudonym (hex HMAC-SHA256) has 64. A pseudonym of the wrong length
    means ingest wrote something other than a hash, possibly a raw identifier.
-#}
{% test has_length(model, column_name, length) %}

select
    {{ column_name }} as value_field,
    {{ dbt.length(column_name) }} as value_length
from {{ model }}
where {{ column_name }} is not null
    and {{ dbt.length(column_name) }} <> {{ length }}

{% endtest %}
