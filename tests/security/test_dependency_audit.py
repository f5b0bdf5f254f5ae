"""How .ci/audit_dependencies.py decides: a finding fails CI unless recorded with a reason;
a service that cannot be reached is reported without failing."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("audit", ROOT / ".ci" / "audit_dependencies.py")
audit = importlib.util.module_from_spec(spec)
sys.modules["audit"] = audit
spec.loader.exec_module(audit)

CLEAN = {"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}
FINDING = {
    "dependencies": [
        {
            "name": "django",
            "version": "6.1.3",
            "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["6.1.4"]}],
        }
    ]
}
UNREACHABLE = {"dependencies": [{"name": "django", "skip_reason": "not found on PyPI"}]}


def fake_runs(monkeypatch, *outcomes):
    calls = []

    def run(pip_audit, service, ignores):
        calls.append((service, dict(ignores)))
        return outcomes[len(calls) - 1]

    monkeypatch.setattr(audit, "run_pip_audit", run)
    return calls


def parsed(report, code=0):
    return audit.outcome_of(code, json.dumps(report), "")


def test_a_finding_fails(monkeypatch, capsys):
    fake_runs(monkeypatch, parsed(FINDING, 1))
    assert audit.main([]) == 1
    assert "PYSEC-2099-1 (fixed in 6.1.4)" in capsys.readouterr().out


def test_no_finding_passes(monkeypatch, capsys):
    fake_runs(monkeypatch, parsed(CLEAN))
    assert audit.main([]) == 0
    assert "no known vulnerability in 1 packages" in capsys.readouterr().out


def test_an_unreachable_service_is_reported_but_does_not_fail(monkeypatch, capsys):
    calls = fake_runs(
        monkeypatch,
        parsed(UNREACHABLE),
        audit.outcome_of(1, "", "ConnectionError: Failed to resolve 'api.osv.dev'"),
    )
    assert audit.main([]) == 0
    out = capsys.readouterr().out
    assert "WARNING: could not audit" in out and "api.osv.dev" in out
    assert [service for service, _ in calls] == ["pypi", "osv"]


def test_a_finding_from_the_second_service_still_fails(monkeypatch):
    fake_runs(monkeypatch, parsed(UNREACHABLE), parsed(FINDING, 1))
    assert audit.main([]) == 1


def test_recorded_ids_are_passed_on_and_need_a_reason(monkeypatch, tmp_path):
    ignore_file = tmp_path / "audit-ignore.txt"
    ignore_file.write_text("# comment\nPYSEC-2099-1  not affected: we never call the API\n")
    monkeypatch.setattr(audit, "IGNORE_FILE", ignore_file)
    calls = fake_runs(monkeypatch, parsed(CLEAN))
    assert audit.main([]) == 0
    assert calls[0][1] == {"PYSEC-2099-1": "not affected: we never call the API"}
    ignore_file.write_text("PYSEC-2099-1\n")
    with pytest.raises(SystemExit, match="needs a reason"):
        audit.main([])
