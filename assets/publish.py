"""Published layer assets: the system comparison, the HIA scorecard, the board pack and report.

Thin: the tables are built by ``edi_platform.publish.system_comparison``;
this module reads the marts, writes schema ``publish`` of the warehouse and
the files under data/published/<year>/, and reports what it wrote.

The publishing stack (scipy, matplotlib, the XLSX writer) is imported inside the
assets, when they run: at the top it was a third of every code load
(docs/performance.md), and the UI and every ingest run load the code.
"""

import base64

import duckdb
import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from assets.automation import REFRESH_WHEN_INPUTS_CHANGE
from assets.dbt import WAREHOUSE_POOL
from edi_platform.config import IcsConfig
from edi_platform.marts import MARTS
from edi_platform.paths import DataPaths

PUBLISH_GROUP = "publish"
SYSTEM_COMPARISON_KEY = AssetKey(["publish", "system_comparison"])
HIA_SCORECARD_KEY = AssetKey(["publish", "hia_scorecard"])
BOARD_PACK_KEY = AssetKey(["publish", "board_pack"])
REPORT_KEY = AssetKey(["publish", "report"])
MART_KEYS = [AssetKey(["marts", name]) for name in MARTS]
_PREVIEW_COLUMNS = {
    "system_comparison": ["org_code", "metric_id", "group", "value", "ics_value", "position"],
    "hia_scorecard": ["org_code", "hia", "metric_id", "group", "value", "judgement"],
}


def _preview(frame: pl.DataFrame, name: str) -> str:
    """A markdown table of the latest year (first rows), for the asset's page."""
    if frame.is_empty():
        return "_no rows_"
    latest = frame.filter(pl.col("reporting_year") == frame["reporting_year"].max())
    rows = latest.select(_PREVIEW_COLUMNS[name]).head(40)
    header = "| " + " | ".join(rows.columns) + " |\n|" + "---|" * len(rows.columns) + "\n"
    body = "".join(
        "| " + " | ".join("" if v is None else f"{v:.3g}" if isinstance(v, float) else str(v)
                          for v in row) + " |\n"
        for row in rows.iter_rows()
    )  # fmt: skip
    return header + body


def _write(tables: dict[str, pl.DataFrame], paths: DataPaths) -> None:
    from edi_platform.publish.files import write_table

    # One connection, closed before returning: the warehouse pool lets one writer in at a time.
    with duckdb.connect(str(paths.warehouse)) as connection:
        connection.execute("create schema if not exists publish")
        for name, frame in tables.items():
            connection.register("__published__", frame.to_arrow())
            connection.execute(
                f"create or replace table publish.{name} as select * from __published__"
            )
            connection.unregister("__published__")
    for name, frame in tables.items():
        for (year,), rows in frame.partition_by("reporting_year", as_dict=True).items():
            write_table(rows, paths.published / year, name)


def publish_assets(config: IcsConfig, paths: DataPaths) -> AssetsDefinition:
    @multi_asset(
        specs=[
            AssetSpec(
                SYSTEM_COMPARISON_KEY,
                deps=MART_KEYS,
                group_name=PUBLISH_GROUP,
                automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
                description="Each trust against the ICS for every headline metric: funnel "
                "position, change since last year; disclosure-controlled.",
            ),
            AssetSpec(
                HIA_SCORECARD_KEY,
                deps=MART_KEYS,
                group_name=PUBLISH_GROUP,
                automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
                description="Per trust and system, each high impact action's metrics and "
                "whether each improved, worsened or held since last year.",
            ),
        ],
        pool=WAREHOUSE_POOL,
        name="publish_tables",
    )
    def _publish():
        from edi_platform.publish.system_comparison import build_published_tables

        with duckdb.connect(str(paths.warehouse), read_only=True) as connection:
            comparison, scorecard = build_published_tables(connection, config)
        tables = {"system_comparison": comparison, "hia_scorecard": scorecard}
        _write(tables, paths)
        for key, name in (
            (SYSTEM_COMPARISON_KEY, "system_comparison"),
            (HIA_SCORECARD_KEY, "hia_scorecard"),
        ):
            frame = tables[name]
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": frame.height,
                    "suppressed_rows": int(frame["suppressed"].sum()),
                    "years": ", ".join(sorted(frame["reporting_year"].unique().to_list())),
                    "files": str(paths.published / "<year>" / f"{name}.csv and .parquet"),
                    "preview": MetadataValue.md(_preview(frame, name)),
                },
            )

    return _publish


def _chart_preview(comparison: pl.DataFrame) -> str:
    """The latest year's first funnel plot as an inline image, for the asset's page."""
    from edi_platform.publish.charts import funnel_plot

    placed = comparison.filter(
        (pl.col("reporting_year") == comparison["reporting_year"].max())
        & pl.col("funnel_kind").is_in(["proportion", "rate"])
        & ~pl.col("suppressed")
    )
    if placed.is_empty():
        return "_no funnel plot: every placed value is suppressed_"
    first = placed.filter(pl.col("headline") == placed["headline"][0])
    svg = funnel_plot(
        first,
        first["ics_value"][0],
        first["funnel_kind"][0],
        title=first["headline"][0],
        unit=first["unit"][0],
    )
    # The chart is made for inlining in HTML; an image file needs the SVG namespace.
    svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    image = base64.b64encode(svg.encode("utf-8")).decode()
    return f"![{first['headline'][0]}](data:image/svg+xml;base64,{image})"


def report_assets(config: IcsConfig, paths: DataPaths) -> AssetsDefinition:
    """The board pack (XLSX) and the HTML report of every year, from the published tables."""

    @multi_asset(
        specs=[
            AssetSpec(
                BOARD_PACK_KEY,
                deps=[SYSTEM_COMPARISON_KEY, HIA_SCORECARD_KEY],
                group_name=PUBLISH_GROUP,
                automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
                description="Excel board pack per year: one sheet per family, the HIA "
                "scorecard and notes on definitions, directions and suppression.",
            ),
            AssetSpec(
                REPORT_KEY,
                deps=[SYSTEM_COMPARISON_KEY, HIA_SCORECARD_KEY],
                group_name=PUBLISH_GROUP,
                automation_condition=REFRESH_WHEN_INPUTS_CHANGE,
                description="HTML report per year for boards: where each trust sits, funnel "
                "plots, trends, the HIA scorecard and plain-language notes; works offline.",
            ),
        ],
        name="publish_documents",
    )
    def _documents(context: AssetExecutionContext):
        from edi_platform.publish.board_pack import write_board_pack
        from edi_platform.publish.report import render_reports

        # Read-only: the published tables are already disclosure-controlled.
        with duckdb.connect(str(paths.warehouse), read_only=True) as connection:
            comparison = connection.sql("select * from publish.system_comparison").pl()
            scorecard = connection.sql("select * from publish.hia_scorecard").pl()
        years = sorted(comparison["reporting_year"].unique().to_list())
        packs = [
            write_board_pack(
                comparison, scorecard, config, year, paths.published / year / "board_pack.xlsx"
            )
            for year in years
        ]
        rendered = render_reports(comparison, scorecard, config, years, paths.published)
        reports = [path for path, _ in rendered]
        fresh = [path.parent.name for path, again in rendered if again]
        context.log.info(
            f"Reports rendered for {', '.join(fresh) or 'no year'}; the others were "
            "made from the same inputs already."
        )
        yield MaterializeResult(
            asset_key=BOARD_PACK_KEY,
            metadata={"files": MetadataValue.md("\n".join(f"- `{p}`" for p in packs))},
        )
        yield MaterializeResult(
            asset_key=REPORT_KEY,
            metadata={
                "files": MetadataValue.md("\n".join(f"- `{p}`" for p in reports)),
                "rendered_years": ", ".join(fresh) or "none (inputs unchanged)",
                "latest_report": MetadataValue.path(str(reports[-1])) if reports else "none",
                "funnel_plot": MetadataValue.md(_chart_preview(comparison)),
            },
        )

    return _documents
