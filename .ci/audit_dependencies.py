"""Audit the locked dependencies for known vulnerabilities with pip-audit.

Exit 1 for a finding that is not recorded, with a reason, in audit-ignore.txt. When no
vulnerability service can be reached (every dependency skipped, or a network error), say so
plainly and exit 0: a network outage is not a vulnerability, but it is reported.

    python .ci/audit_dependencies.py [--pip-audit PATH]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
IGNORE_FILE = ROOT / "audit-ignore.txt"
SERVICES = ("pypi", "osv")


@dataclass
class Outcome:
    findings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    audited: int = 0
    error: str = ""

    @property
    def reached_a_service(self) -> bool:
        return not self.error and self.audited > 0


def read_ignores(path: Path | None = None) -> dict[str, str]:
    """`ID  reason` per line; '#' starts a comment. An ID without a reason is an error."""
    path = path or IGNORE_FILE
    ignores = {}
    if not path.exists():
        return ignores
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id} needs a reason")
        ignores[vuln_id] = reason.strip()
    return ignores


def outcome_of(returncode: int, stdout: str, stderr: str) -> Outcome:
    """Read pip-audit's JSON report (format `json`)."""
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        last = (stderr.strip().splitlines() or [f"exit status {returncode}"])[-1]
        return Outcome(error=last)
    outcome = Outcome()
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if "skip_reason" in dependency:
            outcome.skipped.append(name)
            continue
        outcome.audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            outcome.findings.append(f"{name}: {vuln['id']} (fixed in {fixes})")
    return outcome


def run_pip_audit(pip_audit: str, service: str, ignores: dict[str, str]) -> Outcome:
    command = [
        pip_audit,
        "--requirement", str(LOCK),
        "--no-deps",
        "--disable-pip",
        "--progress-spinner", "off",
        "--format", "json",
        "--vulnerability-service", service,
        "--timeout", "30",
    ]  # fmt: skip
    for vuln_id in ignores:
        command += ["--ignore-vuln", vuln_id]
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=600, check=False
    )
    return outcome_of(result.returncode, result.stdout, result.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pip-audit", default=str(ROOT / ".venv-audit" / "bin" / "pip-audit"))
    args = parser.parse_args(argv)
    ignores = read_ignores()
    for vuln_id, reason in ignores.items():
        print(f"audit: ignoring {vuln_id}: {reason}")
    tried = []
    for service in SERVICES:
        outcome = run_pip_audit(args.pip_audit, service, ignores)
        if outcome.findings:
            print(f"audit ({service}): known vulnerabilities in requirements.lock:")
            for finding in outcome.findings:
                print(f"  {finding}")
            print(f"Upgrade, or record the ID with a reason in {IGNORE_FILE.name}.")
            return 1
        if outcome.reached_a_service:
            print(f"audit ({service}): no known vulnerability in {outcome.audited} packages.")
            if outcome.skipped:
                print(f"audit: not audited: {', '.join(outcome.skipped)}")
            return 0
        reason = outcome.error or f"all {len(outcome.skipped)} packages skipped"
        tried.append(f"{service}: {reason}")
    print("audit: WARNING: could not audit the dependencies, no vulnerability service answered:")
    for line in tried:
        print(f"  {line}")
    print("audit: not failing CI for a network problem; run .ci/audit_dependencies.py again.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
