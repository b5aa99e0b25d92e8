#!/usr/bin/env bash
# Chromium (Debian's package), the headless browser of the overview page
# test (metrics/overview.Browse). No server.
#
#   deploy/local/chromium.sh install|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

version() { chromium --version 2>/dev/null | head -1; }

client_main chromium "$@"
