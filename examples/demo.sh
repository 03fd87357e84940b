#!/usr/bin/env bash
# The demo, run by `make demo` as root: builds the busybox image offline from
# Debian's busybox-static, loads it, runs containers with limits, serves the
# web-db example's page from a detached container on a published port, execs
# into it, shows how gocker-compose reads the example stack, and cleans up
# (the image stays, as after `docker load`).
set -euo pipefail
cd "$(dirname "$0")/.."
O=${O:-build}
G="$PWD/$O/gocker"
GC="$PWD/$O/gocker-compose"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() {
	"$G" rm -f gocker-demo-web >/dev/null 2>&1 || true
	"$G" network prune -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "build the busybox image (offline) and load it"
tests/fixtures/build.sh
"$G" load -i tests/fixtures/out/busybox.docker.tar
"$G" images

step "gocker run --rm --mem 64 --pids 32 --cpus 0.5 busybox ..."
"$G" run --rm --mem 64 --pids 32 --cpus 0.5 busybox \
	sh -c 'echo "hello from container $(hostname), PID $$"; id; echo "root: $(ls / | tr "\\n" " ")"'

step "a detached web server on a published port"
"$G" run -d --name gocker-demo-web -p 127.0.0.1::80 \
	-v "$PWD/examples/web-db/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
"$G" ps
hostport=$("$G" port gocker-demo-web 80 | head -1)
echo "fetching http://$hostport/ from the host:"
python3 - "$hostport" <<'PY'
import sys, time, urllib.request
for _ in range(50):
    try:
        print(urllib.request.urlopen("http://" + sys.argv[1] + "/", timeout=2).read().decode()[:300])
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("the web server did not answer")
PY

step "gocker exec into it"
"$G" exec gocker-demo-web sh -c 'echo "inside: $(hostname)"; ps'

step "stop and remove it"
"$G" stop -t 1 gocker-demo-web
"$G" rm gocker-demo-web

step "how gocker-compose reads examples/web-db/compose.yaml"
"$GC" -f examples/web-db/compose.yaml config --services
"$GC" -f examples/web-db/compose.yaml config | sed -n 1,40p
echo "..."
