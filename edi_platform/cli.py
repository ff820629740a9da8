"""The `edi` command line.

    edi generate     write a synthetic ICS into the landing zone
    edi run          ingest every landing file and build the warehouse, recorded in Dagster
    edi backfill     the same for a range of years: --years 2018-19:2023-24
    edi demo         generate the sample ICS if landing is empty, then run
    edi dev          start the Dagster UI (bound to 127.0.0.1 unless told otherwise)
    edi prepare-dbt  parse the dbt project once, so code loads never have to
    edi bench        time the platform on generated workloads (docs/performance.md)

The orchestration commands import the Dagster layer (``assets``) only when
they run: the rest of ``edi_platform`` never depends on Dagster.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from edi_platform.config import ConfigError, load_config
from edi_platform.paths import REPO_ROOT, data_paths

DEMO_SEED = 2024


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _apply_locations(args)
    try:
        return args.handler(args)
    except ConfigError as err:
        print(f"edi: {err}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edi", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--config", help="ICS configuration file (default: $EDI_ICS_CONFIG or ics.yaml)"
    )
    parser.add_argument("--data-dir", help="data root (default: $EDI_DATA_DIR or data/)")
    commands = parser.add_subparsers(required=True, metavar="command")

    generate = commands.add_parser("generate", help="write a synthetic ICS into the landing zone")
    generate.add_argument("--seed", type=int, default=DEMO_SEED)
    generate.add_argument("--scale", type=float, default=1.0, help="multiply trust sizes")
    generate.add_argument("--years", help="e.g. 2018-19:2023-24 (default: the configured years)")
    generate.add_argument(
        "--overwrite", action="store_true", help="replace files already in landing"
    )
    generate.add_argument(
        "--workers", type=int, default=1, help="trusts generated side by side (default 1)"
    )
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="ingest the landing zone and build the warehouse")
    run.add_argument(
        "--trusts",
        help="comma-separated org codes to re-ingest, e.g. after one trust resubmits "
        "(default: every trust); the warehouse and published outputs are rebuilt either way",
    )
    _add_workers(run)
    run.set_defaults(handler=_run, years=None)

    backfill = commands.add_parser(
        "backfill",
        help="ingest every trust for a range of years, then rebuild the warehouse and "
        "published outputs once",
    )
    backfill.add_argument(
        "--years", required=True, help="e.g. 2018-19:2023-24 (each must be in the configuration)"
    )
    _add_workers(backfill)
    backfill.set_defaults(handler=_backfill)

    demo = commands.add_parser(
        "demo", help="generate the sample ICS when landing is empty, then run"
    )
    demo.add_argument("--seed", type=int, default=DEMO_SEED)
    demo.set_defaults(handler=_demo)

    dev = commands.add_parser("dev", help="start the Dagster UI")
    dev.add_argument(
        "--host", default="127.0.0.1", help="bind address (default 127.0.0.1: this machine only)"
    )
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(handler=_dev)

    prepare = commands.add_parser("prepare-dbt", help="parse the dbt project (writes its manifest)")
    prepare.set_defaults(handler=_prepare_dbt)

    bench = commands.add_parser(
        "bench", help="time the platform on generated workloads (docs/performance.md)"
    )
    bench.add_argument(
        "--workloads",
        help="comma-separated subset of: " + ", ".join(_bench_workloads()) + " (default: all)",
    )
    bench.add_argument("--work-dir", default="build/bench", help="where workloads are generated")
    bench.add_argument("--output", default="build/bench/results.json", help="results as JSON")
    bench.set_defaults(handler=_bench)
    return parser


def _bench_workloads() -> tuple[str, ...]:
    from edi_platform.bench.workloads import WORKLOAD_NAMES

    return WORKLOAD_NAMES


def _bench(args: argparse.Namespace) -> int:
    from edi_platform.bench.run import run_bench

    names = tuple(args.workloads.split(",")) if args.workloads else _bench_workloads()
    unknown = [n for n in names if n not in _bench_workloads()]
    if unknown:
        print(f"edi: unknown workload(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    return run_bench(names, Path(args.work_dir), Path(args.output))


def _add_workers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="partitions ingested side by side (default: one per CPU core)",
    )
    parser.add_argument(
        "--timings", help="write each stage's wall and CPU seconds to this JSON file"
    )


def _apply_locations(args: argparse.Namespace) -> None:
    """One environment variable per location feeds Python, dbt's profile and Dagster alike."""
    if args.config:
        os.environ["EDI_ICS_CONFIG"] = str(Path(args.config).resolve())
    if args.data_dir:
        os.environ["EDI_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ["EDI_DATA_DIR"] = str(data_paths().root)


def _generate(args: argparse.Namespace) -> int:
    from edi_platform.generator import generate_ics
    from edi_platform.years import parse_year_range

    config = load_config()
    paths = data_paths()
    if _landing_has_files(paths.landing) and not args.overwrite:
        print(
            f"edi: {paths.landing} already holds files; pass --overwrite to replace them",
            file=sys.stderr,
        )
        return 2
    years = parse_year_range(args.years) if args.years else None
    summary = generate_ics(
        config,
        paths.landing,
        seed=args.seed,
        years=years,
        scale=args.scale,
        workers=getattr(args, "workers", 1),
    )
    print(f"Generated {len(summary.files)} landing files for {config.icb_code} in {paths.landing}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from edi_platform.ingest import MissingKeyError, resolve_key

    config = load_config()
    try:
        _, demo_key = resolve_key()
    except MissingKeyError as err:
        print(f"edi: {err}", file=sys.stderr)
        return 2
    if demo_key:
        print("Using the published demo pseudonymisation key (EDI_MODE is demo or test).")

    from assets.runner import run_pipeline

    trusts = getattr(args, "trusts", None)
    trusts = [t.strip().upper() for t in trusts.split(",")] if trusts else None
    unknown = [t for t in trusts or () if t not in config.org_codes]
    if unknown:
        print(f"edi: {', '.join(unknown)} not a trust of {config.icb_code}", file=sys.stderr)
        return 2
    outcome = run_pipeline(
        config,
        data_paths(),
        years=getattr(args, "years", None),
        trusts=trusts,
        workers=getattr(args, "workers", None),
    )
    if getattr(args, "timings", None):
        timings = {
            "stages": outcome.stages,
            "ingest_stages": outcome.ingest_stages,
            "partitions_ok": outcome.partitions_ok,
            "partitions_failed": outcome.partitions_failed,
        }
        Path(args.timings).write_text(json.dumps(timings, indent=2), encoding="utf-8")
    if not outcome.ok:
        print(
            f"edi run finished with failures: {outcome.partitions_failed} partition(s) failed"
            + ("" if outcome.warehouse_ok else "; the warehouse build failed")
            + ("" if outcome.publish_ok else "; publishing failed"),
            file=sys.stderr,
        )
        return 1
    print(
        f"edi run finished: {outcome.partitions_ok} partition(s) ingested, warehouse built, "
        "tables published."
    )
    return 0


def _backfill(args: argparse.Namespace) -> int:
    from edi_platform.years import parse_year_range

    config = load_config()
    try:
        years = parse_year_range(args.years)
    except ValueError as err:
        print(f"edi: {err}", file=sys.stderr)
        return 2
    unknown = [y for y in years if y not in config.reporting_years]
    if unknown:
        where = config.source or "the ICS configuration"
        print(
            f"edi: {', '.join(unknown)} not in reporting_years of {where}: partitions come "
            "from the configuration, so add the years there first",
            file=sys.stderr,
        )
        return 2
    args.years = years
    return _run(args)


def _demo(args: argparse.Namespace) -> int:
    if not os.environ.get("EDI_PSEUDONYMISATION_KEY"):
        # The sample ICS is synthetic: the published demo key is safe for it, and only for it.
        os.environ.setdefault("EDI_MODE", "demo")
    paths = data_paths()
    if not _landing_has_files(paths.landing):
        print(f"Landing is empty: generating the sample ICS (seed {args.seed}).")
        generated = _generate(
            argparse.Namespace(seed=args.seed, scale=1.0, years=None, overwrite=False)
        )
        if generated:
            return generated
    return _run(args)


def _dev(args: argparse.Namespace) -> int:
    from assets.dbt import dbt_project, ensure_manifest
    from assets.runner import prepare_dagster_home

    ensure_manifest(dbt_project())
    prepare_dagster_home(data_paths())
    dagster = Path(sys.executable).with_name("dagster")
    command = [
        str(dagster),
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    print(
        f"Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={os.environ['DAGSTER_HOME']})"
    )
    os.chdir(REPO_ROOT)
    os.execv(command[0], command)
    return 0  # not reached


def _prepare_dbt(args: argparse.Namespace) -> int:
    from assets.dbt import dbt_project, ensure_manifest

    print(f"dbt manifest: {ensure_manifest(dbt_project())}")
    return 0


def _landing_has_files(landing: Path) -> bool:
    return landing.is_dir() and any(p.is_file() for p in landing.rglob("*"))


if __name__ == "__main__":
    raise SystemExit(main())
