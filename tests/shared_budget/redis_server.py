"""A real redis-server for the tests: loopback only, a free port, a password, no persistence."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

PASSWORD = "t3st-redis-pw-4d1f"
"""Every test server requires it, so the tests also prove the password never reaches a log."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable(reason: str) -> None:
    """Skip with the reason on a developer's machine; fail in CI, where a server must start."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and no Redis server: {reason} (.ci/run installs redis-server)")
    pytest.skip(f"no Redis server for the shared budget tests: {reason}")


class RedisServer:
    """One redis-server process; ``url`` carries the password, ``display`` does not."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.mkdtemp(prefix="batchcancel-redis-")

    @property
    def url(self) -> str:
        return f"redis://:{PASSWORD}@127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        if self.binary is None:
            unavailable("redis-server is not on PATH (apt-get install redis-server)")
        last = ""
        for _ in range(5):  # a free port may be taken between probing and binding: try another
            self.port = _free_port()
            self.process = subprocess.Popen(
                [
                    str(self.binary),
                    "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", PASSWORD,
                    "--save", "", "--appendonly", "no", "--dir", self._dir, "--loglevel", "warning",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )  # fmt: skip
            if self._wait_ready():
                return self
            last = self._stop_process()
        unavailable(f"redis-server would not start: {last.strip()[-300:]}")
        return self

    def _wait_ready(self, timeout_s: float = 10.0) -> bool:
        import redis

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return True
            except redis.RedisError:
                time.sleep(0.05)
        return False

    def client(self):  # type: ignore[no-untyped-def]
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def _stop_process(self) -> str:
        process, self.process = self.process, None
        if process is None:
            return ""
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a paused server must still be able to exit
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        err = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        return err

    def stop(self) -> None:
        self._stop_process()

    def pause(self) -> None:
        """Freeze the server process: connections stay open, nothing answers (a slow server)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)
