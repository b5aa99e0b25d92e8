#!/usr/bin/env bash
# CI check of the Helm chart deploy/helm/cxpulse (issue 13), offline:
#
#   1. helm lint, with the default values and with deploy/helm/ci-values.yaml
#   2. helm template of both; the charts' refusals (ingest.replicas above the
#      partitions, compute.replicas above 1 without leader election) must fail
#   3. kubernetes-validate --strict -k KUBE_VERSION on every rendered manifest
#      (the Kubernetes OpenAPI schemas bundled in the PyPI package): unknown
#      or mistyped fields fail. Its schemas do not cover the CRDs
#      (ServiceMonitor, PrometheusRule): 5 and 6 check those
#   4. helm package: the package renders the same (symlinked files included)
#   5. promtool check rules on the rendered PrometheusRule's groups
#   6. the Go tests of deploy/ with -tags helm: the rendered rules equal
#      deploy/prometheus/rules, the dashboard ConfigMaps deploy/grafana/dashboards,
#      both CRD objects decode strictly into prometheus-operator's own Go types,
#      and the pods are non-root with a read-only root filesystem and probes.
#
# Helm v4 is built from its Go module (go install, pinned HELM_VERSION) once
# and cached in deploy/local/.run/helm/<version>/ (a few minutes the first
# time, nothing after); kubernetes-validate is pip-installed (pinned) into
# deploy/local/.run/kubernetes-validate/.venv. Both git-ignored.
#
#   deploy/helm/check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
cd "$ROOT"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
KV_VERSION="${KV_VERSION:-1.37.0}" # kubernetes-validate on PyPI
KUBE_VERSION="${KUBE_VERSION:-1.33.0}"
CHART="$ROOT/deploy/helm/cxpulse"
OUT="$RUN_DIR/helm/rendered"
HELM="$RUN_DIR/helm/$HELM_VERSION/helm"
KV_VENV="$RUN_DIR/kubernetes-validate/.venv"
t0=$(now_ms)

# ensure_helm: the pinned helm, built once into the cache.
ensure_helm() {
	[[ -x $HELM ]] && return 0
	local t=$(now_ms) dir="$RUN_DIR/helm/$HELM_VERSION"
	mkdir -p "$dir"
	log "building helm $HELM_VERSION from its Go module into $dir (once; several minutes)"
	GOBIN="$dir" "$GO" install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >"$RUN_DIR/helm/build.log" 2>&1 ||
		{ tail_logs "$RUN_DIR/helm/build.log"; die "go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION failed"; }
	log "helm $HELM_VERSION built in $(since "$t")"
}

# ensure_kv: the pinned kubernetes-validate in its venv.
ensure_kv() {
	if [[ -x $KV_VENV/bin/kubernetes-validate ]] &&
		[[ $("$KV_VENV/bin/kubernetes-validate" --version 2>/dev/null) == *"$KV_VERSION"* ]]; then
		return 0
	fi
	local py
	py=$(command -v /usr/bin/python3 || command -v python3) || { apt_install python3; py=/usr/bin/python3; }
	"$py" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
	mkdir -p "$(dirname "$KV_VENV")"
	[[ -x $KV_VENV/bin/python ]] || "$py" -m venv "$KV_VENV"
	log "installing kubernetes-validate $KV_VERSION into $KV_VENV"
	"$KV_VENV/bin/python" -m pip install -q --disable-pip-version-check "kubernetes-validate==$KV_VERSION"
}

ensure_helm
ensure_kv
command -v promtool >/dev/null 2>&1 || apt_install prometheus
rm -rf "$OUT"
mkdir -p "$OUT"

for vals in default ci; do
	args=()
	[[ $vals == default ]] || args=(-f "$ROOT/deploy/helm/ci-values.yaml")
	log "helm lint ($vals values)"
	"$HELM" lint --strict "$CHART" "${args[@]}" 2>&1 | grep -v 'found symbolic link' || die "helm lint ($vals values) failed"
	log "helm template ($vals values) > $OUT/$vals.yaml"
	"$HELM" template cxpulse "$CHART" --namespace cxpulse "${args[@]}" >"$OUT/$vals.yaml" 2>"$OUT/$vals.err" ||
		{ cat "$OUT/$vals.err" >&2; die "helm template ($vals values) failed"; }
	log "kubernetes-validate $KV_VERSION --strict -k $KUBE_VERSION ($vals values)"
	"$KV_VENV/bin/kubernetes-validate" --strict --quiet -k "$KUBE_VERSION" "$OUT/$vals.yaml" >"$OUT/$vals.kv" 2>&1 ||
		{ cat "$OUT/$vals.kv" >&2; die "kubernetes-validate found invalid manifests ($vals values)"; }
	# the only warnings allowed: the two CRDs it has no schema for
	if grep -v -e 'kind PrometheusRule with api version monitoring.coreos.com/v1' \
		-e 'kind ServiceMonitor with api version monitoring.coreos.com/v1' "$OUT/$vals.kv" | grep -q .; then
		cat "$OUT/$vals.kv" >&2
		die "kubernetes-validate: unexpected output ($vals values)"
	fi
done

# refuse() VALUES... MESSAGE: helm template with these values must fail saying MESSAGE
refuse() {
	local msg=${*: -1} out
	if out=$("$HELM" template cxpulse "$CHART" "${@:1:$#-1}" 2>&1); then
		die "helm template ${*:1:$#-1} rendered; it must refuse ($msg)"
	fi
	[[ $out == *"$msg"* ]] || { echo "$out" >&2; die "helm template ${*:1:$#-1} failed without saying '$msg'"; }
	log "refused as it must: ${*:1:$#-1}"
}
refuse --set ingest.replicas=7 "exceeds config.kafka.topic_partitions (6)"
refuse --set compute.replicas=2 "more than one compute needs cxpulse's leader election"

# the packaged chart (what operators install from a repository) carries the
# symlinked rules and dashboards as files: it renders the same
log "helm package, and the package renders as the folder does"
"$HELM" package "$CHART" --destination "$OUT" >"$OUT/package.log" 2>&1 || { cat "$OUT/package.log" >&2; die "helm package failed"; }
"$HELM" template cxpulse "$OUT"/cxpulse-*.tgz --namespace cxpulse >"$OUT/package.yaml" 2>/dev/null || die "helm template of the package failed"
cmp -s "$OUT/default.yaml" "$OUT/package.yaml" || die "the packaged chart renders differently from deploy/helm/cxpulse"

log "promtool check rules on the rendered PrometheusRule"
"$KV_VENV/bin/python" - "$OUT/default.yaml" >"$OUT/rules.yml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "PrometheusRule"]
assert len(docs) == 1, f"{len(docs)} PrometheusRule objects rendered, want 1"
yaml.safe_dump({"groups": docs[0]["spec"]["groups"]}, sys.stdout, sort_keys=False, allow_unicode=True)
PY
promtool check rules "$OUT/rules.yml" || die "promtool check rules: the rendered PrometheusRule is invalid"

log "Go tests of the rendered chart (deploy/, -tags helm)"
CXPULSE_TEST_HELM_RENDERED="$OUT" "$GO" test -tags helm -count=1 ./deploy/ || die "chart tests failed"
log "chart checks passed in $(since "$t0")"
