"""The apps' layers hold: `lint-imports` (import-linter, run by `make lint` and CI) keeps the
contracts in pyproject.toml, and refuses a new upward import."""

import shutil
import subprocess  # noqa: S404 — runs the project's own linter on a copy of its code
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
APPS = [
    "config",
    "demo",
    "portability",
    "imports",
    "reporting",
    "outcomes",
    "mfa",
    "review",
    "signoff",
    "evidence",
    "plans",
    "notifications",
    "security",
]

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.exists(), reason="import-linter is not installed (pip install -e '.[dev]')"
)


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — a fixed command on files this test wrote
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def copy_of_the_code(tmp_path):
    for app in APPS:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_its_layers(copy_of_the_code):
    result = lint_imports(copy_of_the_code)
    assert result.returncode == 0, result.stdout


def test_an_import_from_a_lower_app_of_a_higher_one_is_refused(copy_of_the_code):
    (copy_of_the_code / "plans" / "upward.py").write_text("from reporting import services\n")
    result = lint_imports(copy_of_the_code)
    assert result.returncode != 0
    assert "plans is not allowed to import reporting" in result.stdout
    assert "plans.upward -> reporting.services" in result.stdout


def test_settings_may_not_import_an_app(copy_of_the_code):
    settings = copy_of_the_code / "config" / "settings" / "base.py"
    settings.write_text(settings.read_text() + "\nfrom plans import periods  # noqa\n")
    result = lint_imports(copy_of_the_code)
    assert result.returncode != 0
    assert "config.settings.base -> plans.periods" in result.stdout
