"""Issue 13 §6: `make run` installs only what running needs, and a taken port is one clear line, not a wall."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

import pytest

from webapp.config import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str) -> subprocess.CompletedProcess:
    """`make` as a person at the shell runs it: not as a sub-make of `make test` (whose MAKELEVEL and
    MAKEFLAGS would add "Entering directory" lines)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES")}
    return subprocess.run(["make", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, env=environ)


def test_a_taken_port_stops_make_run_with_one_line_naming_the_port_setting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = make("run", f"PORT={port}")
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1, lines  # no install, no migration, no traceback before it
    assert f"Port {port} on 127.0.0.1 is already in use" in lines[0]
    assert f"make run PORT={port + 1}" in lines[0]


def test_make_run_installs_only_the_runtime_requirements_and_serves_on_the_given_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    plan = make("-n", "-B", "run", f"PORT={port}").stdout  # what make would do, from scratch
    assert "pip install --quiet -r requirements.txt" in plan
    assert "requirements-dev.txt" not in plan
    assert f"flask run --host 127.0.0.1 --port {port}" in plan
    assert plan.index("flask db upgrade") < plan.index("demo-data --if-empty") < plan.index("flask run")


def test_make_test_adds_the_test_tools():
    plan = make("-n", "-B", "lint").stdout
    assert "pip install --quiet -r requirements.txt" in plan
    assert "pip install --quiet -r requirements-dev.txt" in plan
    assert plan.index("requirements.txt") < plan.index("requirements-dev.txt")
