# Sourced by the benchmarks: Debian's podman as a peer, set up so that it
# runs on this machine and leaves nothing behind.
#  - Storage and state of its own under $D (disk) and $R (tmpfs), which the
#    caller makes and removes; the image from $FIX/busybox.docker.tar; the cgroupfs manager (no systemd here) under a
#    cgroup parent of its own; no event log.
#  - rlimits no higher than this machine's hard limits: without
#    CAP_SYS_RESOURCE podman's default nofile of 1048576 fails, and podman
#    lowers its own nproc to 32768.
#  - Like crun, podman refuses the hybrid cgroup layout while hugetlb sits on
#    cgroup2: it runs inside `unshare -m` with a v1 hugetlb mount.
#  - It makes its network run dir and its shared-memory lock file in fixed
#    places, and its bridge network (netavark) leaves chains in iptables'
#    `ip nat` and `ip filter` tables: each is removed afterwards unless it was
#    there before. The bridge is measured only when neither table exists.
# Uses: podman_setup (returns 1 without podman), podman_bench, podman_cleanup.

podman_setup() {
	command -v podman >/dev/null || return 1
	PODMAN_CG=gocker-bench-podman-$$
	local nproc_max
	nproc_max=$(ulimit -Hu)
	[ "$nproc_max" = unlimited ] || [ "$nproc_max" -gt 32768 ] && nproc_max=32768
	PODMAN="podman --root $D/podman --runroot $R/podman --tmpdir $R/podman-tmp"
	PODMAN+=" --cgroup-manager cgroupfs --events-backend none"
	PODMAN_RUN_OPTS="--rm --cgroup-parent /$PODMAN_CG --ulimit nofile=$(ulimit -Hn):$(ulimit -Hn)"
	PODMAN_RUN_OPTS+=" --ulimit nproc=$nproc_max:$nproc_max"
	PODMAN_LEFTOVERS=""
	local f
	for f in /run/containers /dev/shm/libpod_lock; do
		[ -e "$f" ] || PODMAN_LEFTOVERS+=" $f"
	done
	PODMAN_TABLES=""
	for f in nat filter; do
		nft list table ip "$f" >/dev/null 2>&1 || PODMAN_TABLES+=" $f"
	done
}

# Can podman's bridge be measured without touching tables that are not ours?
podman_bridge_ok() { [ "$PODMAN_TABLES" = " nat filter" ]; }

# podman_bench RUNS JSON NETWORK: hyperfine over `podman run ... busybox true`.
podman_bench() {
	local runs=$1 json=$2 network=$3
	[ "$network" = none ] || PODMAN_TABLES_USED=1
	unshare -m bash -c "
		set -e
		mount --make-rprivate /
		mkdir -p '$D/podman-hugetlb'
		mount -t cgroup -o hugetlb none '$D/podman-hugetlb'
		$(declare -f podman_remove_cgroups)
		PODMAN_CG=$PODMAN_CG
		trap 'podman_remove_cgroups /sys/fs/cgroup/* $D/podman-hugetlb' EXIT
		$PODMAN image exists busybox ||
			$PODMAN load -q -i '$FIX/busybox.docker.tar' >/dev/null
		hyperfine -N --warmup 2 --runs $runs --export-json '$json' \
			'$PODMAN run $PODMAN_RUN_OPTS --network $network busybox true' >/dev/null
	"
}

# podman_remove_cgroups HIERARCHY...: conmon may still be leaving its cgroup.
podman_remove_cgroups() {
	local d
	for d in "${@/%//$PODMAN_CG}"; do
		[ -d "$d" ] || continue
		for _ in $(seq 50); do
			rmdir "$d"/* "$d" 2>/dev/null && break
			sleep 0.1
		done
	done
}

podman_cleanup() {
	[ -n "${PODMAN:-}" ] || return 0
	podman_remove_cgroups /sys/fs/cgroup/*
	local t
	[ -n "${PODMAN_TABLES_USED:-}" ] || PODMAN_TABLES=""
	for t in $PODMAN_TABLES; do
		nft delete table ip "$t" 2>/dev/null || true
	done
	rm -rf $PODMAN_LEFTOVERS
}
