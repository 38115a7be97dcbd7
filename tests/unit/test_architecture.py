"""The layering of docs/architecture.md, as import-linter checks it in CI.

The contracts live in pyproject.toml; these tests prove they hold today and that they would
catch the mistakes they exist for (a feature importing one above it, a pure module importing
the database library), by planting each mistake in a copy of the source.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(src: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--config",
            str(config),
            "--no-cache",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        env=env,
        cwd=src.parent,
        check=False,
    )


@pytest.fixture(scope="module")
def source_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "src" / "ordertrack", root / "src" / "ordertrack", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _plant(source_copy: Path, module: str, line: str) -> Path:
    """A copy of the tree where ``module`` gains ``line``; returns the copy's root."""
    planted = source_copy.parent / f"{source_copy.name}-{module.replace('.', '-')}"
    if planted.exists():
        shutil.rmtree(planted)
    shutil.copytree(source_copy, planted)
    path = planted / "src" / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{line}\n")
    return planted


def test_the_layers_hold_today() -> None:
    result = _lint(ROOT / "src", ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_feature_importing_a_feature_above_it_breaks_the_build(source_copy: Path) -> None:
    planted = _plant(
        source_copy, "ordertrack.tracking.service", "from ordertrack.orders import service as _up"
    )
    result = _lint(planted / "src", planted / "pyproject.toml")
    assert result.returncode != 0
    assert "ordertrack.tracking is not allowed to import ordertrack.orders" in result.stdout


def test_a_service_importing_the_web_layer_breaks_the_build(source_copy: Path) -> None:
    planted = _plant(
        source_copy, "ordertrack.notifications.service", "from ordertrack.web import pages as _web"
    )
    result = _lint(planted / "src", planted / "pyproject.toml")
    assert result.returncode != 0
    assert "ordertrack.notifications is not allowed to import ordertrack.web" in result.stdout


def test_a_pure_rule_importing_the_database_library_breaks_the_build(source_copy: Path) -> None:
    planted = _plant(source_copy, "ordertrack.shipments.rules", "import sqlalchemy as _db")
    result = _lint(planted / "src", planted / "pyproject.toml")
    assert result.returncode != 0
    assert "ordertrack.shipments.rules -> sqlalchemy" in result.stdout
