#!/usr/bin/env bats
# 50 containers started and removed in a loop: no veth, address or rule leaks.
# Owns bridge gks<rand> and 198.18.106.0/24.

load lib/net

setup_file() {
	# the subnets are fixed: the same file run from another checkout waits
	exec {NET_LOCK_FD}>"/run/lock/gocker-test-net-198.18.106.lock"
	flock "$NET_LOCK_FD"
	export RND=$(printf '%04x' $((RANDOM)))
	export GOCKER_BRIDGE=gks$RND GOCKER_SUBNET=198.18.106.0/24
	net_setup_roots
	export T GOCKER_ROOT GOCKER_RUN
}

teardown_file() {
	NET_CTR_IDS=$("$GOCKER_BIN" ps -aq --no-trunc 2>/dev/null || true)
	for id in $NET_CTR_IDS; do "$GOCKER_BIN" rm -f "$id" >/dev/null 2>&1 || true; done
	"$GOCKER_BIN" network prune -f >/dev/null || true
	local rc=0
	assert_net_clean "$GOCKER_BRIDGE" || rc=1
	rm -rf "$T"
	return $rc
}

@test "50 containers started and removed: no leaked veth, address or rule" {
	for i in $(seq 1 50); do
		id=$("$GOCKER_BIN" run -d -p "127.0.0.1::80" busybox sleep 30)
		[ -n "$id" ]
		ip link show "veth${id:0:8}" >/dev/null
		"$GOCKER_BIN" rm -f "$id" >/dev/null
		! ip link show "veth${id:0:8}" 2>/dev/null || false
	done
	[ "$(ip -o link show master "$GOCKER_BRIDGE" | wc -l)" -eq 0 ]
	! nft list table ip gocker 2>/dev/null | grep -q 'dnat to 198\.18\.106\.' || false
	ipam_empty
	[ "$(cat "$GOCKER_RUN/net/ports.json")" = "{ }" ] || [ "$(tr -d ' \n' <"$GOCKER_RUN/net/ports.json")" = "{}" ]
	"$GOCKER_BIN" network prune -f
	! ip link show "$GOCKER_BRIDGE" 2>/dev/null || false
}

@test "--rm containers on the bridge free their network when they exit" {
	for i in $(seq 1 10); do
		"$GOCKER_BIN" run --rm busybox true
	done
	# the kernel takes each pair with its netns, a moment after the exit
	for i in $(seq 1 50); do
		[ "$(ip -o link show master "$GOCKER_BRIDGE" 2>/dev/null | wc -l)" -eq 0 ] && break
		sleep 0.1
	done
	[ "$(ip -o link show master "$GOCKER_BRIDGE" 2>/dev/null | wc -l)" -eq 0 ]
	ipam_empty
	[ "$(ls "$GOCKER_RUN/net/containers" | wc -l)" -eq 0 ]
}
