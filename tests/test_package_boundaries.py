"""No service imports another service: shared facts live in the contract package.

Every service (ingest, enrich, sink, board, simulator, report) may import its own package, the
contract package `hotline_schemas` and the pure capacity library `hotline_capacity`, nothing
else of ours, so installing one service never installs another (the board once imported
enrich's opening hours and so installed Faust). The contract package and the capacity library
import no service at all.

The one exception is `hotline_cli`, the `hotline` command: it is the front door that registers
every service's subcommands, so it imports them all by design.

Checked on the source (every import statement, also inside functions) and on each package's
declared dependencies. Tests are not checked: they exercise the pipeline across services.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = {"hotline_schemas", "hotline_capacity"}
FRONT_DOOR = "hotline_cli"  # registers every service's subcommands: imports them all


def _packages() -> dict[str, Path]:
    """Import name -> project directory (the one holding pyproject.toml)."""
    found = {}
    for project in [REPO / "schemas", *sorted((REPO / "services").iterdir())]:
        src = project / "src"
        if not (project / "pyproject.toml").exists() or not src.is_dir():
            continue
        (package,) = [p for p in src.iterdir() if p.is_dir() and p.name.startswith("hotline_")]
        found[package.name] = project
    return found


PACKAGES = _packages()


def hotline_imports(source: str) -> set[str]:
    """Top-level `hotline_*` packages a module imports (absolute imports, anywhere in it)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {n for n in names if n.startswith("hotline_")}


def allowed(package: str) -> set[str]:
    if package in SHARED:
        return {package}  # the shared packages depend on no service
    return {package} | SHARED


def violations(package: str, project: Path) -> list[str]:
    out = []
    for path in sorted((project / "src" / package).rglob("*.py")):
        foreign = hotline_imports(path.read_text(encoding="utf-8")) - allowed(package)
        if foreign:
            out.append(f"{path.relative_to(REPO)} imports {sorted(foreign)}")
    return out


def test_the_checker_sees_imports_anywhere_in_a_module() -> None:
    source = (
        "import hotline_enrich.hours\n"
        "from hotline_schemas import kpi\n"
        "from . import sibling\n"
        "def late():\n    from hotline_sink.dialect import Dialect\n"
    )
    assert hotline_imports(source) == {"hotline_enrich", "hotline_schemas", "hotline_sink"}
    assert hotline_imports(source) - allowed("hotline_board") == {"hotline_enrich", "hotline_sink"}


def test_every_workspace_package_is_checked() -> None:
    assert set(PACKAGES) >= {
        "hotline_schemas",
        "hotline_capacity",
        "hotline_ingest",
        "hotline_enrich",
        "hotline_sink",
        "hotline_board",
        "hotline_simulator",
        "hotline_report",
        FRONT_DOOR,
    }


@pytest.mark.parametrize("package", sorted(set(PACKAGES) - {FRONT_DOOR}))
def test_no_service_imports_another_service(package: str) -> None:
    assert violations(package, PACKAGES[package]) == []


@pytest.mark.parametrize("package", sorted(set(PACKAGES) - {FRONT_DOOR}))
def test_no_service_depends_on_another_service(package: str) -> None:
    project = tomllib.loads((PACKAGES[package] / "pyproject.toml").read_text(encoding="utf-8"))
    ours = {p.replace("_", "-") for p in PACKAGES}
    declared = {
        dep.split(">")[0].split("=")[0].split("[")[0].strip()
        for dep in project["project"]["dependencies"]
    }
    assert declared & ours <= {p.replace("_", "-") for p in allowed(package)}
