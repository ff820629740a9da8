"""Stand-in for dbt's `adapter` object, for SQLFluff's jinja templater only.

Project macros pick their SQL per database with adapter.dispatch(); under SQLFluff there
is no adapter, so dispatch returns a function rendering what the default (DuckDB)
implementation renders. Add a line here when a new dispatched macro is used in a model.
"""

_RENDERED = {
    "type_double": "double precision",
    "type_money": "decimal(18, 2)",
}


def dispatch(macro_name, macro_namespace=None):
    rendered = _RENDERED.get(macro_name, macro_name)
    return lambda *args, **kwargs: rendered
