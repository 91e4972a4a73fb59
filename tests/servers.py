"""gunicorn instances of the app for the benchmark and the serving tests: start, find workers, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any app setting of ours, plus `settings`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FLASK_", "GUNICORN_", "RATELIMIT_")) and k not in {"DATABASE_URL", "SECRET_KEY"}
    }
    env.update(settings)
    return env


def keep_cookies(cookies: dict[str, str], set_cookie_headers) -> None:
    """Update a name -> value cookie jar from Set-Cookie headers, dropping expired cookies."""
    for header in set_cookie_headers:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel.value and morsel["max-age"] != "0":
                cookies[name] = morsel.value
            else:
                cookies.pop(name, None)


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, exactly as deployed, on a free loopback port.

    `bin_dir` and `cwd` run another environment's gunicorn somewhere else (tests/test_install.py).
    """

    def __init__(self, name: str, app: str, log_dir: Path, bin_dir: Path = BIN, cwd: Path = ROOT, **settings: str):
        self.name = name
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        env = clean_env(GUNICORN_BIND=f"{HOST}:{self.port}", **settings)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app],
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_pids(self) -> set[int]:
        pids = set()
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                pids.update(int(pid) for pid in (task / "children").read_text().split())
            except OSError:
                pass
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
