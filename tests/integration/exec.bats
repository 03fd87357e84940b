#!/usr/bin/env bats
# gocker exec: joins the container's namespaces, cgroup and root.

load lib/runtime

setup_file() { rt_setup_file exec; }
teardown_file() { rt_teardown_file; }
setup() {
	rt_setup
	g run -d --name box --hostname boxhost -e FROMRUN=1 busybox sh -c 'echo marker >/tmp/m; exec sleep 1000' >/dev/null
	wait_for "$G" exec box test -f /tmp/m
}
teardown() { rt_teardown; }

@test "exec sees the container's pid namespace, files and hostname" {
	run "$G" exec box sh -c 'cat /tmp/m; hostname; cat /proc/1/cmdline | tr "\0" " "; echo; echo $FROMRUN'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = marker ]
	[ "${lines[1]}" = boxhost ]
	[ "${lines[2]}" = "sleep 1000 " ]
	[ "${lines[3]}" = 1 ]
}

@test "exec: the exit code comes back" {
	run "$G" exec box sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run "$G" exec box nope
	[ "$status" -eq 127 ]
	[[ "$output" == *'executable file not found'* ]]
}

@test "exec -e, -u, -w" {
	run "$G" exec -e A=b -u 1000:1000 -w /tmp box sh -c 'echo $A; id -u; id -g; pwd'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'b\n1000\n1000\n/tmp')" ]
	for e in =x ''; do
		run "$G" exec -e "$e" box true
		[ "$status" -eq 125 ]
		[[ "$output" == *"invalid environment variable: $e"* ]]
	done
}

@test "exec has the container's capabilities, no_new_privs and cgroup" {
	run "$G" exec box sh -c 'grep -E "CapEff|NoNewPrivs" /proc/self/status; cat /proc/self/cgroup'
	[[ "$output" == *"CapEff:	00000000a80425fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	id=$("$G" inspect -f '{{.Id}}' box)
	grep -q "gocker-$id" /proc/$(sed -n 's/.*"Pid":\([0-9]*\).*/\1/p' "$GOCKER_RUN/containers/$id/state.json")/cgroup
	[[ "$output" == *":/"* ]]
}

@test "exec: a directory fd the caller leaks to gocker does not reach the command (CVE-2024-21626)" {
	run "$G" exec box ls /proc/self/fd 7<"$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2 3" ]
	run "$G" exec -w /proc/self/fd/7 box pwd 7<"$BATS_TEST_TMPDIR"
	[ "$status" -ne 0 ]
}

@test "exec -i passes stdin; -d returns at once" {
	run bash -c "echo in | '$G' exec -i box cat"
	[ "$output" = in ]
	run "$G" exec -d box sh -c 'sleep 0.2; touch /tmp/detached'
	[ "$status" -eq 0 ]
	wait_for "$G" exec box test -f /tmp/detached
}

@test "exec -t gets a terminal" {
	command -v script >/dev/null || skip "script(1) missing"
	run script -qec "'$G' exec -t box sh -c 'tty; exit 3'" /dev/null
	[ "$status" -eq 3 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "exec -it: an interactive shell, window size changes passed on" {
	# a terminal resized while the exec'd shell runs (lib/winsize.py)
	run python3 "$BATS_TEST_DIRNAME/lib/winsize.py" 30 90 45 150 -- "$G" exec -it box sh
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "30 90" ]
	[ "${lines[1]}" = "45 150" ]
	[ "${lines[2]}" = "exit 3" ]
}

@test "exec -it with its output piped to a reader that quits: terminal restored" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" bash -c "'$G' exec -it box yes | head -1; echo rc=\${PIPESTATUS[0]}"
	echo "$output"
	[[ "$output" == *"rc=137"* ]]
	[[ "$output" == *"tty cooked"* ]]
}

@test "exec -it with a stdin that is no terminal is refused; exec -t sets TERM=xterm as Docker's" {
	run bash -c "echo piped | timeout -s KILL 20 '$G' exec -it box cat"
	[ "$status" -eq 1 ]
	[ "$output" = "the input device is not a TTY" ]
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" exec -t box sh -c 'echo "term=$TERM"'
	[[ "$output" == *"term=xterm"* ]]
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" exec -t -e TERM=vt100 box sh -c 'echo "term=$TERM"'
	[[ "$output" == *"term=vt100"* ]]
}

@test "exec -t without -i: the terminal stays cooked, so ^C reaches the command as SIGINT" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" --type-after ready '\x03' "$G" exec -t box \
		sh -c 'trap "echo got-int; exit 5" INT; echo ready; while :; do sleep 0.1; done'
	echo "$output"
	[[ "$output" == *"got-int"* ]]
	[[ "$output" == *"exit 5"* ]]
}

@test "exec without -t from a terminal: stdin, stdout and stderr are no terminal; the exit code comes back" {
	for i in "" -i; do
		run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" exec $i box sh -c "$NOTTY; exit 7"
		echo "$output"
		notty_all
		[[ "$output" == *"exit 7"* ]]
		[[ "$output" == *"tty cooked"* ]]
	done
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" exec box seq 1 20000
	[ "$(grep -cx '[0-9][0-9]*' <<<"$output")" -eq 20000 ]
	[ "$(grep -c '^20000$' <<<"$output")" -eq 1 ]
}

@test "exec -i without -t from a terminal: what is typed reaches the command, ^D ends it" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" --type-after go 'typed-line\n\x04' \
		bash -c "echo go; '$G' exec -i box cat; echo rc=\$?"
	echo "$output"
	[ "$(grep -c '^typed-line$' <<<"$output")" -eq 2 ]
	[[ "$output" == *"rc=0"* ]]
}

@test "exec -w of a missing directory fails with 126 and creates nothing, as Docker's (run -w creates it)" {
	run "$G" exec -w /nonexistent/dir box pwd
	echo "$output"
	[ "$status" -eq 126 ]
	[[ "$output" == *'chdir to cwd ("/nonexistent/dir") set in config.json failed'* ]]
	run "$G" exec box test -e /nonexistent
	[ "$status" -eq 1 ]
}

@test "exec runs with the container's resource limits, not the calling shell's, as Docker's" {
	id=$(bash -c "ulimit -n 512 && '$G' run -d busybox sleep 100")
	run "$G" exec "$id" sh -c 'diff /proc/1/limits /proc/self/limits && ulimit -n'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 512 ]
}

@test "exec into a stopped container fails" {
	"$G" stop -t 0 box
	run "$G" exec box true
	[ "$status" -ne 0 ]
	[[ "$output" == *"is not running"* ]]
}
