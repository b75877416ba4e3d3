"""Settings from the environment: production refuses to start unsafely, and sends the security headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.DEBUG)"
)


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    environment.update(DJANGO_SETTINGS_MODULE="iptcare.settings", IPTCARE_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(  # noqa: S603 (a fixed command line of our own)
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment, cwd=ROOT, check=False
    )


def test_it_refuses_production_without_a_secret_key(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="0", ALLOWED_HOSTS="clinic.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_a_weak_secret_key(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="0", ALLOWED_HOSTS="clinic.example", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "at least 50" in result.stderr


def test_it_refuses_production_without_allowed_hosts(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="0", SECRET_KEY="k" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_it_turns_on_secure_cookies_and_hsts_in_production(tmp_path: Path) -> None:
    result = run_settings(tmp_path, DEBUG="0", SECRET_KEY="k" * 64, ALLOWED_HOSTS="clinic.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "31536000", "DENY", "False"]


def test_it_generates_a_secret_key_once_in_development_and_keeps_it(tmp_path: Path) -> None:
    first = run_settings(tmp_path, DEBUG="1")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    run_settings(tmp_path, DEBUG="1")
    assert key_file.read_text() == key


@pytest.mark.django_db
def test_it_sends_security_headers_on_every_page() -> None:
    response = HttpClient().get("/accounts/login/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_keeps_sqlite_in_wal_mode_with_a_busy_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from iptcare import settings as production

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(production, "DATA_DIR", tmp_path)
    database = production._databases()["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == tmp_path / "iptcare.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5


def test_it_uses_postgresql_when_database_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from iptcare import settings as production

    monkeypatch.setenv("DATABASE_URL", "postgres://clinic@db.example:5432/iptcare")
    database = production._databases()["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == ("db.example", "iptcare", "clinic")
