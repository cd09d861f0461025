"""`python -m bench.flask_cli ARGS…` = `flask --app wsgi ARGS…` with bench.compat applied first."""

from __future__ import annotations

import sys

from flask.cli import main

import bench.compat  # noqa: F401 - before the app (and its models) is imported

if __name__ == "__main__":
    sys.argv = ["flask", "--app", "wsgi", *sys.argv[1:]]
    main()
