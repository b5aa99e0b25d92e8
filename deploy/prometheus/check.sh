#!/usr/bin/env bash
# Checks cxpulse's Prometheus and Alertmanager files, as CI does:
#
#   1. promtool check rules   deploy/prometheus/rules/*.yml
#   2. promtool test rules    deploy/prometheus/tests/*.yml (every alert firing and not)
#   3. promtool check config  deploy/prometheus/prometheus.yml and prometheus-replicas.yml (and the rule files they load)
#   4. amtool check-config    deploy/alertmanager/alertmanager.yml
#   5. amtool config routes test: where typical alerts are routed
#
# Runs every check, prints each command and its result, and exits 1 when any
# failed. Installs Debian's prometheus (promtool) and prometheus-alertmanager
# (amtool) when they are missing, as root or through sudo, without starting
# their system services. Usage: deploy/prometheus/check.sh (from anywhere).
set -uo pipefail

PROM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
AM_CONFIG="$(cd "$PROM_DIR/../alertmanager" && pwd)/alertmanager.yml"

log() { printf '[check] %s\n' "$*"; }
die() {
	printf '[check] ERROR: %s\n' "$*" >&2
	exit 1
}

# install_tools: apt-get install the packages of missing tools; on failure,
# apt-get update and try again. A temporary policy-rc.d keeps the packages'
# postinst from starting a system Prometheus or Alertmanager.
install_tools() {
	local missing=() sudo="" policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
	command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
	command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
	((${#missing[@]})) || return 0
	if [[ $EUID -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "not root and no sudo: apt-get install ${missing[*]} yourself"
		sudo=sudo
	fi
	log "installing ${missing[*]} with apt-get"
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\n# temporary, written by deploy/prometheus/check.sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod 755 "$policy"
		own_policy=1
	fi
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300)
	[[ -z $sudo ]] || apt=("$sudo" "${apt[@]}")
	if ! "${apt[@]}" install --no-install-recommends "${missing[@]}"; then
		log "apt-get install failed, running apt-get update and trying again"
		"${apt[@]}" update || true
		"${apt[@]}" install --no-install-recommends "${missing[@]}" || rc=$?
	fi
	((own_policy)) && $sudo rm -f "$policy"
	((rc == 0)) || die "apt-get install ${missing[*]} failed"
	command -v promtool >/dev/null 2>&1 || die "promtool not found after installing prometheus"
	command -v amtool >/dev/null 2>&1 || die "amtool not found after installing prometheus-alertmanager"
}

failed=()
passed=0

# check NAME CMD...: runs CMD, shows its output indented, records the result.
check() {
	local name=$1 out rc
	shift
	log "$name: $*"
	out=$("$@" 2>&1)
	rc=$?
	out=$(printf '%s\n' "$out" | grep -v -- '--config.file flag overrides the --alertmanager.url')
	[[ -z $out ]] || printf '%s\n' "$out" | sed 's/^/    /'
	if ((rc == 0)); then
		passed=$((passed + 1))
	else
		log "FAILED ($rc): $name"
		failed+=("$name")
	fi
}

# route RECEIVER LABELS...: an alert with LABELS reaches RECEIVER.
route() {
	local want=$1
	shift
	check "route {$*} to $want" \
		amtool config routes test --config.file="$AM_CONFIG" --verify.receivers="$want" "$@"
}

install_tools
log "$(promtool --version 2>&1 | head -n1)"
log "$(amtool --version 2>&1 | head -n1)"

cd "$PROM_DIR" || die "cannot enter $PROM_DIR"
shopt -s nullglob
rules=(rules/*.yml)
tests=(tests/*.yml)
((${#rules[@]})) || die "no rule files in $PROM_DIR/rules"
((${#tests[@]})) || die "no rule tests in $PROM_DIR/tests"

check "rule files" promtool check rules "${rules[@]}"
check "rule unit tests" promtool test rules "${tests[@]}"
check "prometheus config" promtool check config prometheus.yml
check "prometheus config, several replicas" promtool check config prometheus-replicas.yml
check "alertmanager config" amtool check-config "$AM_CONFIG"

route team-lead-praha-1-pager alertname=CxpulseSLABurnRateFast severity=page branch=praha-1 policy=default
route team-lead-brno-email alertname=CxpulseSLABurnRateSlow severity=ticket branch=brno-1 policy=default
route team-lead-praha-1-chat alertname=CxpulseSLATicketsAtRisk severity=warning branch=praha-1 policy=default
route team-leads-email alertname=CxpulseSLABreachingNow severity=ticket branch=ostrava-1 policy=default
route fleet-managers-pager alertname=CxpulseFleetSLABurnRateFast severity=page branch=all policy=default
route team-leads-email alertname=CxpulseNPSDrop severity=ticket branch=budapest-1
route cxpulse-operators-pager alertname=CxpulseKPIStale severity=page branch=all kpi_job=sla_now
route cxpulse-operators alertname=CxpulseIngestDeadLetters severity=ticket branch=all
route cxpulse-operators-pager alertname=CxpulseDown severity=page branch=all

if ((${#failed[@]})); then
	log "${#failed[@]} check(s) FAILED, $passed passed:"
	printf '[check]   %s\n' "${failed[@]}"
	exit 1
fi
log "all $passed checks passed"
