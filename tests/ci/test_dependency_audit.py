"""Issue 10 §6: the dependency audit fails on a known vulnerability and never reports "clean" when it could
not check anything."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / ".ci" / "dependency_audit.py"
_spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
assert _spec is not None and _spec.loader is not None
_audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_audit)
verdict = _audit.verdict

VULNERABLE = {"name": "pyjwt", "version": "2.9.0", "vulns": [{"id": "GHSA-75c5-xw7c-p5pm", "fix_versions": ["2.10.1"]}]}
CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
UNKNOWN = {"name": "rq", "skip_reason": "Dependency not found on PyPI and could not be audited: rq (2.12.0)"}


def test_a_known_vulnerability_fails_the_audit():
    status, message = verdict({"dependencies": [CLEAN, VULNERABLE, UNKNOWN]})
    assert status == 1 and "pyjwt 2.9.0: GHSA-75c5-xw7c-p5pm (fixed in 2.10.1)" in message


def test_nothing_audited_is_a_skip_not_a_clean_bill():
    status, message = verdict({"dependencies": [UNKNOWN, UNKNOWN]})
    assert status == 0 and message.startswith("SKIPPED") and "no known" not in message


def test_clean_dependencies_pass_and_name_what_was_not_audited():
    status, message = verdict({"dependencies": [CLEAN, UNKNOWN]})
    assert status == 0 and message == "no known vulnerabilities in 1 dependencies (1 not audited: rq)"
