# Helpers for the network tests. Each test file sets its own bridge name and
# subnet before loading this, and owns every link / netns it creates.

net_setup_roots() {
	T=$(mktemp -d /tmp/gk-net-XXXXXX)
	export GOCKER_ROOT=$T/root GOCKER_RUN=$T/run
	mkdir -p "$GOCKER_ROOT" "$GOCKER_RUN"
	"$GOCKER_BIN" load -i "$BATS_TEST_DIRNAME/../fixtures/out/busybox.docker.tar" >/dev/null
}

# The container's field from `gocker inspect` (a Python expression on c).
ctr_field() { # NAME EXPR
	"$GOCKER_BIN" inspect "$1" | python3 -c "import json,sys; c=json.load(sys.stdin); c=c[0] if isinstance(c,list) else c; print($2)"
}
ctr_ip() { ctr_field "$1" 'c["NetworkSettings"]["IPAddress"]'; }

# A free TCP port on the host (the kernel's choice).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'
}

# Wait until a TCP connect to HOST PORT succeeds (a server starting up).
wait_tcp() { # HOST PORT [NETNS]
	local i
	for i in $(seq 1 50); do
		if ${3:+ip netns exec $3} python3 -c "import socket,sys; socket.create_connection(('$1',$2),1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

http_get() { # URL [NETNS]: body on stdout
	${2:+ip netns exec $2} curl -sS --max-time 10 "$1"
}

# Everything this file's containers held is gone: links on its bridges, its
# rules in table ip gocker, its addresses. Bridges given as arguments.
assert_net_clean() {
	local br
	for br in "$@"; do
		if ip link show "$br" >/dev/null 2>&1; then
			echo "bridge $br left behind"; return 1
		fi
		if nft list table ip gocker 2>/dev/null | grep -q "gocker net $br\""; then
			echo "nft rules of $br left behind"; nft list table ip gocker; return 1
		fi
	done
	for id in ${NET_CTR_IDS:-}; do
		if ip link show "veth${id:0:8}" >/dev/null 2>&1; then
			echo "veth${id:0:8} left behind"; return 1
		fi
		if nft list table ip gocker 2>/dev/null | grep -q "gocker ctr $id"; then
			echo "DNAT rules of $id left behind"; return 1
		fi
	done
	if ! ipam_empty; then
		echo "addresses left in ipam.json"; cat "$GOCKER_RUN/net/ipam.json"; return 1
	fi
}

# No address is allocated in $GOCKER_RUN/net/ipam.json (any network).
ipam_empty() {
	[ ! -f "$GOCKER_RUN/net/ipam.json" ] && return 0
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(1 if any(n.get("allocations") for n in d.get("networks",{}).values()) else 0)' "$GOCKER_RUN/net/ipam.json"
}
