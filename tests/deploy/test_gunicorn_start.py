"""Issue 10 §5: a broken production configuration stops gunicorn (non-zero, one clear line) instead of
respawning workers that fail at boot forever; a sound one serves."""

from __future__ import annotations

import socket
import sys
import urllib.request

from tests.processes import Process, stack_environ, wait_for

PRODUCTION = {
    "ACCOUNTDESK_ENV": "production",
    "SECRET_KEY": "gunicorn-test-secret-key-0123456789abcdef",
    "JWT_SECRET": "gunicorn-test-jwt-secret-0123456789abcdef",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
    "PROVIDER": "demo",
    "WEBHOOK_SECRETS_KEYS": "Z3VuaWNvcm4tdGVzdC13ZWJob29rLWtleS0wMTIzNDU=",  # a test key: 32 bytes, base64
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(tmp_path, port: int, **environ: str) -> Process:
    env = stack_environ(f"sqlite:///{tmp_path / 'g.db'}", "", "", "", tmp_path, **{**PRODUCTION, **environ})
    for name in ("PROVIDER_URL", "PROVIDER_TOKEN"):
        env.pop(name)
    args = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    return Process("gunicorn", [*args, "--bind", f"127.0.0.1:{port}", "--workers", "2"], env, tmp_path)


def test_a_broken_production_configuration_stops_gunicorn(tmp_path):
    server = gunicorn(tmp_path, free_port(), SECRET_KEY="too short")
    try:
        assert server.wait(timeout=15) != 0
        assert "Configuration error: SECRET_KEY (at least 32 bytes) is required" in server.output()
        assert "Booting worker" not in server.output()
    finally:
        server.stop()


def test_a_sound_production_configuration_serves(tmp_path):
    port = free_port()
    server = gunicorn(tmp_path, port)
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    return response.status == 200
            except OSError:
                assert server.popen.poll() is None, server.output()
                return False

        wait_for(healthy, timeout=20, what="gunicorn to answer /healthz")
    finally:
        server.stop()
