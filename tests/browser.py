"""Debian's headless Chromium for the report tests: the DOM after scripts ran, and a screenshot."""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Where browser tests leave screenshots for a person to look at (git-ignored).
ARTIFACTS = Path(
    os.environ.get("EDI_TEST_ARTIFACTS")
    or Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
)


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def rendered_dom(url: str, profile: Path) -> str:
    """The page's DOM once its load handler has run (virtual time lets it settle)."""
    done = chromium("--virtual-time-budget=10000", "--dump-dom", url, profile=profile)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def chart_sizes(dom: str) -> list[tuple[int, int]]:
    """(width, height) in CSS pixels of every chart, as the report's script measured them."""
    sizes = []
    for tag in re.findall(r"<svg\b[^>]*>", dom):
        width = re.search(r'data-width="(\d+)"', tag)
        height = re.search(r'data-height="(\d+)"', tag)
        sizes.append((int(width.group(1)) if width else 0, int(height.group(1)) if height else 0))
    return sizes


def visible_text(dom: str) -> str:
    """The text a reader sees: no markup, scripts, styles or chart internals."""
    body = dom[dom.index("<body") :]
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def screenshot(url: str, path: Path, profile: Path, height: int = 4000) -> Path:
    """A PNG of the top of the page, 1280 pixels wide."""
    shot = chromium(f"--screenshot={path}", f"--window-size=1280,{height}", url, profile=profile)
    assert shot.returncode == 0, shot.stderr[-2000:]
    return path
