"""Production settings pass Django's deployment checklist and send the security headers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "zonehub.settings.production",
        "SECRET_KEY": "k" * 20 + "-not-a-real-key-but-long-enough-0123456789",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "ALLOWED_HOSTS": "zonehub.example.gov.cn",
    }


def test_check_deploy_is_clean(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_security_headers_and_secure_cookies(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "assert not s.DEBUG and s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE\n"
        "assert s.SECURE_HSTS_SECONDS >= 31536000 and s.SECURE_CONTENT_TYPE_NOSNIFF and s.X_FRAME_OPTIONS == 'DENY'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=production_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "ok", result.stderr
