#!/usr/bin/env bash
# `make audit`: check the installed (pinned) dependencies against known advisories.
#
# 1. pip-audit (pinned, in its own venv under .cache/) over the project's environment, first
#    with PyPI's advisory data, then OSV. If either service answers for the packages, its
#    verdict is final: any known vulnerability fails the audit.
# 2. If neither can be reached (the usual case in the offline build environment: every
#    package comes back "could not be audited"), fall back to docs/advisories.md, the list
#    of versions checked by hand against the GitHub advisories: fail if an installed version
#    is not the one checked there, warn if the check is older than 90 days.
set -uo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
AUDIT_VENV=.cache/audit-venv
PIP_AUDIT_VERSION=2.10.1
OUT=.cache/audit
mkdir -p "$OUT"

site_packages=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || {
    echo "audit: no project environment at $VENV (run make install)" >&2; exit 2; }

if [[ ! -x "$AUDIT_VENV/bin/pip-audit" ]]; then
    echo "audit: installing pip-audit==$PIP_AUDIT_VERSION into $AUDIT_VENV"
    python3 -m venv "$AUDIT_VENV" \
        && "$AUDIT_VENV/bin/pip" install --quiet --disable-pip-version-check "pip-audit==$PIP_AUDIT_VERSION" \
        || echo "audit: could not install pip-audit; using the hand-checked list only" >&2
fi

# Prints "audited vulnerable" counts from a pip-audit JSON report.
summarize() {
    python3 - "$1" <<'EOF'
import json, sys
try:
    deps = json.load(open(sys.argv[1])).get("dependencies", [])
except (OSError, ValueError):
    deps = []
audited = [d for d in deps if not d.get("skip_reason")]
vulnerable = [d for d in audited if d.get("vulns")]
for d in vulnerable:
    for v in d["vulns"]:
        print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} fixed in {', '.join(v.get('fix_versions') or ['?'])}",
              file=sys.stderr)
print(len(audited), len(vulnerable))
EOF
}

if [[ -x "$AUDIT_VENV/bin/pip-audit" ]]; then
    for service in pypi osv; do
        report="$OUT/pip-audit-$service.json"
        timeout 600 "$AUDIT_VENV/bin/pip-audit" --path "$site_packages" --vulnerability-service "$service" \
            --format json --output "$report" --progress-spinner off >"$OUT/pip-audit-$service.log" 2>&1
        read -r audited vulnerable < <(summarize "$report")
        if [[ "${audited:-0}" -gt 0 ]]; then
            echo "audit: pip-audit ($service) checked $audited installed packages: $vulnerable vulnerable"
            [[ "$vulnerable" -eq 0 ]] && exit 0 || exit 1
        fi
        echo "audit: pip-audit could not reach the $service advisory service (0 packages audited; see $OUT/pip-audit-$service.log)"
    done
fi

echo "audit: falling back to the versions checked by hand in docs/advisories.md"
exec "$PY" - <<'EOF'
import datetime as dt
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

text = Path("docs/advisories.md").read_text("utf-8")
block = text.split("<!-- audit-table")[1].split("<!-- end audit-table -->")[0]
rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block.splitlines()
        if line.startswith("| ") and not line.startswith("| package") and not line.startswith("|---")]
failed, oldest = False, dt.date.today()
for pkg, checked, date, _found, result in rows:
    checked = checked.split()[0]
    try:
        installed = version(pkg)
    except PackageNotFoundError:
        print(f"  {pkg}: not installed (checked {checked} on {date})")
        continue
    when = dt.date.fromisoformat(date)
    oldest = min(oldest, when)
    if installed.split("+")[0] != checked.split("+")[0]:
        failed = True
        print(f"  NOT CHECKED {pkg} {installed}: docs/advisories.md covers {checked} ({date}); check it by hand")
    else:
        print(f"  {pkg} {installed}: checked against GitHub advisories on {date}: {result}")
age = (dt.date.today() - oldest).days
if age > 90:
    print(f"audit: WARNING the oldest hand check is {age} days old; repeat it (docs/advisories.md)")
print("audit: FAILED" if failed else f"audit: OK ({len(rows)} packages checked by hand; advisory services unreachable)")
sys.exit(1 if failed else 0)
EOF
