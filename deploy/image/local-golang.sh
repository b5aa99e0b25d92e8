#!/usr/bin/env bash
# Builds a stand-in for golang:1.26.8-bookworm without any registry, so that
# the multi-stage build of deploy/Dockerfile (make image) can be tried on a
# machine that reaches no image registry: a Debian bookworm root made with
# debootstrap (from the Debian mirror), imported as local/debian:bookworm,
# plus this machine's Go toolchain and CA bundle, tagged local/golang:<go version>.
# Then: GO_IMAGE=local/golang:1.26.8 deploy/image/build.sh (go mod download
# inside the build needs the Go module proxy: build.sh passes --network=host
# when GO_IMAGE starts with local/). Not part of CI (about 3 minutes).
#
#   deploy/image/local-golang.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../local/lib.sh
source "$ROOT/deploy/local/lib.sh"
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
GOROOT="$("$GO" env GOROOT)"
GOVERSION="$("$GO" env GOVERSION)"
DIR="$RUN_DIR/rootfs"

if [[ -z ${DOCKER_HOST:-} ]]; then
	"$ROOT/deploy/local/docker.sh" start
	DOCKER_HOST="$("$ROOT/deploy/local/docker.sh" host)"
	export DOCKER_HOST
fi
DOCKER=/usr/bin/docker
t0=$(now_ms)
if ! "$DOCKER" image inspect local/debian:bookworm >/dev/null 2>&1; then
	command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
	if [[ ! -x $DIR/bookworm/bin/sh ]]; then
		log "debootstrap --variant=minbase bookworm $DIR/bookworm (log: $DIR/debootstrap.log)"
		mkdir -p "$DIR"
		debootstrap --variant=minbase bookworm "$DIR/bookworm" http://deb.debian.org/debian >"$DIR/debootstrap.log" 2>&1 ||
			{ tail_logs "$DIR/debootstrap.log"; die "debootstrap failed"; }
	fi
	tar -C "$DIR/bookworm" -c . | "$DOCKER" import - local/debian:bookworm >/dev/null
fi
rm -rf "$DIR/golang"
mkdir -p "$DIR/golang"
cp -a "$GOROOT" "$DIR/golang/go"
cp /etc/ssl/certs/ca-certificates.crt "$DIR/golang/"
cat >"$DIR/golang/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY go /usr/local/go
ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOTOOLCHAIN=local
DOCKERFILE
tag="local/golang:${GOVERSION#go}"
DOCKER_BUILDKIT=0 "$DOCKER" build --network=none -q -t "$tag" "$DIR/golang" >/dev/null
rm -rf "$DIR/golang"
log "built $tag in $(since "$t0"): GO_IMAGE=$tag deploy/image/build.sh"
