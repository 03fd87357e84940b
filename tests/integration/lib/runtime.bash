# Shared setup for the container tests (run.bats, exec.bats, lifecycle.bats):
# one private GOCKER_ROOT/GOCKER_RUN per file with busybox loaded, and a
# teardown that removes this file's containers and checks that none of their
# mounts, cgroups or processes are left.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="${GOCKER_FIXTURES:-$REPO/tests/fixtures/out}"

rt_setup_file() {
	export RT_TMP="$(mktemp -d "/tmp/gocker-$1-bats.XXXXXX")"
	export GOCKER_ROOT="$RT_TMP/root" GOCKER_RUN="$RT_TMP/run"
	# bridge is the default network: a bridge and a random /24 of this
	# file's own, removed again by the prune in rt_teardown_file
	export GOCKER_BRIDGE="gkr$(printf '%04x' $RANDOM)"
	export GOCKER_SUBNET="10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24"
	[ -f "$FIX/busybox.docker.tar" ] || return 0
	"$GOCKER_BIN" load -q -i "$FIX/busybox.docker.tar" >/dev/null
}

rt_teardown_file() {
	"$GOCKER_BIN" network prune -f >/dev/null 2>&1 || true
	local rc=0
	if ip link show "$GOCKER_BRIDGE" >/dev/null 2>&1; then
		echo "leaked bridge $GOCKER_BRIDGE"
		rc=1
	fi
	rm -rf "$RT_TMP"
	return $rc
}

rt_setup() {
	G="$GOCKER_BIN"
	[ -f "$FIX/busybox.docker.tar" ] || skip "fixture busybox.docker.tar not built"
	: >"$RT_TMP/ids"
}

# gocker, remembering every container id that exists afterwards.
g() {
	"$G" "$@"
	local rc=$?
	ls "$GOCKER_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' >>"$RT_TMP/ids" || true
	return $rc
}

# Anything of ours still around? Prints it and fails.
rt_check_leaks() {
	local leaks=0 id c p
	for id in $(sort -u "$RT_TMP/ids"); do
		for c in memory cpu cpuacct pids devices unified; do
			if [ -d "/sys/fs/cgroup/$c/gocker-$id" ]; then
				echo "leaked cgroup $c/gocker-$id"
				leaks=1
			fi
		done
	done
	# A process of one of our containers sees our overlay in its mount table.
	for p in /proc/[0-9]*; do
		if grep -qs "$RT_TMP/root/containers" "$p/mountinfo"; then
			echo "leaked process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
			leaks=1
		fi
	done
	# The monitor of one of our containers (gocker-monitor ID ...).
	for p in $(pgrep -x gocker-monitor); do
		if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qFf "$RT_TMP/ids"; then
			echo "leaked monitor $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
			leaks=1
		fi
	done
	if grep -q "$RT_TMP/" /proc/self/mountinfo; then
		echo "leaked mount under $RT_TMP"
		leaks=1
	fi
	return $leaks
}

rt_teardown() {
	local ids
	ids=$("$G" ps -aq --no-trunc 2>/dev/null)
	[ -n "$ids" ] && "$G" rm -f $ids >/dev/null 2>&1
	ls "$GOCKER_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' >>"$RT_TMP/ids" || true
	rt_check_leaks
}

# Wait (up to 10 s) until a command succeeds.
wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# At least one container of ours is running.
ctr_running() {
	[ -n "$("$G" ps -q)" ]
}

# From a terminal, without -t, the container's stdio are pipes gocker relays,
# never the caller's terminal (Docker's `[ -t 1 ] || echo notty` prints
# notty). NOTTY prints one line per fd that is no terminal; notty_all checks
# $output has all three.
NOTTY='[ -t 0 ] || echo in-notty; [ -t 1 ] || echo out-notty; [ -t 2 ] || echo err-notty >&2'
notty_all() {
	[[ "$output" == *in-notty* ]] && [[ "$output" == *out-notty* ]] &&
		[[ "$output" == *err-notty* ]]
}
