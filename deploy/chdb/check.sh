#!/usr/bin/env bash
# Compares dumps of metrics/kpi/kpitest/chdbdump with a current ClickHouse
# (chDB): sets up deploy/chdb/.venv with the pinned chDB once (idempotent;
# installs python3-venv through apt-get when missing), then runs check.py.
#
#   deploy/chdb/check.sh DUMP_DIR [DUMP_DIR ...]
#
# Env: PYTHON (python3).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv"
PYTHON="${PYTHON:-python3}"
# chdb 4.4.0 embeds ClickHouse 26.9 through chdb-core; both pinned so that a
# new chdb-core release cannot change the engine under the check.
CHDB_VERSION=4.4.0
CHDB_CORE_VERSION=26.9.0

pinned() {
	"$VENV/bin/python" - "$CHDB_VERSION" "$CHDB_CORE_VERSION" 2>/dev/null <<'PY'
import sys, importlib.metadata as m
sys.exit(0 if (m.version("chdb"), m.version("chdb-core")) == tuple(sys.argv[1:]) else 1)
PY
}

if ! pinned; then
	if ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
		echo "check.sh: installing python3-venv" >&2
		apt-get install -y python3-venv >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y python3-venv >/dev/null; }
	fi
	[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
	"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
		"chdb==$CHDB_VERSION" "chdb-core==$CHDB_CORE_VERSION"
	pinned || { echo "check.sh: chdb $CHDB_VERSION / chdb-core $CHDB_CORE_VERSION not installed in $VENV" >&2; exit 1; }
fi
exec "$VENV/bin/python" "$HERE/check.py" "$@"
