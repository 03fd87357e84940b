#!/usr/bin/env bash
# Benchmark: load + unpack of the ~200 MB, 5-layer fixture image
# (tests/fixtures/big.sh) by gocker, against the peer pipeline in the same
# run: `skopeo copy docker-archive:... oci:DIR:big` then
# `umoci unpack --image DIR:big BUNDLE`. Each side runs once to warm up,
# then RUNS times (default 5) into fresh directories; prints every time,
# the medians and the ratio gocker/peer (target: at most 0.5).
#   tests/bench/load.sh            (GOCKER_BIN, default build/gocker)
#   RUNS=3 BENCH_TMP=/var/tmp tests/bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
GOCKER_BIN=${GOCKER_BIN:-$PWD/build/gocker}
RUNS=${RUNS:-5}
BENCH_TMP=${BENCH_TMP:-/var/tmp}
IMAGE=$PWD/tests/fixtures/out/big.docker.tar

for tool in skopeo umoci; do
	command -v $tool >/dev/null || { echo "load.sh: $tool missing (make deps)" >&2; exit 1; }
done
[ -x "$GOCKER_BIN" ] || { echo "load.sh: $GOCKER_BIN missing (make all)" >&2; exit 1; }
tests/fixtures/big.sh

base=$(mktemp -d "$BENCH_TMP/gocker-bench-load.XXXXXX")
trap 'rm -rf "$base"' EXIT

now() { date +%s.%N; }

# Each run gets fresh directories; dirty pages of the previous run are
# written back before the clock starts, so runs do not pay for each other.
# Nothing is deleted until the end (about 4 GB): in ext4 without a journal,
# creating files right after thousands were deleted costs a scan over the
# recently deleted inodes (recently_deleted()), which would bill one side for
# the other's cleanup.
run_gocker() { # N -> seconds
	local d=$base/gocker.$1 t0 t1
	mkdir -p "$d"
	sync
	t0=$(now)
	GOCKER_ROOT=$d/root GOCKER_RUN=$d/run "$GOCKER_BIN" load -i "$IMAGE" >/dev/null
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

run_peer() { # N -> seconds
	local d=$base/peer.$1 t0 t1
	mkdir -p "$d"
	sync
	t0=$(now)
	skopeo copy -q "docker-archive:$IMAGE" "oci:$d/oci:big" >/dev/null
	umoci unpack --image "$d/oci:big" "$d/bundle" >/dev/null 2>&1
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "image: $IMAGE ($(du -m "$IMAGE" | cut -f1) MB, 5 layers); $RUNS runs each after one warm-up; in $BENCH_TMP"
run_gocker warm >/dev/null
run_peer warm >/dev/null
g=() p=()
for i in $(seq "$RUNS"); do # interleaved, so both sides see the same machine
	g+=("$(run_gocker "$i")")
	p+=("$(run_peer "$i")")
	printf 'run %d: gocker %.3fs  skopeo+umoci %.3fs\n' "$i" "${g[-1]}" "${p[-1]}"
done
gm=$(printf '%s\n' "${g[@]}" | median)
pm=$(printf '%s\n' "${p[@]}" | median)
printf 'median: gocker load %.3fs, skopeo copy + umoci unpack %.3fs, ratio gocker/peer %.3f (target <= 0.5)\n' \
	"$gm" "$pm" "$(awk -v a="$gm" -v b="$pm" 'BEGIN { print a / b }')"
