"""`iptcare check --deploy` is clean with production settings, and would say so if a setting were weakened.

Settings are read from the environment when they are imported, so each run is a fresh process with the production
environment: DEBUG off, a real SECRET_KEY, ALLOWED_HOSTS, the master key for the encrypted fields, SQLite in a
temporary folder.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        # The browser tests allow async-unsafe calls in this process; a deployment never does.
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not k.startswith(("SECURE_", "RATE_LIMIT_"))
    }
    environment.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="clinic.example.org",
        IPTCARE_DATA_DIR=str(tmp_path),
        IPTCARE_MASTER_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "iptcare", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
        timeout=300,
    )


def test_production_settings_pass_the_deployment_checklist(tmp_path: Path) -> None:
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_checklist_catches_a_weakened_setting(tmp_path: Path) -> None:
    result = deploy_check(tmp_path, SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr
