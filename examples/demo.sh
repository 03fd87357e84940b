#!/usr/bin/env bash
# The demo: builds the local busybox image (offline, from Debian's busybox-static),
# loads it into a private store and lists it.
set -euo pipefail
cd "$(dirname "$0")/.."
O=${O:-build}
tests/fixtures/build.sh
export GOCKER_ROOT=${GOCKER_ROOT:-/var/lib/gocker}
"$O/gocker" load -i tests/fixtures/out/busybox.docker.tar
"$O/gocker" images
