"""Running `flask …` for the CLI tests: as a real process against a fresh SQLite database, or in process
against the test's database (to read what a command wrote, such as its audit record)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

ROOT = Path(__file__).resolve().parents[2]


def flask_process(instance: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """A runner of `python -m flask …` on a migrated SQLite database kept under `instance`."""
    env = {**os.environ, "INSTANCE_PATH": str(instance), "FLASK_APP": "wsgi", "ACCOUNTDESK_ENV": "development"}
    env.pop("DATABASE_URL", None)

    def run(
        *args: str, input: str | None = None, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            input=input,
        )

    assert run("db", "upgrade").returncode == 0
    return run


def flask_in_process(app, *args: str, input: str | None = None) -> Result:
    """`flask …` in this process, in the test's transaction (no request: the audit actor is `cli`)."""
    return app.test_cli_runner().invoke(args=list(args), input=input)


def assert_one_line_error(result, fragment: str) -> None:
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert fragment in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("Error")]) == 1
