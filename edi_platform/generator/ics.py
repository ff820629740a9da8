"""Generate a synthetic ICS: every extract of every configured trust and year."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl

from edi_platform.config import IcsConfig
from edi_platform.generator.chains import SIMULATION_END, SIMULATION_START
from edi_platform.generator.esr import esr_staff_year
from edi_platform.generator.formats import format_values, render
from edi_platform.generator.incidents import incidents_year
from edi_platform.generator.invalid_rows import plant, records, write_literals
from edi_platform.generator.population import TrustPopulation, build_population
from edi_platform.generator.random_streams import RandomStreams
from edi_platform.generator.recruitment import recruitment_year
from edi_platform.generator.summary import GeneratedFile, GenerationSummary
from edi_platform.generator.survey import staff_survey_year
from edi_platform.generator.variations import TrustPlan, plan_for
from edi_platform.years import ReportingYear


def generate_ics(
    config: IcsConfig,
    landing_root: Path,
    *,
    seed: int = 2024,
    years: Sequence[str] | None = None,
    scale: float = 1.0,
    workers: int = 1,
) -> GenerationSummary:
    """Write landing_root/<year>/<org>/<extract>.csv|xlsx for every trust and year.

    The same config, seed and scale give byte-identical files. A trust-year's
    files depend only on the seed, the trust (code and type), its position in
    the config (which file variations it sends), the year and the scale, so
    generating one year alone gives the same files as generating it with others,
    and trusts can be generated side by side (``workers`` processes) with the
    same result.
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, not {scale}")
    labels = tuple(sorted(years or config.reporting_years))
    for label in labels:
        _supported(label)
    summary = GenerationSummary(seed=seed, scale=scale, years=labels)
    jobs = [
        (config, position, Path(landing_root), seed, labels, scale)
        for position in range(len(config.trusts))
    ]
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            summary.files.extend(generate_trust(*job))
        return summary
    # Spawned, not forked: polars' thread pool does not survive a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for files in pool.map(generate_trust, *zip(*jobs, strict=True)):
            summary.files.extend(files)
    return summary


def generate_trust(
    config: IcsConfig,
    position: int,
    landing_root: Path,
    seed: int,
    years: Sequence[str],
    scale: float,
) -> list[GeneratedFile]:
    """Every extract of every year for the trust at ``position`` in the configuration."""
    trust = config.trusts[position]
    population = build_population(trust, seed=seed, scale=scale)
    plan = plan_for(position)
    files = []
    for year in (_supported(label) for label in years):
        folder = Path(landing_root) / year.label / trust.org_code
        folder.mkdir(parents=True, exist_ok=True)
        for extract, frame in _extracts(population, year, seed).items():
            files.append(_write(frame, extract, folder, plan, year, seed))
    return files


def _supported(label: str) -> ReportingYear:
    year = ReportingYear(label)
    if not (SIMULATION_START < year.snapshot_date < SIMULATION_END):
        raise ValueError(
            f"reporting year {label} is outside the years the generator simulates "
            f"({SIMULATION_START.year}-{SIMULATION_START.year % 100 + 1:02d} to "
            f"{SIMULATION_END.year - 1}-{SIMULATION_END.year % 100:02d})"
        )
    return year


def _extracts(
    population: TrustPopulation, year: ReportingYear, seed: int
) -> dict[str, pl.DataFrame]:
    streams = RandomStreams(seed, population.trust.org_code, year.label)
    esr = esr_staff_year(population, year, streams.child("esr_staff"))
    return {
        "esr_staff": esr.assignments,
        "recruitment": recruitment_year(population, esr, year, streams.child("recruitment")),
        "staff_survey": staff_survey_year(population, esr, year, streams.child("staff_survey")),
        "incidents": incidents_year(population, esr, year, streams.child("incidents")),
    }


def _write(
    frame: pl.DataFrame, extract: str, folder: Path, plan: TrustPlan, year: ReportingYear, seed: int
) -> GeneratedFile:
    style = plan.style(extract)
    org_code = folder.name
    planting = plant(
        frame,
        plan.invalid.get(extract, ()),
        year,
        RandomStreams(seed, org_code, year.label, "invalid", extract),
    )
    formatted = write_literals(format_values(planting.frame, extract, style), planting, year)
    path = folder / f"{extract}.{style.file_type}"
    path.write_bytes(render(formatted, extract, style))
    return GeneratedFile(
        path=path,
        extract=extract,
        org_code=org_code,
        reporting_year=year.label,
        rows=formatted.height,
        file_format=style.file_type,
        variations=style.variations(),
        invalid_rows=records(formatted, planting),
    )
