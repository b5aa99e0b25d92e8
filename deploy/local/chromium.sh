#!/usr/bin/env bash
# Chromium (Debian's package), the headless browser of the overview page test. No server.
#
#   deploy/local/chromium.sh install|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

chromium_version() { chromium --version 2>/dev/null | head -1; }

case "${1:-}" in
install | start)
	if have_pkg chromium && command -v chromium >/dev/null 2>&1; then
		log "chromium is already installed ($(chromium_version))"
	else
		apt_install chromium
		log "chromium installed ($(chromium_version))"
	fi
	;;
status)
	if command -v chromium >/dev/null 2>&1; then
		log "chromium is installed ($(chromium_version))"
	else
		log "chromium is not installed"
		exit 1
	fi
	;;
stop) log "chromium has no server, nothing to stop" ;;
*)
	echo "usage: $0 install|status" >&2
	exit 2
	;;
esac
