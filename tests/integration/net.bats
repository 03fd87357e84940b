#!/usr/bin/env bats
# Bridge networking end to end: container to container, published TCP and UDP
# ports (from 127.0.0.1 and from a client netns), outbound NAT to an upstream
# netns, and the clear errors (port conflict, overlapping subnet, exhausted
# /29) that leave nothing behind. Owns bridge gkt<rand>, 198.18.101.0/24,
# 198.18.102.0/29, 198.18.103.0/24, 198.18.104.0/24, 198.18.105.0/24,
# 198.18.107.0/29, 10.231.1.0/30 and 10.231.2.0/24.
# Traffic goes only to 127.0.0.1 and to the namespaces made here.

load lib/net

setup_file() {
	# the subnets are fixed: the same file run from another checkout waits
	exec {NET_LOCK_FD}>"/run/lock/gocker-test-net-198.18.101.lock"
	flock "$NET_LOCK_FD"
	export RND=$(printf '%04x' $((RANDOM)))
	export GOCKER_BRIDGE=gkt$RND GOCKER_SUBNET=198.18.101.0/24
	export CLIENT_NS=gkc$RND UPSTREAM_NS=gku$RND
	net_setup_roots
	export T GOCKER_ROOT GOCKER_RUN
	# client netns: a host of its own reaching this host over a veth pair
	ip netns add "$CLIENT_NS"
	ip link add gkc${RND}h type veth peer name gkc${RND}n netns "$CLIENT_NS"
	ip addr add 10.231.1.1/30 dev gkc${RND}h && ip link set gkc${RND}h up
	ip -n "$CLIENT_NS" addr add 10.231.1.2/30 dev gkc${RND}n
	ip -n "$CLIENT_NS" link set gkc${RND}n up && ip -n "$CLIENT_NS" link set lo up
	ip -n "$CLIENT_NS" route add default via 10.231.1.1
	# upstream netns: "the internet", routed from the host
	ip netns add "$UPSTREAM_NS"
	ip link add gku${RND}h type veth peer name gku${RND}n netns "$UPSTREAM_NS"
	ip addr add 10.231.2.1/24 dev gku${RND}h && ip link set gku${RND}h up
	ip -n "$UPSTREAM_NS" addr add 10.231.2.2/24 dev gku${RND}n
	ip -n "$UPSTREAM_NS" link set gku${RND}n up && ip -n "$UPSTREAM_NS" link set lo up
	gcc -static -O2 -o "$T/udpecho" "$BATS_TEST_DIRNAME/lib/udpecho.c"
	mkdir -p "$T/www" && echo hello-from-web >"$T/www/index.html"
}

teardown_file() {
	NET_CTR_IDS=$("$GOCKER_BIN" ps -aq --no-trunc 2>/dev/null || true)
	for id in $NET_CTR_IDS; do "$GOCKER_BIN" rm -f "$id" >/dev/null 2>&1 || true; done
	"$GOCKER_BIN" network prune -f >/dev/null || true
	GOCKER_BRIDGE=gkg$RND GOCKER_SUBNET=198.18.107.6/29 "$GOCKER_BIN" network prune -f >/dev/null || true
	[ -n "${UPSTREAM_PID:-}" ] && kill "$UPSTREAM_PID" 2>/dev/null
	ip netns del "$CLIENT_NS" 2>/dev/null || true
	ip netns del "$UPSTREAM_NS" 2>/dev/null || true
	ip link del gkc${RND}h 2>/dev/null || true
	ip link del gku${RND}h 2>/dev/null || true
	ip link del gkz$RND 2>/dev/null || true
	ip link del gkh$RND 2>/dev/null || true
	local rc=0
	assert_net_clean "$GOCKER_BRIDGE" gkx$RND gky$RND gkg$RND || rc=1
	rm -rf "$T"
	return $rc
}

# Five containers take every host address of the /29 SUBNET but the gateway
# (their ids in `ids`); a sixth is refused.
fill_29() { # SUBNET
	ids=()
	for i in 1 2 3 4 5; do
		ids+=("$("$GOCKER_BIN" run -d busybox sleep 60)")
	done
	run "$GOCKER_BIN" run -d busybox sleep 60
	[ "$status" -eq 125 ]
	[[ $output == *"no free address in $1"* ]]
}

@test "two containers on the bridge reach each other (wget to httpd, ping)" {
	"$GOCKER_BIN" run -d --name web -v "$T/www:/www:ro" busybox httpd -f -p 80 -h /www
	ip=$(ctr_ip web)
	[[ $ip == 198.18.101.* ]]
	run "$GOCKER_BIN" run --rm busybox sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O - http://$ip/ && exit 0; sleep 0.2; done; exit 1"
	[ "$status" -eq 0 ]
	[[ $output == *hello-from-web* ]]
	run "$GOCKER_BIN" run --rm busybox ping -c 1 -W 2 "$ip"
	[ "$status" -eq 0 ]
	[[ $output == *"1 packets received"* ]]
}

@test "inspect shows Docker's NetworkSettings; the container sees eth0, its MAC, hosts and resolv.conf" {
	run ctr_field web 'c["NetworkSettings"]["Gateway"], c["NetworkSettings"]["IPPrefixLen"], c["NetworkSettings"]["MacAddress"]'
	ip=$(ctr_ip web)
	mac=$(printf '02:42:%02x:%02x:%02x:%02x' ${ip//./ })
	[ "$output" = "198.18.101.1 24 $mac" ]
	run "$GOCKER_BIN" run --rm --name probe --hostname probehost busybox sh -c 'ip addr show eth0; ip route; cat /etc/hosts /etc/resolv.conf'
	[ "$status" -eq 0 ]
	[[ $output == *"inet 198.18.101."*"/24"* ]]
	[[ $output == *"default via 198.18.101.1 dev eth0"* ]]
	[[ $output == *"127.0.0.1"*"localhost"* ]]
	[[ $output == *"probehost probe"* ]]
	[[ $output == *nameserver* ]]
	[[ $output != *"nameserver 127."* ]]
}

@test "a published TCP port answers on 127.0.0.1 and from a client netns; ps and port show it" {
	port=$(free_port)
	"$GOCKER_BIN" run -d --name pub -p "$port:80" -v "$T/www:/www:ro" busybox httpd -f -p 80 -h /www
	wait_tcp 127.0.0.1 "$port"
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
	run http_get "http://10.231.1.1:$port/" "$CLIENT_NS"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
	# a DNATed SYN entering the bridge carries the bridge route's MSS, not
	# the one the host's own client took from lo's 64 KiB MTU
	nft list chain ip gocker postrouting |
		grep -q "oifname \"$GOCKER_BRIDGE\" ct status dnat tcp flags syn / syn,rst tcp option maxseg size set rt mtu"
	run "$GOCKER_BIN" ps
	[[ $output == *"PORTS"* ]]
	[[ $output == *"0.0.0.0:$port->80/tcp"* ]]
	run "$GOCKER_BIN" port pub
	[ "$output" = "80/tcp -> 0.0.0.0:$port" ]
	run ctr_field pub 'c["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]'
	[ "$output" = "$port" ]
}

@test "-p CPORT picks a free host port; 127.0.0.1::CPORT binds loopback only; hairpin works" {
	"$GOCKER_BIN" run -d --name rnd -p 80 -p 127.0.0.1::81 -v "$T/www:/www:ro" busybox sh -c 'httpd -p 81 -h /www; exec httpd -f -p 80 -h /www'
	run "$GOCKER_BIN" port rnd 80
	[ "$status" -eq 0 ]
	[[ $output =~ ^0\.0\.0\.0:([0-9]+)$ ]]
	hp=${BASH_REMATCH[1]}
	[ "$hp" -gt 0 ]
	run "$GOCKER_BIN" port rnd 81/tcp
	[[ $output =~ ^127\.0\.0\.1:([0-9]+)$ ]]
	lp=${BASH_REMATCH[1]}
	wait_tcp 127.0.0.1 "$hp"
	[ "$(http_get "http://127.0.0.1:$hp/")" = hello-from-web ]
	wait_tcp 127.0.0.1 "$lp"
	[ "$(http_get "http://127.0.0.1:$lp/")" = hello-from-web ]
	# not published on the host's other addresses
	run http_get "http://10.231.1.1:$lp/" "$CLIENT_NS"
	[ "$status" -ne 0 ]
	# the container reaches its own published port through the host (hairpin)
	run "$GOCKER_BIN" exec rnd wget -q -O - "http://10.231.1.1:$hp/"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
}

@test "a published UDP port works" {
	port=$(free_port)
	"$GOCKER_BIN" run -d --name udp -p "$port:5353/udp" -v "$T/udpecho:/udpecho:ro" busybox /udpecho 5353
	run python3 - "$port" <<-'PY'
		import socket, sys
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.settimeout(1)
		for _ in range(20):
		    s.sendto(b"ping", ("127.0.0.1", int(sys.argv[1])))
		    try:
		        print(s.recvfrom(100)[0].decode()); break
		    except socket.timeout:
		        pass
	PY
	[ "$output" = "echo:ping" ]
	run "$GOCKER_BIN" port udp
	[ "$output" = "5353/udp -> 0.0.0.0:$port" ]
}

@test "outbound NAT: a container reaches an upstream server, which sees the host's address" {
	ip netns exec "$UPSTREAM_NS" python3 -m http.server 8080 --bind 10.231.2.2 --directory "$T/www" 2>"$T/upstream.log" &
	UPSTREAM_PID=$!
	echo "export UPSTREAM_PID=$UPSTREAM_PID" >"$T/upstream.pid"
	wait_tcp 10.231.2.2 8080
	run "$GOCKER_BIN" run --rm busybox wget -q -O - http://10.231.2.2:8080/index.html
	kill "$UPSTREAM_PID"
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-web ]
	grep -q '^10\.231\.2\.1 .*"GET /index.html' "$T/upstream.log"
	! grep -q '^198\.18\.' "$T/upstream.log" || false
}

@test "a port taken on the host, or by another container, is a clear error before the container starts" {
	port=$(free_port)
	python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(30)" &
	holder=$!
	wait_tcp 127.0.0.1 "$port"
	before=$("$GOCKER_BIN" ps -aq | wc -l)
	run "$GOCKER_BIN" run -d -p "$port:80" busybox sleep 30
	kill $holder
	[ "$status" -eq 125 ]
	[[ $output == *"Bind for 0.0.0.0:$port failed: port is already allocated"* ]]
	[ "$("$GOCKER_BIN" ps -aq | wc -l)" -eq "$before" ]
	# held by another gocker container
	port2=$(free_port)
	"$GOCKER_BIN" run -d --name holder -p "$port2:80" busybox sleep 30
	run "$GOCKER_BIN" run -d -p "127.0.0.1:$port2:81" busybox sleep 30
	[ "$status" -eq 125 ]
	[[ $output == *"Bind for 127.0.0.1:$port2 failed: port is already allocated"* ]]
	[ "$("$GOCKER_BIN" ps -aq | wc -l)" -eq $((before + 1)) ]
	[ "$(nft list table ip gocker | grep -c "dport $port2 ")" -eq 2 ] # holder's only
	"$GOCKER_BIN" rm -f holder
	! nft list table ip gocker 2>/dev/null | grep -q "dport $port2 " || false
	run "$GOCKER_BIN" run -d -p "80:abc" busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"invalid containerPort: abc"* ]]
}

@test "a subnet overlapping a host route is refused and nothing is created" {
	ip link add gkd${RND} type veth peer name gkd${RND}p
	ip addr add 198.18.103.1/24 dev gkd${RND}
	ip link set gkd${RND} up
	before=$("$GOCKER_BIN" ps -aq | wc -l)
	GOCKER_BRIDGE=gkx$RND GOCKER_SUBNET=198.18.103.128/25 run "$GOCKER_BIN" run --rm busybox true
	ip link del gkd${RND}
	[ "$status" -eq 125 ]
	[[ $output == *"subnet 198.18.103.128/25 for bridge gkx$RND overlaps the host's route 198.18.103.0/24"* ]]
	! ip link show gkx$RND 2>/dev/null || false
	[ "$("$GOCKER_BIN" ps -aq | wc -l)" -eq "$before" ]
}

@test "links gocker did not create survive a failed run and a prune" {
	# a non-bridge link (a veth: no dummy module here) named as the bridge:
	# the run fails, the link stays
	ip link add gkz$RND type veth peer name gkz${RND}p
	GOCKER_BRIDGE=gkz$RND GOCKER_SUBNET=198.18.104.0/24 run "$GOCKER_BIN" run --rm busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"link gkz$RND exists and is not a bridge"* ]]
	ip link show gkz$RND
	GOCKER_BRIDGE=gkz$RND GOCKER_SUBNET=198.18.104.0/24 "$GOCKER_BIN" network prune -f
	ip link show gkz$RND
	ip link del gkz$RND
	# the host's own bridge: used, then given back as it was, not deleted
	ip link add gkh$RND type bridge
	export GOCKER_BRIDGE=gkh$RND GOCKER_SUBNET=198.18.105.0/24
	"$GOCKER_BIN" run --rm busybox true
	ip -o addr show dev gkh$RND | grep -q "inet 198.18.105.1/24"
	"$GOCKER_BIN" network prune -f
	ip link show gkh$RND
	! ip -o addr show dev gkh$RND | grep -q "inet " || false
	[ "$(cat /proc/sys/net/ipv4/conf/gkh$RND/route_localnet)" = 0 ]
	! nft list table ip gocker 2>/dev/null | grep -q "gocker net gkh$RND\"" || false
	ip link del gkh$RND
}

@test "a bip gateway other than the first address is the bridge's, the route's and inspect's, never a container's" {
	export GOCKER_BRIDGE=gkg$RND GOCKER_SUBNET=198.18.107.6/29
	run "$GOCKER_BIN" run --rm busybox ip route
	[ "$status" -eq 0 ]
	[[ $output == *"default via 198.18.107.6 dev eth0"* ]]
	ip -o addr show dev gkg$RND | grep -q "inet 198.18.107.6/29"
	! ip -o addr show dev gkg$RND | grep -q "inet 198.18.107.1/" || false
	# the five other host addresses go to containers, the gateway never
	fill_29 198.18.107.0/29
	for id in "${ids[@]}"; do
		[ "$(ctr_ip "$id")" != 198.18.107.6 ]
		[ "$(ctr_field "$id" 'c["NetworkSettings"]["Gateway"]')" = 198.18.107.6 ]
	done
	for id in "${ids[@]}"; do "$GOCKER_BIN" rm -f "$id" >/dev/null; done
	"$GOCKER_BIN" network prune -f
	! ip link show gkg$RND 2>/dev/null || false
}

@test "IPAM exhaustion on a /29 is a clear error and nothing is left behind" {
	export GOCKER_BRIDGE=gky$RND GOCKER_SUBNET=198.18.102.0/29
	fill_29 198.18.102.0/29
	[ "$(ip -o link show master gky$RND | wc -l)" -eq 5 ]
	for id in "${ids[@]}"; do "$GOCKER_BIN" rm -f "$id" >/dev/null; done
	[ "$(ip -o link show master gky$RND | wc -l)" -eq 0 ]
	"$GOCKER_BIN" network prune -f
	! ip link show gky$RND 2>/dev/null || false
	! nft list table ip gocker 2>/dev/null | grep -q "gocker net gky$RND\"" || false
}

@test "network ls lists bridge, host and none; rm -f after kill -9 plus prune frees everything" {
	run "$GOCKER_BIN" network ls
	[[ ${lines[0]} == "NETWORK ID"*"NAME"*"DRIVER"*"SCOPE" ]]
	[[ $output == *" bridge "*"bridge"*"local"* ]]
	[[ $output == *" host "* ]]
	[[ $output == *" none "* ]]
	port=$(free_port)
	id=$("$GOCKER_BIN" run -d -p "$port:80" busybox sleep 60)
	# kill -9 the gocker processes of this container, by pid: its monitor
	# (the container's parent) and the container itself
	pid=$(ctr_field "$id" 'c["State"]["Pid"]')
	monitor=$(ps -o ppid= -p "$pid" | tr -d ' ')
	[ -n "$monitor" ] && [ "$monitor" -gt 1 ] && kill -9 "$monitor"
	kill -9 "$pid"
	"$GOCKER_BIN" rm -f "$id"
	! ip link show "veth${id:0:8}" 2>/dev/null || false
	! nft list table ip gocker 2>/dev/null | grep -q "gocker ctr $id" || false
}
