#!/usr/bin/env bats
# Resource limits through the container's cgroup: memory (OOM kill), swap,
# pids, cpus. Values are read back from the cgroup files; behaviour is checked
# with wide bands, never as a timing assertion.

load lib/rtsec

setup_file() { rt_setup_file limits; }
teardown_file() { rt_teardown_file; }
setup() { rt_setup; }
teardown() { rt_teardown; }

@test "limits: allocating past --mem 32 is OOM-killed: exit 137, State.OOMKilled true" {
	# tr holds a 100 MB string in the shell's memory: a real allocation.
	run g run --name oom --mem 32 busybox sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" x); echo survived ${#x}'
	echo "$output"
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
	[ "$("$G" inspect -f '{{.State.OOMKilled}}' oom)" = true ]
	[ "$("$G" inspect -f '{{.State.ExitCode}}' oom)" = 137 ]
	[ "$("$G" inspect -f '{{.HostConfig.Memory}}' oom)" = 33554432 ]
}

@test "limits: the same allocation under a larger limit is not OOM-killed" {
	run g run --name fits --mem 512 busybox sh -c 'x=$(head -c 20000000 /dev/zero | tr "\0" x); echo survived ${#x}'
	[ "$status" -eq 0 ]
	[ "$output" = "survived 20000000" ]
	[ "$("$G" inspect -f '{{.State.OOMKilled}}' fits)" = false ]
}

@test "limits: --mem and -m/--memory write the memory cgroup" {
	id=$(g run -d --mem 32 busybox sleep 100)
	[ "$(cat "$(cgdir memory "$id")/memory.limit_in_bytes")" = 33554432 ]
	id2=$(g run -d -m 64m busybox sleep 100)
	[ "$(cat "$(cgdir memory "$id2")/memory.limit_in_bytes")" = 67108864 ]
	g rm -f "$id" "$id2"
}

@test "limits: --mem 32 --swap 16 writes memory+swap = 48 MiB" {
	id=$(g run -d --mem 32 --swap 16 busybox sleep 100)
	d=$(cgdir memory "$id")
	[ "$(cat "$d/memory.limit_in_bytes")" = 33554432 ]
	if [ ! -f "$d/memory.memsw.limit_in_bytes" ]; then
		g rm -f "$id"
		skip "no swap accounting on this kernel"
	fi
	[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 50331648 ]
	id2=$(g run -d --memory 32m --memory-swap 48m busybox sleep 100)
	[ "$(cat "$(cgdir memory "$id2")/memory.memsw.limit_in_bytes")" = 50331648 ]
	g rm -f "$id" "$id2"
}

@test "limits: a fork loop stops at --pids 20" {
	# sh plus 19 sleeps fill the 20 slots; busybox sh gives up at the first
	# failed fork, so the last number printed is how many sleeps started.
	run g run --rm --pids 20 busybox sh -c 'for i in $(seq 50); do sleep 1000 & echo $i; done'
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't fork"* ]]
	last=$(grep -E '^[0-9]+$' <<<"$output" | tail -1)
	[ "$last" -eq 19 ]
}

@test "limits: --pids and --pids-limit write pids.max" {
	id=$(g run -d --pids 20 busybox sleep 1000)
	[ "$(cat "$(cgdir pids "$id")/pids.max")" = 20 ]
	[ "$("$G" inspect -f '{{.HostConfig.PidsLimit}}' "$id")" = 20 ]
	id2=$(g run -d --pids-limit 7 busybox sleep 1000)
	[ "$(cat "$(cgdir pids "$id2")/pids.max")" = 7 ]
	g rm -f "$id" "$id2"
}

@test "limits: --cpus 0.5 of a busy loop uses about half a core" {
	id=$(g run -d --cpus 0.5 busybox sh -c 'while :; do :; done')
	[ "$(cat "$(cgdir cpu "$id")/cpu.cfs_period_us")" = 100000 ]
	[ "$(cat "$(cgdir cpu "$id")/cpu.cfs_quota_us")" = 50000 ]
	[ "$("$G" inspect -f '{{.HostConfig.NanoCpus}}' "$id")" = 500000000 ]
	u=$(cgdir cpuacct "$id")/cpuacct.usage
	sleep 0.5
	a=$(cat "$u") t0=$(date +%s%N)
	sleep 4
	b=$(cat "$u") t1=$(date +%s%N)
	share=$(awk -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.2f", (b - a) / (t1 - t0) }')
	throttled=$(awk '$1 == "nr_throttled" { print $2 }' "$(cgdir cpu "$id")/cpu.stat")
	echo "share of one core: $share, throttled periods: $throttled"
	g rm -f "$id"
	# A wide band: at most ~0.5 by the quota, so never near a whole core.
	awk -v s="$share" 'BEGIN { exit !(s > 0.05 && s <= 0.7) }'
	# Either the quota throttled it, or a busy machine gave it less anyway.
	[ "$throttled" -gt 0 ] || awk -v s="$share" 'BEGIN { exit !(s < 0.45) }'
}

@test "limits: bad limits are refused before anything is created" {
	before=$(ls "$GOCKER_ROOT/containers" 2>/dev/null | wc -l)
	run g run --rm --mem abc busybox true
	[ "$status" -eq 125 ]
	run g run --rm --cpus -1 busybox true
	[ "$status" -eq 125 ]
	run g run --rm --memory 64m --memory-swap 32m busybox true
	[ "$status" -eq 125 ]
	[ "$(ls "$GOCKER_ROOT/containers" 2>/dev/null | wc -l)" -eq "$before" ]
}
