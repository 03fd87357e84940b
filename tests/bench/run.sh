#!/usr/bin/env bash
# Benchmark: `gocker run --rm --network none busybox true` against `crun run`
# of an OCI bundle with the same busybox rootfs, both measured in the same
# invocation with hyperfine (median of RUNS runs, default 30).
#   O=build tests/bench/run.sh [RUNS]
# crun refuses this machine's hybrid cgroup layout while hugetlb sits on the
# cgroup2 hierarchy; inside `unshare -m` a v1 hugetlb mount releases it for
# the life of that mount.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${O:-build}
RUNS=${1:-30}
G="$PWD/$O/gocker"
FIX="$PWD/tests/fixtures/out"
command -v hyperfine >/dev/null || { echo "hyperfine missing (make deps)"; exit 1; }
command -v crun >/dev/null || { echo "crun missing (make deps)"; exit 1; }
[ -x "$G" ] || { echo "build gocker first: make O=$O all"; exit 1; }
[ -f "$FIX/busybox.docker.tar" ] || tests/fixtures/build.sh >/dev/null

D=$(mktemp -d /tmp/gocker-bench.XXXXXX)
cleanup() {
	GOCKER_ROOT="$D/root" GOCKER_RUN="$D/run" "$G" rm -f $(GOCKER_ROOT="$D/root" GOCKER_RUN="$D/run" "$G" ps -aq) >/dev/null 2>&1 || true
	crun --root "$D/crun-state" delete -f gocker-bench >/dev/null 2>&1 || true
	rm -rf "$D"
}
trap cleanup EXIT
export GOCKER_ROOT="$D/root" GOCKER_RUN="$D/run"
"$G" load -q -i "$FIX/busybox.docker.tar" >/dev/null

# The same rootfs for crun: the unpacked busybox layer, copied.
layer=$(ls -d "$GOCKER_ROOT"/layers/*/ | head -1)
mkdir -p "$D/bundle"
cp -a "$layer" "$D/bundle/rootfs"
(cd "$D/bundle" && crun spec)
python3 - "$D/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["args"] = ["true"]
c["process"]["terminal"] = False
c["root"]["readonly"] = False
json.dump(c, open(p, "w"), indent=1)
PY

echo "# gocker: $RUNS runs of: gocker run --rm --network none busybox true"
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$D/gocker.json" \
	"$G run --rm --network none busybox true" >/dev/null
echo "# crun:   $RUNS runs of: crun run (same busybox rootfs, its default namespaces incl. network)"
unshare -m bash -c "
	set -e
	mount --make-rprivate /
	mkdir -p '$D/hugetlb'
	mount -t cgroup -o hugetlb none '$D/hugetlb'
	hyperfine -N --warmup 3 --runs '$RUNS' --export-json '$D/crun.json' \
		'crun --root $D/crun-state run --bundle $D/bundle gocker-bench' >/dev/null
"
python3 - "$D/gocker.json" "$D/crun.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["results"][0]["median"]
c = json.load(open(sys.argv[2]))["results"][0]["median"]
print(f"gocker median: {g*1000:.2f} ms")
print(f"crun   median: {c*1000:.2f} ms")
print(f"ratio gocker/crun: {g/c:.2f} (target <= 0.75)")
PY
