#!/usr/bin/env bash
# Benchmark: `gocker run --rm --network none busybox true` against `crun run`
# of an OCI bundle with the same busybox rootfs, both measured in the same
# invocation with hyperfine (median of RUNS runs each, default 30).
#   O=build tests/bench/run.sh [RUNS]
#   BENCH_TMP=/mnt/other-disk O=build tests/bench/run.sh   (store and bundle
#   on another filesystem; default /tmp)
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

# The store (GOCKER_ROOT) on the disk, like /var/lib/gocker, next to crun's
# bundle; the runtime state of both on a tmpfs, as /run is on a normal system
# (GOCKER_RUN, and crun's --root, by default /run/crun; on this machine /run
# is on the disk).
D=$(mktemp -d "${BENCH_TMP:-/tmp}/gocker-bench.XXXXXX")
R=$(mktemp -d /dev/shm/gocker-bench.XXXXXX)
export GOCKER_ROOT="$D/root" GOCKER_RUN="$R"
. tests/bench/podman.sh
cleanup() {
	"$G" rm -f $("$G" ps -aq) >/dev/null 2>&1 || true
	crun --root "$R/crun-state" delete -f gocker-bench >/dev/null 2>&1 || true
	podman_cleanup
	rm -rf "$D" "$R"
}
trap cleanup EXIT
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

# Rounds of 5 runs each, alternating gocker and crun, so drifting machine
# load hits both alike; the medians are over all runs. Both run inside one
# `unshare -m` (gocker's mounts live in its containers' own namespaces).
ROUNDS=$(((RUNS + 4) / 5))
echo "# $((ROUNDS * 5)) runs each, in $ROUNDS alternating rounds of 5:"
echo "#   gocker run --rm --network none busybox true"
echo "#   crun run (same busybox rootfs, its default namespaces incl. network)"
unshare -m bash -c "
	set -e
	mount --make-rprivate /
	mkdir -p '$D/hugetlb'
	mount -t cgroup -o hugetlb none '$D/hugetlb'
	hyperfine -N --warmup 3 --runs 3 '$G run --rm --network none busybox true' \
		'crun --root $R/crun-state run --bundle $D/bundle gocker-bench' >/dev/null
	for r in \$(seq $ROUNDS); do
		hyperfine -N --runs 5 --export-json '$D/gocker.'\$r.json \
			'$G run --rm --network none busybox true' >/dev/null
		hyperfine -N --runs 5 --export-json '$D/crun.'\$r.json \
			'crun --root $R/crun-state run --bundle $D/bundle gocker-bench' >/dev/null
	done
"
if podman_setup; then
	echo "# then 10 runs of podman run --rm --network none busybox true"
	podman_bench 10 "$D/podman.1.json" none
fi
python3 - "$D" <<'PY'
import glob, json, statistics, sys
def times(kind):
    t = []
    for f in glob.glob(f"{sys.argv[1]}/{kind}.*.json"):
        t += json.load(open(f))["results"][0]["times"]
    return t
g, c = statistics.median(times("gocker")), statistics.median(times("crun"))
print(f"gocker median: {g*1000:.2f} ms")
print(f"crun   median: {c*1000:.2f} ms")
print(f"ratio gocker/crun: {g/c:.2f} (target <= 0.75)")
if times("podman"):
    p = statistics.median(times("podman"))
    print(f"podman median: {p*1000:.2f} ms (gocker/podman {g/p:.3f})")
else:
    print("podman: not installed (make deps), skipped")
PY
