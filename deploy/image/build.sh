#!/usr/bin/env bash
# Builds the cxpulse image from deploy/Dockerfile.
#
#   deploy/image/build.sh             the multi-stage build (pulls GO_IMAGE,
#                                     golang:1.26.8-bookworm, from a registry)
#   deploy/image/build.sh --offline   no registry: the static binary is built
#                                     here (CGO_ENABLED=0) and copied with this
#                                     machine's CA bundle into FROM scratch, and
#                                     docker build runs with --network=none
#   GO_IMAGE=local/golang:1.26.8 deploy/image/build.sh
#                                     the multi-stage build on a base made here
#                                     by deploy/image/local-golang.sh
#
# Uses the engine of DOCKER_HOST when set, else starts deploy/local/docker.sh
# (Debian's docker.io; left running: deploy/local/down.sh stops it).
# Env: IMAGE (cxpulse:VERSION), VERSION (git describe), GO (go), GO_IMAGE.
# Prints the image reference on the last line.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
cd "$ROOT"

GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
VERSION="${VERSION:-$(git describe --always --dirty 2>/dev/null || echo dev)}"
REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
IMAGE="${IMAGE:-cxpulse:$VERSION}"
offline=0
case "${1:-}" in
--offline) offline=1 ;;
"") ;;
*) die "usage: $0 [--offline]" ;;
esac

if [[ -z ${DOCKER_HOST:-} ]]; then
	"$ROOT/deploy/local/docker.sh" start >&2
	DOCKER_HOST="$("$ROOT/deploy/local/docker.sh" host)"
	export DOCKER_HOST
fi
DOCKER="${DOCKER:-$(command -v /usr/bin/docker || command -v docker)}"

args=(--build-arg "VERSION=$VERSION" --build-arg "REVISION=$REVISION"
	--build-arg "CREATED=$(date -u +%FT%TZ)" -f deploy/Dockerfile -t "$IMAGE")
[[ -z ${GO_IMAGE:-} ]] || args+=(--build-arg "GO_IMAGE=$GO_IMAGE")
t0=$(now_ms)
buildkit=1
if [[ ${GO_IMAGE:-} == local/* ]] && ((!offline)); then
	# a base from deploy/image/local-golang.sh: go mod download reaches the
	# module proxy through the host's network, which BuildKit does not grant
	# without an entitlement: the classic builder then
	args+=(--network=host)
	buildkit=0
fi
if ((offline)); then
	[[ -s /etc/ssl/certs/ca-certificates.crt ]] || apt_install ca-certificates
	mkdir -p bin/image
	log "building the static binary bin/image/cxpulse (CGO_ENABLED=0)" >&2
	CGO_ENABLED=0 "$GO" build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o bin/image/cxpulse ./cmd/cxpulse
	cp /etc/ssl/certs/ca-certificates.crt bin/image/ca-certificates.crt
	args+=(--network=none --build-arg BIN_STAGE=prebuilt)
fi
log "docker build ${args[*]} . (engine $DOCKER_HOST)" >&2
DOCKER_BUILDKIT=$buildkit "$DOCKER" build "${args[@]}" . >&2
# the classic builder leaves the build stage behind untagged (~1.3 GB)
"$DOCKER" image prune -f >/dev/null
log "built $IMAGE in $(since "$t0"): $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.1f MB", $1/1e6}')" >&2
echo "$IMAGE"
