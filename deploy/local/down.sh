#!/usr/bin/env bash
# Stops the given local servers (SIGTERM, SIGKILL after STOP_TIMEOUT s).
#
#   deploy/local/down.sh [servers...]   default: every one that is running
#
# Data stays in deploy/local/.run/ (delete that folder to start afresh).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

ALL=(docker alertmanager prometheus kafka clickhouse) # reverse start order
servers=("$@")
if ((${#servers[@]} == 0)) || [[ " ${servers[*]} " == *" all "* ]]; then servers=("${ALL[@]}"); fi

failed=()
for s in "${servers[@]}"; do
	case "$s" in
	kcat) continue ;; # nothing runs
	clickhouse | kafka | prometheus | alertmanager | docker)
		"$LOCAL_DIR/$s.sh" stop || failed+=("$s")
		;;
	*) die "unknown server '$s' (known: ${ALL[*]} kcat, all)" ;;
	esac
done
((${#failed[@]} == 0)) || die "could not stop: ${failed[*]}"
