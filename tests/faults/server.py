"""A gunicorn of the faults tests' own (the shared ``live_site`` must never be killed): a
fresh SQLite database with the demo town, an Open311 api_key, and start/kill/restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.fixtures.live_site import ROOT, _free_port


class OwnServer:
    def __init__(self, tmp: Path) -> None:
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp / 'faults.sqlite3'}",
            "OURBEAT_VAR_DIR": str(tmp),
            "OURBEAT_MEDIA_ROOT": str(tmp / "media"),
            "DJANGO_SETTINGS_MODULE": "ourbeat.settings",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )

    def prepare(self) -> str:
        """Migrate, load the demo town (no photos) and issue an api_key (returned)."""
        self.manage("migrate", "--noinput")
        self.manage("demo_town", "--no-photos")
        return self.manage("open311_client", "add", "faults").stdout.split()[-1]

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "ourbeat.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "critical",
            ],
            env=self.env,
            cwd=ROOT,
            start_new_session=True,  # its own process group: the kill reaches every worker
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the faults test server did not start") from None
                time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no graceful shutdown."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def shell(self, code: str) -> str:
        return self.manage("shell", "--no-imports", "-c", code).stdout.strip()


def post_form(
    url: str, fields: dict[str, str], headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, Any]:
    """POST a form; the status and the decoded JSON body (None when the body is not JSON).
    Connection errors propagate."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None
