"""WSGI entry point and the `flask` CLI's app: the only module-level app."""

import sys

from webapp import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(2)
