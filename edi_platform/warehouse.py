"""Which warehouse dbt builds: DuckDB on this machine (default) or PostgreSQL.

One setting chooses it, read here by the Python side and by
``dbt_project/profiles.yml`` alike: ``EDI_WAREHOUSE=postgres``. PostgreSQL's
connection comes from the standard libpq variables, so ``psql``, dbt and the
raw loader (``edi_platform/postgres_load.py``) all reach the same database:

==============  ===========  ==========================================
variable        default      meaning
==============  ===========  ==========================================
``PGHOST``      localhost    server name, address or Unix socket folder
``PGPORT``      5432         port
``PGUSER``      edi          role dbt and the loader connect as
``PGPASSWORD``  (none)       its password; leave unset to use ~/.pgpass
``PGDATABASE``  edi          the warehouse database
==============  ===========  ==========================================

Other libpq variables (``PGSSLMODE``, ``PGSSLROOTCERT``, ...) are read by libpq
itself. The defaults below must stay the same as profiles.yml's.
"""

from __future__ import annotations

import os

DUCKDB = "duckdb"
POSTGRES = "postgres"
WAREHOUSES = (DUCKDB, POSTGRES)

# The dbt target for each warehouse has the warehouse's own name (profiles.yml).
_DEFAULTS = {"host": "localhost", "port": "5432", "user": "edi", "dbname": "edi"}
_VARIABLES = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE"}


class WarehouseSettingError(ValueError):
    pass


def warehouse() -> str:
    """``duckdb`` or ``postgres``, from ``EDI_WAREHOUSE``; a typo is refused, not defaulted."""
    chosen = (os.environ.get("EDI_WAREHOUSE") or DUCKDB).strip().lower()
    if chosen not in WAREHOUSES:
        raise WarehouseSettingError(
            f"EDI_WAREHOUSE={os.environ['EDI_WAREHOUSE']!r}: expected one of {', '.join(WAREHOUSES)}"
        )
    return chosen


def dbt_target() -> str:
    """The profiles.yml target that builds the chosen warehouse."""
    return warehouse()


def postgres_connection_settings() -> dict[str, str]:
    """psycopg2.connect() keyword arguments for the warehouse, as profiles.yml builds them."""
    settings = {
        key: os.environ.get(_VARIABLES[key]) or default for key, default in _DEFAULTS.items()
    }
    password = os.environ.get("PGPASSWORD")
    if password:
        settings["password"] = password
    return settings
