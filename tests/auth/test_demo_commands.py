"""Security round 2, item 5: the demo's published password and authenticator key never reach
a production database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tracker.models import User

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
@pytest.mark.parametrize("command", [["seed_demo"], ["demo_code", "physio@example.com"]])
def test_demo_commands_refuse_outside_development_and_tests(settings, command):
    settings.LOCAL = False
    with pytest.raises(CommandError, match="development"):
        call_command(*command)
    assert not User.objects.exists()


def test_seed_demo_refuses_in_a_production_configuration(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "SECRET_KEY")}
    environment.update(
        DJANGO_ENV="production",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="x.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "seed_demo is for development and tests only" in result.stderr
