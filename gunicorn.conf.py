"""gunicorn settings for the `web` process: check the configuration once, in the master, before any worker.

Without this a configuration error stops each worker at boot and gunicorn starts another, forever.
"""

from __future__ import annotations

import sys


def on_starting(server) -> None:
    """Exit the whole server with status 2 and the one-line message when the configuration is broken."""
    from webapp.config import ConfigError, load_config

    try:
        load_config()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr, flush=True)
        server.log.error("Configuration error: %s", error)
        sys.exit(2)
