# Shared setup for isolation.bats and limits.bats: a private GOCKER_ROOT and
# GOCKER_RUN per file with busybox loaded; every container id this file made
# is remembered, and teardown checks that none of its cgroups, mounts or
# processes is left (only ours: other tests run at the same time).

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
FIX="${GOCKER_FIXTURES:-$REPO/tests/fixtures/out}"
CG=/sys/fs/cgroup
DEFAULT_CAPS=00000000a80425fb

sec_setup_file() {
	export SEC_TMP="$(mktemp -d "/tmp/gocker-$1-bats.XXXXXX")"
	export GOCKER_ROOT="$SEC_TMP/root" GOCKER_RUN="$SEC_TMP/run"
	# bridge is the default network: a bridge and a random /24 of this
	# file's own, removed again by the prune in sec_teardown_file
	export GOCKER_BRIDGE="gkr$(printf '%04x' $RANDOM)"
	export GOCKER_SUBNET="10.$((200 + RANDOM % 50)).$((RANDOM % 256)).0/24"
	: >"$SEC_TMP/ids"
	[ -f "$FIX/busybox.docker.tar" ] || return 0
	"$GOCKER_BIN" load -q -i "$FIX/busybox.docker.tar" >/dev/null
}

sec_teardown_file() {
	"$GOCKER_BIN" network prune -f >/dev/null 2>&1 || true
	local rc=0
	if ip link show "$GOCKER_BRIDGE" >/dev/null 2>&1; then
		echo "leaked bridge $GOCKER_BRIDGE"
		rc=1
	fi
	rm -rf "$SEC_TMP"
	return $rc
}

sec_setup() {
	G="$GOCKER_BIN"
	[ -f "$FIX/busybox.docker.tar" ] || skip "fixture busybox.docker.tar not built"
}

remember_ids() {
	ls "$GOCKER_ROOT/containers" 2>/dev/null | grep -E '^[0-9a-f]{64}$' >>"$SEC_TMP/ids" || true
}

# gocker, remembering every container id that exists afterwards.
g() {
	"$G" "$@"
	local rc=$?
	remember_ids
	return $rc
}

# The cgroup directory of container $2 in hierarchy $1 (memory, cpu, ...).
cgdir() {
	echo "$CG/$1/gocker/$2"
}

sec_check_leaks() {
	local leaks=0 id c p
	for id in $(sort -u "$SEC_TMP/ids"); do
		for c in memory cpu cpuacct pids devices unified; do
			if [ -d "$CG/$c/gocker/$id" ]; then
				echo "leaked cgroup $c/gocker/$id"
				leaks=1
			fi
		done
	done
	# A process of one of our containers sees our overlay in its mount table.
	for p in /proc/[0-9]*; do
		if grep -qs "$SEC_TMP/root/containers" "$p/mountinfo"; then
			echo "leaked process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
			leaks=1
		fi
	done
	if grep -q "$SEC_TMP/" /proc/self/mountinfo; then
		echo "leaked mount under $SEC_TMP"
		leaks=1
	fi
	return $leaks
}

sec_teardown() {
	local ids
	ids=$("$G" ps -aq --no-trunc 2>/dev/null)
	[ -n "$ids" ] && "$G" rm -f $ids >/dev/null 2>&1
	remember_ids
	sec_check_leaks
}

# The hex value of a /proc/self/status field in $output ("CapEff" ...).
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$output"
}

wait_for() {
	local i
	for i in $(seq 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
