"""The package layers hold (import-linter's contracts in pyproject.toml, `make lint`), and the
pure core reads no database, request or template."""

import ast
import subprocess
import sys
from pathlib import Path

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
PURE_CORE = ("rules", "timeline", "trends", "charts", "questionnaires")
NOT_IN_THE_CORE = ("django.db", "django.http", "django.template", "django.shortcuts")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_pure_core_imports_no_orm_request_or_template():
    offending = {
        f"{path.relative_to(TRACKER)}: {module}"
        for package in PURE_CORE
        for path in (TRACKER / package).rglob("*.py")
        for module in imported_modules(path)
        if module.startswith(NOT_IN_THE_CORE) or module.startswith("tracker.models")
    }
    assert not offending


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - our own tool, no input from outside
        [str(lint_imports)], cwd=TRACKER.parent, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_every_module_says_what_it_holds():
    missing = [
        str(path.relative_to(TRACKER))
        for path in TRACKER.rglob("*.py")
        if "migrations" not in path.parts
        and path.read_text().strip()
        and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert not missing
