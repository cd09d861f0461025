"""Real processes for fault and end-to-end tests: start, poll with a deadline, always kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from webapp.config import PROJECT_ROOT


def stack_environ(database_url: str, redis_url: str, provider_url: str, token: str, tmp: Path, **extra) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PROVIDER", "COLLECT_"))}
    defaults = {
        "ACCOUNTDESK_ENV": "testing",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PROVIDER": "http",
        "PROVIDER_URL": provider_url,
        "PROVIDER_TOKEN": token,
        "PROVIDER_TIMEOUT": "10",
        "INSTANCE_PATH": str(tmp / "instance"),
        "SECRET_KEY": "stack-test-secret-key-0123456789abcdef",
        "JWT_SECRET": "stack-test-jwt-secret-0123456789abcdef",
        "WEBHOOK_SECRETS_KEYS": "c3RhY2stdGVzdC13ZWJob29rLWtleS0wMTIzNDU2Nzg=",  # a test key (32 bytes)
        "PYTHONUNBUFFERED": "1",
    }
    environ.update({**defaults, **extra})
    return environ


class Process:
    """A child in its own session, its output in a log file under tmp."""

    def __init__(self, name: str, args: list[str], environ: dict, tmp: Path) -> None:
        self.name, self.log_path = name, tmp / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=environ, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @classmethod
    def python(cls, name: str, module_args: list[str], environ: dict, tmp: Path) -> Process:
        return cls(name, [sys.executable, "-m", *module_args], environ, tmp)

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} still running after {timeout}s:\n{self.output()[-3000:]}") from None

    def kill_hard(self) -> None:
        """SIGKILL the process, its group, and RQ work horses (which run in their own groups)."""
        victims = [self.popen.pid, *descendants(self.popen.pid)]
        for pid in victims:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=10)
        self.kill_hard()
        self._log.close()


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
