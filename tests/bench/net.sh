#!/usr/bin/env bash
# Network benchmarks, all in one run (figures and ratios on stdout):
#  1. `gocker run --rm busybox true` on the bridge vs --network none (median of N):
#     the network should add at most 10 ms.
#  2. wrk (10 s each: 5 interleaved rounds of 2 s) against busybox httpd serving
#     a 1 MB file, through the published port (on 127.0.0.1 and on the host's
#     address) vs straight to the container's address:
#     published should reach 0.9x direct. Also from "another host": a client
#     netns joined to this host by a veth pair of its own, through the
#     published port on the host's address on that link vs routed straight to
#     the container's address. The direct paths go to one container, the
#     published ones to a second, identical one (see below why).
#  3. Time to start 50 detached containers on one bridge in a row: does the
#     attach time stay flat as the bridge fills?
# Uses its own roots, bridge gkb<rand> and 198.18.120.0/24, client netns gkb<rand>c
# with veth gkb<rand>h on 198.18.125.0/30; removes all of it.
#   O=build tests/bench/net.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${O:-build}
N=${1:-30}
G=$PWD/$O/gocker
T=$(mktemp -d /tmp/gk-bench-net-XXXXXX)
# $GOCKER_RUN on a tmpfs, as /run is on a normal system (here /run is on the
# disk, where every rename and unlink of runtime state waits on the journal)
R=$(mktemp -d /dev/shm/gk-bench-net-XXXXXX)
export GOCKER_ROOT=$T/root GOCKER_RUN=$R
export GOCKER_BRIDGE=gkb$(printf '%04x' $RANDOM) GOCKER_SUBNET=198.18.120.0/24
CLIENT_NS=${GOCKER_BRIDGE}c CLIENT_VETH=${GOCKER_BRIDGE}h
FIX=$PWD/tests/fixtures/out D=$T
. tests/bench/podman.sh
cleanup() {
	podman_cleanup
	for id in $("$G" ps -aq --no-trunc 2>/dev/null); do "$G" rm -f "$id" >/dev/null 2>&1 || true; done
	"$G" network prune -f >/dev/null 2>&1 || true
	ip link del "$CLIENT_VETH" 2>/dev/null || true
	ip netns del "$CLIENT_NS" 2>/dev/null || true
	rm -rf "$T" "$R"
}
trap cleanup EXIT
tests/fixtures/build.sh >/dev/null
"$G" load -i tests/fixtures/out/busybox.docker.tar >/dev/null

now_ms() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_runs() { # N CMD...: one duration in ms per line
	local n=$1 i s e
	shift
	for i in $(seq 1 "$n"); do
		s=$(now_ms)
		"$@" >/dev/null
		e=$(now_ms)
		echo "($e - $s) * 1000" | bc -l
	done
}

echo "# 1. run --rm busybox true, median of $N (warm-up run first)"
"$G" run --rm busybox true
"$G" run --rm --network none busybox true
# interleave the two so drift in machine load hits both alike
: >"$T/bridge.ms"
: >"$T/none.ms"
for i in $(seq 1 "$N"); do
	time_runs 1 "$G" run --rm busybox true >>"$T/bridge.ms"
	time_runs 1 "$G" run --rm --network none busybox true >>"$T/none.ms"
done
b=$(median <"$T/bridge.ms")
n=$(median <"$T/none.ms")
printf 'bridge   %.1f ms\nnone     %.1f ms\nnetwork adds %.1f ms (target <= 10 ms)\n' "$b" "$n" "$(echo "$b - $n" | bc -l)"
if ! podman_setup; then
	echo "podman: not installed (make deps), skipped"
elif ! podman_bridge_ok; then
	echo "podman: the host has iptables tables of its own, where netavark would leave chains; skipped"
else
	podman_bench 10 "$T/podman-bridge.json" bridge && podman_bench 10 "$T/podman-none.json" none &&
		python3 - "$T" "$b" "$n" <<'PY'
import json, statistics, sys
t = lambda n: 1000 * statistics.median(json.load(open(f"{sys.argv[1]}/podman-{n}.json"))["results"][0]["times"])
pb, pn, b, n = t("bridge"), t("none"), float(sys.argv[2]), float(sys.argv[3])
print(f"podman run --rm busybox true: bridge {pb:.1f} ms, none {pn:.1f} ms, network adds {pb - pn:.1f} ms")
print(f"gocker/podman: bridge {b / pb:.3f}, none {n / pn:.3f}")
PY
	[ $? = 0 ] || echo "podman: failed, not measured"
fi

echo "# 2. wrk 10 s, 1 MB file from busybox httpd: published port vs container IP"
mkdir -p "$T/www"
head -c 1048576 /dev/urandom >"$T/www/big"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])')
# Two identical servers: `web` for the direct paths, `webp` (published) for
# the published ones. With one server for all, the 127.0.0.1 path, masqueraded
# to the bridge address, and the direct path from the host (whose source is
# that same address) share the server's 4-tuples: a SYN of one path finds a
# TIME_WAIT socket the other left, with a timestamp clock of its own (the
# kernel keys it by address pair), is dropped by PAWS and retransmitted
# (host TcpExtTCPSynRetrans ~ container TcpExtPAWSTimewait, hundreds per run).
# Each path's figure then depends on what the others did in the last minute.
"$G" run -d --name web -v "$T/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
"$G" run -d --name webp -p "$port:80" -v "$T/www:/www:ro" busybox httpd -f -p 80 -h /www >/dev/null
inspect() { # CONTAINER FIELD-PATH
	"$G" inspect "$1" | python3 -c "import json,sys; c=json.load(sys.stdin); c=c[0] if isinstance(c,list) else c; print(c$2)"
}
ip=$(inspect web '["NetworkSettings"]["IPAddress"]')
for i in $(seq 1 50); do
	curl -s -o /dev/null "http://$ip/big" && curl -s -o /dev/null "http://127.0.0.1:$port/big" && break
	sleep 0.1
done
# "another host": a client netns with a veth pair of its own, the host at
# 198.18.125.1, routed to the container subnet through the host
ip netns add "$CLIENT_NS"
ip link add "$CLIENT_VETH" type veth peer name eth0 netns "$CLIENT_NS"
ip addr add 198.18.125.1/30 dev "$CLIENT_VETH" && ip link set "$CLIENT_VETH" up
ip -n "$CLIENT_NS" addr add 198.18.125.2/30 dev eth0
ip -n "$CLIENT_NS" link set eth0 up && ip -n "$CLIENT_NS" link set lo up
ip -n "$CLIENT_NS" route add default via 198.18.125.1
# Packets per request on the server's veth (both ways) come with each
# figure: unlike req/s they do not depend on the machine's load, and they
# show TCP working differently on a path (window updates, zero windows).
declare -A veth=([web]=veth$(inspect web '["Id"][:8]') [webp]=veth$(inspect webp '["Id"][:8]'))
veth_packets() { # CONTAINER
	local s=/sys/class/net/${veth[$1]}/statistics
	echo $(($(cat "$s/rx_packets") + $(cat "$s/tx_packets")))
}
ROUNDS=5
declare -A rps=() reqs=() pkts=() round_rps=()
measure() { # NAME CONTAINER URL [COMMAND PREFIX...]: one 2 s wrk run, added to NAME's sums
	local name=$1 ctr=$2 url=$3 a out r
	shift 3
	a=$(veth_packets "$ctr")
	out=$("$@" wrk -t2 -c8 -d2s "$url")
	pkts[$name]=$((${pkts[$name]:-0} + $(veth_packets "$ctr") - a))
	reqs[$name]=$((${reqs[$name]:-0} + $(awk '/requests in/ {print $1}' <<<"$out")))
	r=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	round_rps[$name]=$r
	rps[$name]=$(echo "${rps[$name]:-0} + $r" | bc -l)
}
figure() { # NAME: "N req/s, P packets/request"
	printf '%.1f req/s, %.1f packets/request' "$(echo "${rps[$1]} / $ROUNDS" | bc -l)" \
		"$(echo "${pkts[$1]} / ${reqs[$1]}" | bc -l)"
}
# A ratio is taken within each round, from runs seconds apart, and the
# median of the rounds' ratios is reported: a burst of load from elsewhere
# on the machine spoils one round, not the figure.
declare -A round_ratios=()
add_round_ratio() { # PUBLISHED DIRECT
	round_ratios[$1]+="$(echo "${round_rps[$1]} / ${round_rps[$2]}" | bc -l) "
}
ratio() { # PUBLISHED: "M (median of rounds: R1 R2 ...)"
	local r
	r=$(tr ' ' '\n' <<<"${round_ratios[$1]}" | grep . | awk '{printf "%.2f\n", $1}')
	printf '%.2f (median of rounds: %s)' "$(median <<<"$r")" "$(paste -sd' ' <<<"$r")"
}
hostip=$(ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
paths=(direct lo cdirect cpublished)
[ -n "$hostip" ] && paths+=(hostip)
run_path() { # NAME
	case $1 in
	direct) measure direct web "http://$ip/big" ;;
	lo) measure lo webp "http://127.0.0.1:$port/big" ;;
	hostip) measure hostip webp "http://$hostip:$port/big" ;;
	cdirect) measure cdirect web "http://$ip/big" ip netns exec "$CLIENT_NS" ;;
	cpublished) measure cpublished webp "http://198.18.125.1:$port/big" ip netns exec "$CLIENT_NS" ;;
	esac
}
# 5 x 2 s each, interleaved, so drift in the machine's load hits all alike;
# round r starts at path r, so every path runs once in every position
for round in $(seq 0 $((ROUNDS - 1))); do
	for k in "${!paths[@]}"; do
		run_path "${paths[$(((k + round) % ${#paths[@]}))]}"
	done
	add_round_ratio lo direct
	[ -n "$hostip" ] && add_round_ratio hostip direct
	add_round_ratio cpublished cdirect
done
echo "direct              $(figure direct) ($ip:80)"
echo "published 127.0.0.1 $(figure lo) (:$port)  published/direct $(ratio lo) (target >= 0.9)"
[ -n "$hostip" ] && printf 'published %-9s %s (:%s)  published/direct %s\n' \
	"$hostip" "$(figure hostip)" "$port" "$(ratio hostip)"
echo "client netns: direct $(figure cdirect)"
echo "client netns: published 198.18.125.1:$port $(figure cpublished)  published/direct $(ratio cpublished)"
ip link del "$CLIENT_VETH"
ip netns del "$CLIENT_NS"
"$G" rm -f web webp >/dev/null

echo "# 3. 50 detached containers on one bridge, start time each"
: >"$T/attach.ms"
for i in $(seq 1 50); do
	time_runs 1 "$G" run -d busybox sleep 300 >>"$T/attach.ms"
done
first=$(head -10 "$T/attach.ms" | median)
last=$(tail -10 "$T/attach.ms" | median)
printf 'containers 1-10: median %.1f ms; 41-50: median %.1f ms; ratio %.2f (flat ~ 1.0)\n' \
	"$first" "$last" "$(echo "$last / $first" | bc -l)"
echo "all 50 (ms): $(tr '\n' ' ' <"$T/attach.ms" | awk '{for(i=1;i<=NF;i++) printf "%.0f ", $i}')"
