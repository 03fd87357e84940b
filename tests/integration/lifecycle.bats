#!/usr/bin/env bats
# Detached containers and their monitors: run -d, logs, stop, kill, rm, ps,
# inspect, names and id prefixes, cleanup after a killed CLI.

load lib/runtime

setup_file() { rt_setup_file lifecycle; }
teardown_file() { rt_teardown_file; }
setup() { rt_setup; }
teardown() { rt_teardown; }

@test "run -d prints the 64-hex id at once; ps shows it Up" {
	run g run -d --name bg busybox sleep 100
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run "$G" ps
	[[ "${lines[0]}" == "CONTAINER ID   IMAGE     COMMAND"*"CREATED"*"STATUS"*"PORTS"*"NAMES" ]]
	[[ "${lines[1]}" == "${id:0:12}   busybox   \"sleep 100\""*"Up "*"bg" ]]
	run "$G" ps -q
	[ "$output" = "${id:0:12}" ]
	run "$G" ps -q --no-trunc
	[ "$output" = "$id" ]
}

@test "run -di: the container's stdin stays open, as Docker's (a shell or cat keeps running)" {
	g run -d -i --name keepin busybox cat >/dev/null
	g run -d -i --name keepsh busybox sh >/dev/null
	# stdin is a pipe nobody closes (was /dev/null: both read EOF and exited)
	run "$G" exec keepin readlink /proc/1/fd/0
	[[ "$output" == pipe:* ]]
	run "$G" exec keepsh readlink /proc/1/fd/0
	[[ "$output" == pipe:* ]]
	[ "$("$G" inspect -f '{{.State.Status}}' keepin)" = running ]
	# without -i stdin is /dev/null, as before
	g run -d --name noin busybox cat >/dev/null
	wait_for bash -c "[ \"\$('$G' inspect -f '{{.State.Status}} {{.State.ExitCode}}' noin)\" = 'exited 0' ]"
	"$G" stop -t 0 keepin keepsh >/dev/null
}

@test "the monitor survives the CLI and records the exit status" {
	id=$(g run -d busybox sh -c 'sleep 0.5; exit 7')
	wait_for bash -c "'$G' ps -a | grep -q 'Exited (7)'"
	run "$G" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}' "$id"
	[ "$output" = "exited 7 false 0" ]
	run "$G" inspect -f '{{.State.FinishedAt}}' "$id"
	[[ "$output" == 20* ]]
}

@test "logs: stdout and stderr in json-file, --tail, -t, -f" {
	id=$(g run -d busybox sh -c 'echo one; echo two >&2; sleep 0.2; echo three; sleep 1; echo four')
	wait_for bash -c "'$G' logs $id | grep -q three"
	run "$G" logs --tail 1 "$id"
	[ "$output" = three ]
	grep -q '"log":"two\\n","stream":"stderr","time":"20' "$GOCKER_ROOT/containers/$id/$id-json.log"
	run "$G" logs -t "$id"
	[[ "${lines[0]}" == 20*" one" ]]
	run "$G" logs -f "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *four* ]]
	run bash -c "'$G' logs $id 2>/dev/null"
	[ "$output" = "$(printf 'one\nthree\nfour')" ]
}

@test "stop: PID 1 without handlers ignores SIGTERM, SIGKILL after the grace period" {
	g run -d --name s1 busybox sleep 100
	run "$G" stop -t 1 s1
	[ "$status" -eq 0 ]
	[ "$output" = s1 ]
	run "$G" inspect -f '{{.State.Status}} {{.State.ExitCode}}' s1
	[ "$output" = "exited 137" ]
}

@test "stop: a container that handles SIGTERM stops within the grace period" {
	g run -d --name s2 busybox sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
	sleep 0.3
	run "$G" stop -t 30 s2
	[ "$status" -eq 0 ]
	run "$G" inspect -f '{{.State.Status}} {{.State.ExitCode}}' s2
	[ "$output" = "exited 0" ]
	run "$G" ps -a --format json
	[[ "$output" == *'"Status":"Exited (0) '* ]]
}

@test "kill -s and signal exit codes" {
	g run -d --init --name kk busybox sleep 100
	run "$G" kill -s TERM kk
	[ "$status" -eq 0 ]
	wait_for bash -c "'$G' inspect -f '{{.State.Status}}' kk | grep -q exited"
	run "$G" inspect -f '{{.State.ExitCode}}' kk
	[ "$output" = 143 ]
	run "$G" kill kk
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not running"* ]]
}

@test "kill -s and stop -s with an unknown signal: Docker's daemon error for each container, exit 1; real-time names work" {
	# 37 is SIGRTMIN+3 (busybox trap knows no real-time names)
	g run -d --name sigbox busybox sh -c 'trap "echo got-rtmin3; exit 3" 37; echo ready; while :; do sleep 0.1; done' >/dev/null
	run "$G" kill -s FOO sigbox nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf 'Error response from daemon: Invalid signal: FOO\nError response from daemon: Invalid signal: FOO')" ]
	run "$G" stop -s 0 sigbox
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: Invalid signal: 0" ]
	[ "$("$G" inspect -f '{{.State.Status}}' sigbox)" = running ]
	wait_for bash -c "'$G' logs sigbox | grep -q ready"
	run "$G" kill -s SIGRTMIN+3 sigbox
	[ "$status" -eq 0 ]
	wait_for bash -c "'$G' ps -a | grep -q 'Exited (3)'"
}

@test "rm refuses a running container, rm -f kills it, names and prefixes work" {
	id=$(g run -d --name r1 busybox sleep 100)
	run "$G" rm r1
	[ "$status" -ne 0 ]
	[[ "$output" == *"container is running"* ]]
	run "$G" rm -f "${id:0:8}"
	[ "$status" -eq 0 ]
	[ ! -e "$GOCKER_ROOT/containers/$id" ]
	[ ! -e "$GOCKER_RUN/containers/$id" ]
	run "$G" inspect r1
	[ "$status" -ne 0 ]
}

@test "a unique id prefix works, an ambiguous or unknown one does not" {
	a=$(g run -d busybox true)
	run "$G" inspect -f '{{.Id}}' "${a:0:5}"
	[ "$output" = "$a" ]
	# Docker's CLI exits 1 for a container the daemon does not know
	for c in rm stop kill logs port inspect; do
		run "$G" $c nosuchcontainer
		[ "$status" -eq 1 ] || { echo "$c exited $status"; return 1; }
		[[ "$output" == *"No such "*": nosuchcontainer"* ]]
	done
	# -f of what is not there succeeds (with the message), as Docker's
	run "$G" rm -f nosuchcontainer
	[ "$status" -eq 0 ]
	[[ "$output" == *"No such container: nosuchcontainer"* ]]
	run "$G" rmi -f nosuchimage
	[ "$status" -eq 0 ]
	[[ "$output" == *"No such image: nosuchimage"* ]]
	run "$G" rmi nosuchimage
	[ "$status" -eq 1 ]
}

@test "inspect: Docker's field names" {
	g run --name insp --hostname h1 -e X=1 -w /tmp -v "$RT_TMP:/mnt:ro" busybox true
	run "$G" inspect insp
	[ "$status" -eq 0 ]
	for f in '"Id"' '"Name": "/insp"' '"Created"' '"Path": "true"' '"Args"' '"State"' \
		'"Status": "exited"' '"Running": false' '"OOMKilled": false' '"ExitCode": 0' \
		'"StartedAt"' '"FinishedAt"' '"Image": "sha256:' '"Config"' '"Hostname": "h1"' \
		'"WorkingDir": "/tmp"' '"HostConfig"' '"Memory": 0' '"NanoCpus": 0' '"PidsLimit"' \
		'"Binds"' '"Mounts"' '"Destination": "/mnt"' '"RW": false'; do
		[[ "$output" == *"$f"* ]] || { echo "missing $f"; false; }
	done
	run "$G" inspect -f '{{.Config.Image}}' insp
	[ "$output" = busybox ]
}

@test "inspect: NetworkSettings.Networks names the network for none, host and bridge" {
	g run --name nnone --network none busybox true
	g run --name nhost --network host busybox true
	g run --name nbr busybox true
	for c in nnone:none nhost:host nbr:bridge; do
		run "$G" inspect -f '{{json .NetworkSettings.Networks}}' "${c%%:*}"
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^\{\"${c#*:}\":\{\"NetworkID\":\"[0-9a-f]{64}\" ]]
	done
	run "$G" inspect -f '{{json .NetworkSettings.Networks}}' nnone
	[[ "$output" == *'"Gateway":"","IPAddress":"","IPPrefixLen":0,"MacAddress":""'* ]]
	# the ID is the one network ls shows
	nid=$("$G" inspect -f '{{.NetworkSettings.Networks.none.NetworkID}}' nnone)
	"$G" network ls | grep -q "^${nid:0:12} *none "
}

@test "inspect falls back to images" {
	run "$G" inspect -f '{{.Id}}' busybox
	[ "$status" -eq 0 ]
	[[ "$output" == sha256:* ]]
}

@test "inspect looks up each argument on its own: containers and images mix" {
	id=$(g run -d --network none --name mix busybox true)
	run "$G" inspect -f '{{.Id}}' mix busybox
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$id" ]
	[[ "${lines[1]}" == sha256:* ]]
	run "$G" inspect -f '{{.Id}}' busybox mix
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == sha256:* ]]
	[ "${lines[1]}" = "$id" ]
	run "$G" inspect -f '{{.Id}}' nosuch mix
	[ "$status" -eq 1 ]
	[[ "$output" == *"Error: No such object: nosuch"* ]]
	[[ "$output" == *"$id"* ]]
	run "$G" inspect --type container busybox
	[ "$status" -eq 1 ]
	[[ "$output" == *"Error: No such container: busybox"* ]]
	run "$G" inspect --type image mix
	[[ "$output" == *"Error: No such image: mix"* ]]
	run "$G" inspect --type bogus mix
	[ "$status" -eq 125 ]
	[[ "$output" == *'"bogus" is not a valid value for --type'* ]]
}

@test "inspect reports an ambiguous id prefix, not a missing image" {
	# 17 containers are sure to share a first hex digit
	for i in $(seq 17); do g run --network none busybox true >/dev/null; done
	p=$("$G" ps -aq | cut -c1 | sort | uniq -d | head -1)
	run "$G" inspect "$p"
	[ "$status" -eq 1 ]
	[[ "$output" == *"multiple IDs found with provided prefix: $p"* ]]
}

@test "rmi refuses an image a container uses" {
	g run --name user busybox true
	run "$G" rmi busybox
	[ "$status" -ne 0 ]
}

@test "ps: a container whose monitor was killed shows as exited; rm -f cleans up" {
	id=$(g run -d busybox sleep 100)
	mon=$(sed -n 's/.*"MonitorPid":\([0-9]*\).*/\1/p' "$GOCKER_RUN/containers/$id/state.json")
	[ -n "$mon" ]
	kill -9 "$mon"
	wait_for bash -c "! '$G' ps -q | grep -q ${id:0:12}"
	run "$G" ps -a
	[[ "$output" == *"Exited (137)"* ]]
	run "$G" rm -f "$id"
	[ "$status" -eq 0 ]
}

@test "kill -9 of a foreground gocker run, then rm -f, leaves nothing" {
	"$G" run --name fg busybox sleep 100 &
	pid=$!
	wait_for ctr_running
	ls "$GOCKER_ROOT/containers" | grep -E '^[0-9a-f]{64}$' >>"$RT_TMP/ids"
	kill -9 $pid
	wait $pid || true
	run "$G" rm -f fg
	[ "$status" -eq 0 ]
	rt_check_leaks
}

@test "ps --format json and -a" {
	g run -d --name j1 busybox sleep 100
	g run --name j2 busybox true
	run "$G" ps --format json
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'"Names":"j1"'*'"State":"running"'*'"Status":"Up '* ]]
	# CreatedAt as Docker's CLI prints it (Go's time.Time.String())
	[[ "$output" =~ \"CreatedAt\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ \+0000\ UTC\" ]]
	run "$G" ps -a --format json
	[ "${#lines[@]}" -eq 2 ]
}

# The monitor of a detached container is gocker-monitor, a small static
# program gocker execs in the same process once the container runs.
monitor_of() {
	sed -n 's/.*"MonitorPid":\([0-9]*\).*/\1/p' "$GOCKER_RUN/containers/$1/state.json"
}

@test "the monitor is small" {
	# ASan's shadow memory and quarantine make RSS meaningless (make check-asan sets ASAN_OPTIONS)
	[ -z "${ASAN_OPTIONS:-}" ] || skip "RSS is not measured under ASan"
	id=$(g run -d busybox sleep 100)
	mon=$(monitor_of "$id")
	[[ "$(readlink /proc/$mon/exe)" == */gocker-monitor ]]
	rss=$(awk '/VmRSS/ {print $2}' /proc/$mon/status)
	echo "monitor RSS ${rss} kB"
	[ "$rss" -lt 1024 ]
}

@test "run -d --rm: the monitor removes the container, its cgroup and its address" {
	id=$(g run -d --rm busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done')
	mon=$(monitor_of "$id")
	[ -n "$mon" ]
	"$G" exec "$id" touch /tmp/go
	wait_for bash -c "[ ! -d '$GOCKER_ROOT/containers/$id' ] && ! kill -0 $mon 2>/dev/null"
	run "$G" ps -aq
	[ -z "$output" ]
	! grep -qs "$id" "$GOCKER_RUN/net/ipam.json" || false
	rt_check_leaks
}

@test "rm -f while a run is still creating the container stops the run; nothing comes back" {
	g run --rm busybox true # the bridge and the address state exist
	local lock="$GOCKER_RUN/net/ipam.lock" mode id launcher rmpid stopped rmrc
	[ -e "$lock" ]
	for mode in "" -d; do
		# The run creates the container, then waits for its address while
		# we hold the address lock: rm -f comes in that window.
		exec 9>"$lock"
		flock 9
		# (fd 9 is ours alone: a copy in gocker would hold the lock too)
		"$G" run $mode --name starting busybox sleep 100 >/dev/null 2>&1 9>&- &
		launcher=$!
		id=
		wait_for bash -c "ls '$GOCKER_ROOT/containers' | grep -qE '^[0-9a-f]{64}\$'" &&
			id=$(ls "$GOCKER_ROOT/containers" | grep -E '^[0-9a-f]{64}$') &&
			echo "$id" >>"$RT_TMP/ids" &&
			wait_for test -d "/sys/fs/cgroup/pids/gocker-$id"
		"$G" rm -f starting >"$RT_TMP/rm.out" 2>&1 9>&- &
		rmpid=$!
		stopped=0
		wait_for bash -c "! kill -0 $launcher 2>/dev/null" || stopped=1
		exec 9>&- # rm frees the address now
		kill -9 "$launcher" 2>/dev/null || true
		wait "$launcher" || true
		rmrc=0
		wait "$rmpid" || rmrc=$?
		echo "mode '$mode' id $id stopped $stopped rm $rmrc: $(cat "$RT_TMP/rm.out")"
		[ -n "$id" ]
		[ "$stopped" -eq 0 ]
		[ "$rmrc" -eq 0 ]
		[ ! -e "$GOCKER_ROOT/containers/$id" ]
		[ ! -e "$GOCKER_RUN/containers/$id" ]
		[ -z "$("$G" ps -aq)" ]
		[ -z "$(grep -rl "$id" "$GOCKER_RUN/net")" ]
		rt_check_leaks
	done
}

@test "run -d: a log that cannot be created fails the run; the monitor touches no uninitialised state" {
	# valgrind watches the monitor; it cannot run an ASan build (make
	# check-asan), where ASan watches instead
	local vg=(valgrind -q --log-file="$RT_TMP/vg.%p")
	[ -z "${ASAN_OPTIONS:-}" ] || vg=()
	[ ${#vg[@]} -eq 0 ] || command -v valgrind >/dev/null || skip "no valgrind"
	# containers/ on a tmpfs with inodes for exactly the container's
	# directory and config.json: the monitor's open of the log then fails
	local c="$GOCKER_ROOT/containers"
	g run --rm --network none busybox true # containers/.lock exists
	mount -t tmpfs -o size=1m,mode=0700 gk-lifecycle-bats "$c"
	g run --rm --network none busybox true
	mount -o remount,nr_inodes=$(($(df --output=iused "$c" | tail -1) + 2)) "$c"
	run "${vg[@]}" "$G" run -d --rm --network none busybox true
	echo "$status $output"
	local rc=$status out=$output
	# --rm: the monitor removes the container as the last thing it does
	wait_for bash -c "[ -z \"\$(ls '$c')\" ]" || true
	umount "$c"
	cat "$RT_TMP"/vg.* 2>/dev/null || true
	[ "$rc" -eq 125 ]
	[[ "$out" == *json.log*"No space left on device"* ]]
	[ -z "$(grep -l uninitialised "$RT_TMP"/vg.* 2>/dev/null)" ]
	[ -z "$(ls -A "$GOCKER_RUN/containers" | grep -v '^\.')" ]
}

@test "run -d: the monitor records an OOM kill: exit 137, OOMKilled true" {
	id=$(g run -d --mem 32 busybox sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" x); echo survived')
	wait_for bash -c "'$G' inspect -f '{{.State.Status}}' $id | grep -q exited"
	run "$G" inspect -f '{{.State.ExitCode}} {{.State.OOMKilled}}' "$id"
	[ "$output" = "137 true" ]
	run "$G" logs "$id"
	[[ "$output" != *survived* ]]
}

@test "run -dt: the terminal's output goes to the log" {
	id=$(g run -dt busybox sh -c 'tty; echo done')
	wait_for bash -c "'$G' inspect -f '{{.State.Status}}' $id | grep -q exited"
	run "$G" logs "$id"
	[[ "${lines[0]}" == /dev/pts/0* ]]
	[[ "${lines[1]}" == done* ]]
	grep -q '"log":"done\\r\\n","stream":"stdout"' "$GOCKER_ROOT/containers/$id/$id-json.log"
}

@test "without gocker-monitor next to it, gocker stays the monitor itself" {
	mkdir -p "$RT_TMP/bin"
	cp "$G" "$RT_TMP/bin/gocker"
	id=$("$RT_TMP/bin/gocker" run -d --network none busybox sh -c 'echo alone; sleep 0.3; exit 3')
	echo "$id" >>"$RT_TMP/ids"
	[[ "$(readlink /proc/$(monitor_of "$id")/exe)" == "$RT_TMP/bin/gocker" ]]
	wait_for bash -c "'$G' ps -a | grep -q 'Exited (3)'"
	run "$G" logs "$id"
	[ "$output" = alone ]
	rm -rf "$RT_TMP/bin"
}
