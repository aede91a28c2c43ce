"""Every setting of ours the code reads is declared in config/settings/base.py, with a comment.

A `getattr(settings, "NAME", default)` hides a setting from anyone reading the settings and
.env.example; this fails for any such read of a name base.py does not declare.
"""

import ast
import re
from pathlib import Path

import config.settings.base as base

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "config",
    "plans",
    "outcomes",
    "reporting",
    "imports",
    "portability",
    "demo",
    "security",
    "review",
    "signoff",
    "evidence",
    "notifications",
]
# Their packages declare these defaults.
THIRD_PARTY = re.compile(r"^(AXES|SESAME|TASKS|STORAGES|SIMPLE_HISTORY)_")


def _settings_read_with_a_default() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).is_dir() else []:
            if "migrations" in path.parts or "settings" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "getattr"
                    and len(node.args) >= 2
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id == "settings"
                    and isinstance(node.args[1], ast.Constant)
                ):
                    names.add(node.args[1].value)
    return names


def test_no_setting_of_ours_exists_only_as_a_default_in_code():
    hidden = {
        name
        for name in _settings_read_with_a_default()
        if not THIRD_PARTY.match(name) and not hasattr(base, name)
    }
    assert hidden == set()


def test_the_four_settings_that_were_hidden_are_declared_with_their_defaults():
    assert base.REPORTING_DEADLINE_DAYS == 14
    assert base.PLAN_PAGE_FULL_MAX_MILESTONES == 500
    assert base.IMPORT_MAX_ROWS == 50_000
    assert base.IMPORT_MAX_UNCOMPRESSED_BYTES == 20 * base.IMPORT_MAX_BYTES
    source = (ROOT / "config" / "settings" / "base.py").read_text()
    for name in ("REPORTING_DEADLINE_DAYS", "PLAN_PAGE_FULL_MAX_MILESTONES", "IMPORT_MAX_ROWS"):
        line = source.index(f"{name} = ")
        assert source[:line].rstrip().splitlines()[-1].startswith("#"), name
