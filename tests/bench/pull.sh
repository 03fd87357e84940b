#!/usr/bin/env bash
# Benchmark: pull a ~200 MB, 5-layer image from a local docker-registry into a
# fresh store, against `skopeo copy docker://... oci:DIR` + `umoci unpack`
# (and `podman pull` when podman is installed), in the same run. Medians of 3.
#   O=build tests/bench/pull.sh        (run as root; traffic only to 127.0.0.1)
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
O=${O:-build}
G="$REPO/$O/gocker"
RUNS=${RUNS:-3}
[ -x "$G" ] || { echo "build gocker first (make O=$O)" >&2; exit 1; }

W=$(mktemp -d /tmp/gocker-bench-pull.XXXXXX)
BATS_TEST_DIRNAME="$REPO/tests/integration"
# shellcheck source=../integration/lib/registry.bash
. "$REPO/tests/integration/lib/registry.bash"
D=$W R=$W FIX=$REPO/tests/fixtures/out
. "$REPO/tests/bench/podman.sh" # for podman_cleanup: what podman leaves in fixed places
cleanup() {
	stop_pid_file "$W/reg/pid"
	podman_cleanup
	rm -rf "$W"
}
trap cleanup EXIT

# The image: the fixtures' big.docker.tar when built, else our own OCI layout
# (5 layers of 40 MB: half random bytes, half text, gzip), cached across runs.
BIG="$REPO/tests/fixtures/out/big.docker.tar"
if [ -f "$BIG" ]; then
	SRC="docker-archive:$BIG"
else
	CACHE=/tmp/gocker-bench-big-oci
	if [ ! -f "$CACHE/index.json" ]; then
		echo "# generating a 5-layer ~200 MB image in $CACHE" >&2
		rm -rf "$CACHE.tmp"
		python3 - "$CACHE.tmp" <<'EOF'
import gzip, hashlib, io, json, os, random, sys, tarfile
out = sys.argv[1]
os.makedirs(out + "/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open("%s/blobs/sha256/%s" % (out, d), "wb") as f:
        f.write(data)
    return "sha256:" + d
rng = random.Random(42)
words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
         for _ in range(4096)]
layers, diffs = [], []
for i in range(5):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        d = tarfile.TarInfo("layer%d" % i); d.type = tarfile.DIRTYPE; d.mode = 0o755
        d.mtime = 1704067200; t.addfile(d)
        for j in range(20):
            if j % 2 == 0:
                data = rng.randbytes(2 << 20)
            else:
                data = b" ".join(rng.choice(words) for _ in range(400000))[: 2 << 20]
            ti = tarfile.TarInfo("layer%d/file%02d" % (i, j)); ti.size = len(data)
            ti.mode = 0o644; ti.mtime = 1704067200
            t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                   "digest": blob(gz), "size": len(gz)})
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Cmd": ["/bin/sh"]},
                     "rootfs": {"type": "layers", "diff_ids": diffs},
                     "created": "2024-01-01T00:00:00Z"}).encode()
manifest = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": blob(config), "size": len(config)},
                       "layers": layers}).encode()
index = {"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": blob(manifest),
    "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
with open(out + "/index.json", "w") as f:
    json.dump(index, f)
with open(out + "/oci-layout", "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
EOF
		mv "$CACHE.tmp" "$CACHE"
	fi
	SRC="oci:$CACHE:latest"
fi

REG=$(start_registry "$W/reg")
push_archive "$SRC" "127.0.0.1:$REG/big:latest"
REF="127.0.0.1:$REG/big:latest"
echo "# image: $SRC -> $REF ($(du -sh "$W/reg/data" | cut -f1) in the registry)"

now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# Every run's tree stays until the end: on this ext4 without a journal, files
# created right after thousands were deleted pay for scanning the recently
# deleted inodes, and each side would pay for the other's cleanup.
gocker_times=() skopeo_times=() podman_times=()
have_podman=0
podman_setup && have_podman=1
for i in $(seq 1 "$RUNS"); do
	sync
	t=$(now)
	GOCKER_ROOT="$W/g$i" GOCKER_CONFIG="$W/none.json" "$G" pull -q "$REF" >/dev/null
	gocker_times+=("$(elapsed "$t")")

	sync
	t=$(now)
	skopeo copy -q --src-tls-verify=false "docker://$REF" "oci:$W/s$i:latest" >/dev/null
	umoci unpack --image "$W/s$i:latest" "$W/b$i" >/dev/null 2>&1
	skopeo_times+=("$(elapsed "$t")")

	if [ $have_podman = 1 ]; then
		sync
		t=$(now)
		p="podman --root $W/p$i --runroot $W/pr$i --tmpdir $W/pt$i"
		$p pull -q --tls-verify=false "$REF" >/dev/null
		podman_times+=("$(elapsed "$t")")
		$p rmi -a -f >/dev/null 2>&1 || true
		# podman keeps its storage directory bind-mounted on itself
		! grep -q " $W/p$i/overlay " /proc/self/mountinfo || umount "$W/p$i/overlay"
	fi
done

g=$(printf '%s\n' "${gocker_times[@]}" | median)
s=$(printf '%s\n' "${skopeo_times[@]}" | median)
best=$s best_name="skopeo+umoci"
printf 'gocker pull:          median %.3f s  (runs: %s)\n' "$g" "${gocker_times[*]}"
printf 'skopeo copy + umoci:  median %.3f s  (runs: %s)\n' "$s" "${skopeo_times[*]}"
if [ ${#podman_times[@]} -gt 0 ]; then
	p=$(printf '%s\n' "${podman_times[@]}" | median)
	printf 'podman pull:          median %.3f s  (runs: %s)\n' "$p" "${podman_times[*]}"
	if (($(echo "$p < $best" | bc -l))); then best=$p best_name="podman"; fi
else
	echo "podman pull:          (podman not installed)"
fi
ratio=$(echo "$g / $best" | bc -l)
printf 'ratio gocker / fastest peer (%s): %.2fx (target <= 0.5x)\n' "$best_name" "$ratio"
