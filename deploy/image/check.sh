#!/usr/bin/env bash
# CI check of the container image (issue 13): builds it offline (FROM scratch,
# --network=none, deploy/image/build.sh --offline) on Debian's docker.io
# engine (deploy/local/docker.sh, started when needed), then runs the image
# tests (deploy/image/image_test.go, -tags image): metadata (non-root user,
# entrypoint, health check, OCI labels), `cxpulse version`, and migrate +
# ingest + gen --kafka from the image on the host network against the test
# ClickHouse and Kafka (CXPULSE_TEST_CLICKHOUSE_ADDR, CXPULSE_TEST_KAFKA_BROKERS),
# checking every generated event arrives. Exits non-zero on any failure.
#
#   deploy/image/check.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
cd "$ROOT"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"

t0=$(now_ms)
if [[ -z ${DOCKER_HOST:-} ]]; then
	"$ROOT/deploy/local/docker.sh" start
	DOCKER_HOST="$("$ROOT/deploy/local/docker.sh" host)"
	export DOCKER_HOST
fi
export DOCKER="${DOCKER:-/usr/bin/docker}"
export VERSION="${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}"
image=$("$ROOT/deploy/image/build.sh" --offline | tail -n1)
log "testing $image"
CXPULSE_TEST_IMAGE="$image" CXPULSE_TEST_IMAGE_VERSION="$VERSION" \
	"$GO" test -tags image -count=1 -timeout 10m -v ./deploy/image/ ||
	die "image tests failed ($image)"
log "image checks passed in $(since "$t0")"
