#!/usr/bin/env bash
# CI check of the compose stack (issue 13), offline: Debian's docker-compose
# 1.29 (installed when missing) validates deploy/compose/compose.yaml against
# the compose specification's JSON schema it bundles and resolves it
# (`config -q`: anchors, merges, paths, depends_on conditions); then
# promtool checks the stack's Prometheus config with deploy/prometheus/rules
# at the paths the container mounts them (the Go tests of deploy/ check the
# wiring: services, volumes, secrets, healthchecks). Nothing is pulled or run.
#
#   deploy/compose/check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
HERE="$ROOT/deploy/compose"
t0=$(now_ms)

command -v docker-compose >/dev/null 2>&1 || apt_install docker-compose
command -v promtool >/dev/null 2>&1 || apt_install prometheus
log "$(docker-compose version --short 2>/dev/null | head -n1 | sed 's/^/docker-compose /')"

# config -q needs no secret files: nothing here is a real password
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log "docker-compose -f deploy/compose/compose.yaml config -q"
docker-compose -f "$HERE/compose.yaml" --project-directory "$HERE" config -q ||
	die "docker-compose config: deploy/compose/compose.yaml is invalid"
docker-compose -f "$HERE/compose.yaml" --project-directory "$HERE" config >"$tmp/resolved.yaml" 2>/dev/null
grep -q 'condition: service_completed_successfully' "$tmp/resolved.yaml" ||
	die "docker-compose config dropped the depends_on conditions"

# Prometheus's config as the container sees it: rules under /etc/prometheus/rules
mkdir -p "$tmp/etc/prometheus"
cp -r "$ROOT/deploy/prometheus/rules" "$tmp/etc/prometheus/rules"
sed "s#/etc/prometheus/rules#$tmp/etc/prometheus/rules#" "$HERE/prometheus.yml" >"$tmp/etc/prometheus/prometheus.yml"
log "promtool check config deploy/compose/prometheus.yml (with deploy/prometheus/rules)"
promtool check config "$tmp/etc/prometheus/prometheus.yml" || die "promtool: deploy/compose/prometheus.yml is invalid"
log "compose checks passed in $(since "$t0")"
