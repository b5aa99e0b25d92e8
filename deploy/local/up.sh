#!/usr/bin/env bash
# Starts the given local servers idempotently (already running: says so).
#
#   deploy/local/up.sh [servers...]   default: clickhouse kafka
#   deploy/local/up.sh all            clickhouse kafka prometheus alertmanager kcat
#   deploy/local/up.sh docker         the Docker engine of the image checks (not in all)
#
# kcat is only installed (no server). Stops at the first server that fails.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

ALL=(clickhouse kafka prometheus alertmanager kcat)
servers=("$@")
((${#servers[@]})) || servers=(clickhouse kafka)
if [[ " ${servers[*]} " == *" all "* ]]; then servers=("${ALL[@]}"); fi

t0=$(now_ms)
for s in "${servers[@]}"; do
	case "$s" in
	kcat) "$LOCAL_DIR/kcat.sh" install ;;
	clickhouse | kafka | prometheus | alertmanager | docker) "$LOCAL_DIR/$s.sh" start ;;
	*) die "unknown server '$s' (known: ${ALL[*]}, all)" ;;
	esac
done
log "up: ${servers[*]} ($(since "$t0"))"
