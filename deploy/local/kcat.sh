#!/usr/bin/env bash
# kcat (Debian's package), the Kafka command-line client. No server.
#
#   deploy/local/kcat.sh install|status
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

version() { kcat -V 2>&1 | sed -n 's/^Version \([^ ]*\) .*\(librdkafka [^ ]*\).*/kcat \1, \2/p'; }

client_main kcat "$@"
