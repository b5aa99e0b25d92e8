#!/usr/bin/env bash
# Writes the compose stack's secrets into deploy/compose/secrets/ (git-ignored)
# when missing: random passwords and token, one per file, mode 0644 so the
# containers' non-root users can read them (keep the folder itself private).
# Never overwrites an existing file. Usage: deploy/compose/secrets.sh
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/secrets"
mkdir -p "$dir"
chmod 700 "$dir"
for name in clickhouse_password grafana_admin_password cxpulse_http_token; do
	f="$dir/$name"
	[[ -s $f ]] && continue
	head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$f"
	chmod 644 "$f"
	echo "[compose] wrote $f"
done
