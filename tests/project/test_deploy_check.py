"""Configured for production (HTTPS, a real secret key, debug off), Django's deployment
checklist (`manage.py check --deploy`) finds nothing to warn about."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_deployment_checklist_is_clean_in_production_configuration(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "OURBEAT_HTTPS": "1",
        "OURBEAT_DEBUG": "0",
        "OURBEAT_SECRET_KEY": secrets.token_urlsafe(64),
        "OURBEAT_ALLOWED_HOSTS": "ourbeat.example.org",
        "OURBEAT_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_local_run_without_a_configured_key_generates_a_private_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OURBEAT_SECRET_KEY"}
    env["OURBEAT_VAR_DIR"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
