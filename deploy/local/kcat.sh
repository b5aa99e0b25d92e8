#!/usr/bin/env bash
# kcat (Debian's package), the Kafka command-line client. No server.
#
#   deploy/local/kcat.sh install|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

kcat_version() { kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\) .*\(librdkafka [^ ]*\).*/kcat \1, \2/p'; }

case "${1:-}" in
install | start)
	if have_pkg kcat && command -v kcat >/dev/null 2>&1; then
		log "kcat is already installed ($(kcat_version))"
	else
		apt_install kcat
		log "kcat installed ($(kcat_version))"
	fi
	;;
status)
	if command -v kcat >/dev/null 2>&1; then
		log "kcat is installed ($(kcat_version))"
	else
		log "kcat is not installed"
		exit 1
	fi
	;;
stop) log "kcat has no server, nothing to stop" ;;
*)
	echo "usage: $0 install|status" >&2
	exit 2
	;;
esac
