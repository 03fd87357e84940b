#!/usr/bin/env bats
# gocker run in the foreground: commands, environment, users, mounts, exit
# codes, bad input. Real containers from the busybox fixture.

load lib/runtime

setup_file() { rt_setup_file run; }
teardown_file() { rt_teardown_file; }
setup() { rt_setup; }
teardown() { rt_teardown; }

@test "run: the command's output and exit code come back" {
	run g run --rm busybox sh -c 'echo hello; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = hello ]
}

@test "run: the command is PID 1 and the host's processes are invisible" {
	run g run --rm busybox sh -c 'echo $$; ps -o pid | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" -le 4 ] # header, sh, ps, wc
}

@test "run: image Env and Cmd apply, HOSTNAME is the short id" {
	run g run --name envtest busybox env
	[ "$status" -eq 0 ]
	[[ "$output" == *"PATH=/usr/local/sbin"* ]]
	id=$("$G" inspect -f '{{.Id}}' envtest)
	[[ "$output" == *"HOSTNAME=${id:0:12}"* ]]
	run g run --rm busybox hostname
	[ "${#output}" -eq 12 ]
}

@test "run: -e, --env-file, -w, --hostname, --entrypoint" {
	printf '# comment\nFROMFILE=yes\n\nOTHER=2\n' >"$RT_TMP/envfile"
	export PASSED=through
	run g run --rm -e A=1 -e PASSED --env-file "$RT_TMP/envfile" -w /tmp/new/dir \
		--hostname myhost busybox sh -c 'echo $A $PASSED $FROMFILE $OTHER; pwd; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 through yes 2" ]
	[ "${lines[1]}" = /tmp/new/dir ]
	[ "${lines[2]}" = myhost ]
	run g run --rm --entrypoint echo busybox from entrypoint
	[ "$output" = "from entrypoint" ]
}

@test "run: -u by name, uid, uid:gid, and the container's own /etc/passwd" {
	run g run --rm -u app busybox id
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000(app) gid=1000(app)"* ]]
	run g run --rm -u 1234:5678 busybox sh -c 'id -u; id -g'
	[ "${lines[0]}" = 1234 ]
	[ "${lines[1]}" = 5678 ]
	run g run --rm -u nosuchuser busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unable to find user nosuchuser"* ]]
	run g run --rm -u 4294967296 busybox true
	[ "$status" -eq 125 ]
}

@test "run: a non-root user has no effective capabilities, root has Docker's 14" {
	run g run --rm busybox grep CapEff /proc/self/status
	[[ "$output" == *00000000a80425fb ]]
	run g run --rm -u 1000 busybox grep CapEff /proc/self/status
	[[ "$output" == *0000000000000000 ]]
}

@test "run: exit codes 127 and 126 with Docker's messages" {
	run g run --rm busybox nope
	[ "$status" -eq 127 ]
	[[ "$output" == *'exec: "nope": executable file not found in $PATH'* ]]
	run g run --rm busybox /etc
	[ "$status" -eq 126 ]
	[[ "$output" == *'permission denied'* ]]
}

@test "run: a signal exit is 128+N" {
	run g run --rm --init busybox sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	run g run --rm busybox sh -c 'sh -c "kill -KILL \$\$"; exit $?'
	[ "$status" -eq 137 ]
}

@test "run: signals sent to gocker run reach the container" {
	"$G" run --rm --init busybox sh -c 'trap "echo got-usr1; exit 9" USR1; while true; do sleep 0.1; done' >"$RT_TMP/out" &
	pid=$!
	wait_for ctr_running
	sleep 0.3 # the trap is set right after the shell starts
	kill -USR1 $pid
	wait $pid || rc=$?
	[ "$rc" -eq 9 ]
	grep -q got-usr1 "$RT_TMP/out"
}

@test "run: bind mounts read-write and read-only, named volumes, --tmpfs" {
	mkdir -p "$RT_TMP/rw" "$RT_TMP/ro"
	echo data >"$RT_TMP/ro/file"
	run g run --rm -v "$RT_TMP/rw:/rw" -v "$RT_TMP/ro:/ro:ro" --tmpfs /scratch:size=1m \
		busybox sh -c 'echo x >/rw/new && cat /ro/file && ! touch /ro/no 2>/dev/null &&
			grep " /scratch " /proc/mounts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = data ]
	[[ "${lines[1]}" == *"tmpfs rw,nosuid,nodev,noexec"*"size=1024k"* ]]
	[ "$(cat "$RT_TMP/rw/new")" = x ]
	[ ! -e "$RT_TMP/ro/no" ]
	run g run --rm -v vol:/data busybox sh -c 'echo kept >/data/f'
	[ "$(cat "$GOCKER_ROOT/volumes/vol/_data/f")" = kept ]
}

@test "run: a volume name outside Docker's rule is refused and nothing is created" {
	for v in rel/x a/../b a; do
		run g run --rm --network none -v "$v:/x" busybox true
		[ "$status" -eq 125 ] || { echo "-v $v:/x exited $status"; return 1; }
		[[ "$output" == *"includes invalid characters for a local volume name"* ]]
	done
	[ ! -e "$RT_TMP/escaped" ] && [ ! -e "$RT_TMP/root/escaped" ]
	[ ! -e "$GOCKER_ROOT/volumes/rel" ] && [ ! -e "$GOCKER_ROOT/_data" ]
	[ -z "$("$G" ps -aq)" ]
}

@test "run: a read-only bind is read-only below too (mounts under its source)" {
	mkdir -p "$RT_TMP/tree/sub"
	mount -t tmpfs -o size=1m gk-test "$RT_TMP/tree/sub"
	run g run --rm -v "$RT_TMP/tree:/tree:ro" -v "$RT_TMP/tree:/rwtree" busybox sh -c '
		touch /tree/sub/x 2>/dev/null; echo $?; touch /rwtree/sub/y; echo $?'
	umount "$RT_TMP/tree/sub"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 0 ]
}

@test "run: --read-only root, writable tmpfs" {
	run g run --rm --read-only --tmpfs /tmp busybox sh -c 'touch /x 2>/dev/null; echo $?; touch /tmp/y; echo $?'
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 0 ]
}

@test "run: --init reaps zombies and is PID 1" {
	run g run --rm --init busybox sh -c '(sleep 0.2 &) ; sleep 0.6; ps -o pid,stat,comm'
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 S    gocker-init"* ]] || [[ "$output" == *"gocker-init"* ]]
	! [[ "$output" == *" Z "* ]] || false
}

@test "run --init: PID 1 runs gocker's code, its exe cannot be opened inside (CVE-2019-5736)" {
	run g run --rm --init busybox sh -c '
		if readlink /proc/1/exe >/dev/null 2>&1; then echo readable; else echo refused; fi
		if head -c 1 /proc/1/exe >/dev/null 2>&1; then echo opened; else echo refused; fi'
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "refused refused" ]
}

@test "run --init: PID 1's command line is gocker-init's, not the host's gocker command" {
	local src="$RT_TMP/host-only-dir"
	mkdir -p "$src"
	run g run --rm --init -v "$src:/mnt" -e SECRETVAL=s3cr3t busybox \
		sh -c 'tr "\0" " " </proc/1/cmdline; echo'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "gocker-init -- sh -c tr "*"/proc/1/cmdline; echo"* ]]
	[[ "$output" != *host-only-dir* ]]
	[[ "$output" != *s3cr3t* ]]
}

@test "run: the container's mounts: proc, dev, sys read-only, cgroup read-only" {
	run g run --rm busybox sh -c 'cat /proc/mounts; ls /dev'
	[ "$status" -eq 0 ]
	[[ "$output" == *"proc /proc proc rw,nosuid,nodev,noexec"* ]]
	[[ "$output" == *"devpts /dev/pts devpts rw,nosuid,noexec"*"gid=5,mode=620,ptmxmode=666"* ]]
	[[ "$output" == *"sysfs /sys sysfs ro,"* ]]
	# /dev: no relatime (strictatime), Docker's size and mode
	[[ "$output" == *"tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 "* ]]
	[[ "$output" == *"shm /dev/shm tmpfs rw,nosuid,nodev,noexec,"* ]]
	[[ "$output" == *"mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec"* ]]
	[[ "$output" == *" /sys/fs/cgroup tmpfs ro,"* ]] || [[ "$output" == *" /sys/fs/cgroup cgroup2 ro,"* ]]
	for d in null zero full random urandom tty ptmx shm mqueue pts; do
		[[ "$output" == *"$d"* ]]
	done
	! [[ "$output" == *sda* ]] || false
}

@test "run: -t gives a terminal from the container's own devpts" {
	command -v script >/dev/null || skip "script(1) missing"
	run script -qec "stty rows 33 cols 101; $G run --rm -t busybox sh -c 'tty; stty size; echo \$TERM; exit 4'" /dev/null
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"33 101"* ]]
	[[ "$output" == *xterm* ]]
}

@test "run: -it passes window size changes on to the container" {
	# a terminal resized while the container's shell runs (lib/winsize.py)
	run python3 "$BATS_TEST_DIRNAME/lib/winsize.py" 24 80 50 132 -- "$G" run -it --rm busybox sh
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "24 80" ]
	[ "${lines[1]}" = "50 132" ]
	[ "${lines[2]}" = "exit 3" ]
}

@test "run -it with its output piped to a reader that quits: terminal restored, exit recorded, --rm honoured" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" bash -c "'$G' run --rm -it busybox yes | head -1; echo rc=\${PIPESTATUS[0]}"
	echo "$output"
	[[ "$output" == *"rc=137"* ]]
	[[ "$output" == *"tty cooked"* ]]
	[ -z "$("$G" ps -aq)" ]
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" bash -c "'$G' run --name piped -it busybox yes | head -1"
	[[ "$output" == *"tty cooked"* ]]
	[ "$("$G" inspect -f '{{.State.Status}} {{.State.ExitCode}}' piped)" = "exited 137" ]
}

@test "run -it with a stdin that is no terminal is refused, as Docker does; nothing is created" {
	run bash -c "echo piped | timeout -s KILL 20 '$G' run --rm -it busybox cat"
	[ "$status" -eq 1 ]
	[ "$output" = "the input device is not a TTY" ]
	[ -z "$("$G" ps -aq)" ]
	run bash -c "echo piped | '$G' run --rm -t busybox true"
	[ "$status" -eq 0 ]
}

@test "run -t without -i: the terminal stays cooked, so ^C reaches the container as SIGINT" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" --type-after ready '\x03' "$G" run --rm -t busybox \
		sh -c 'trap "echo got-int; exit 5" INT; echo ready; while :; do sleep 0.1; done'
	echo "$output"
	[[ "$output" == *"got-int"* ]]
	[[ "$output" == *"exit 5"* ]]
}

@test "run without -t from a terminal: stdin, stdout and stderr are no terminal; the exit code comes back" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" run --rm busybox sh -c "$NOTTY; exit 7"
	echo "$output"
	notty_all
	[[ "$output" == *"exit 7"* ]]
	[[ "$output" == *"tty cooked"* ]]
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" run --rm -i busybox sh -c "$NOTTY"
	echo "$output"
	notty_all
	[[ "$output" == *"exit 0"* ]]
	[ -z "$("$G" ps -aq)" ]
}

@test "run -i without -t from a terminal: what is typed reaches the container, ^D ends it" {
	run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" --type-after go 'typed-line\n\x04' \
		bash -c "echo go; '$G' run --rm -i busybox cat; echo rc=\$?"
	echo "$output"
	# once echoed by the terminal, once by cat
	[ "$(grep -c '^typed-line$' <<<"$output")" -eq 2 ]
	[[ "$output" == *"rc=0"* ]]
	[[ "$output" == *"tty cooked"* ]]
}

@test "run without -t from a terminal: all of a long output arrives" {
	for to in "" ">&2"; do
		run python3 "$BATS_TEST_DIRNAME/lib/inpty.py" "$G" run --rm busybox sh -c "seq 1 20000 $to; exit 3"
		[ "$(grep -cx '[0-9][0-9]*' <<<"$output")" -eq 20000 ]
		[ "$(grep -c '^20000$' <<<"$output")" -eq 1 ]
		[[ "$output" == *"exit 3"* ]]
	done
}

@test "run: -i passes stdin, without it stdin is empty" {
	run bash -c "echo piped | '$G' run --rm -i busybox cat"
	[ "$output" = piped ]
	run bash -c "echo piped | '$G' run --rm busybox cat"
	[ "$output" = "" ]
}

@test "run: --rm leaves nothing; without it the container stays, exited" {
	g run --rm busybox true
	[ -z "$(ls "$GOCKER_ROOT/containers" | grep -v '^\.')" ]
	g run --name kept busybox true
	run "$G" ps -a --format json
	[[ "$output" == *'"Names":"kept"'* ]]
	[[ "$output" == *'"State":"exited"'* ]]
}

@test "run -v: a source starting with . is a path relative to the current directory, as Docker's CLI" {
	mkdir -p "$RT_TMP/rel/data"
	echo here >"$RT_TMP/rel/data/f"
	cd "$RT_TMP/rel/data"
	run g run --rm -v ./:/a:ro -v ../data:/b -v .:/c busybox cat /a/f /b/f /c/f
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "here here here" ]
	# unlike Docker's -v, a missing source is an error (nothing created)
	for v in ./missing ../../escaped; do
		run g run --rm -v "$v:/x" busybox true
		[ "$status" -eq 125 ]
		[[ "$output" == *"bind source path does not exist: $v"* ]]
	done
	[ ! -e "$RT_TMP/rel/data/missing" ] && [ ! -e "$RT_TMP/escaped" ]
	cd - >/dev/null
}

@test "run: bad input is refused with 125 and creates nothing" {
	for args in "--mem abc" "--mem 0" "--cpus -1" "--cpus 1000" "--cpus x" "--pids abc" \
		"--memory 12q" "--swap 10" "--memory-swap 1g" "-v /does/not/exist:/x" \
		"-v relative" "--name bad/name" "--network nope" "--mem 99999999999999" \
		"--mem 64 --swap 99999999999999"; do
		run g run $args busybox true
		echo "$args -> $status $output"
		[ "$status" -eq 125 ]
		[ -n "$output" ]
	done
	run g run --pids x busybox true
	[[ "$output" == *'"x" for "--pids, --pids-limit" flag'* ]]
	run g run --mem 99999999999999 busybox true
	[[ "$output" == *'invalid --mem value "99999999999999"'* ]]
	run g run --pull never no-such-image true
	[ "$status" -eq 125 ]
	[[ "$output" == *no-such-image* ]]
	[ -z "$(ls "$GOCKER_ROOT/containers" 2>/dev/null | grep -v '^\.')" ]
}

@test "run: a start that fails once the container exists leaves it Created; rm removes all of it" {
	# pids.max takes at most PID_MAX_LIMIT (4194304): the kernel refuses this
	# limit while the container's directories and process already exist
	for mode in "" -d; do
		run g run $mode --name failed --pids 99999999 busybox true
		echo "$mode -> $status $output"
		[ "$status" -eq 125 ]
		[[ "$output" == *pids.max* ]]
		run "$G" ps -a --format json
		[[ "$output" == *'"Names":"failed"'* ]]
		[[ "$output" == *'"State":"created"'* ]]
		# nothing will ever come: logs -f ends at once, as Docker's does
		run timeout 10 "$G" logs -f failed
		[ "$status" -eq 0 ]
		g rm failed
		[ -z "$(ls -A "$GOCKER_ROOT/containers" | grep -v '^\.')" ]
		[ -z "$(ls -A "$GOCKER_RUN/containers" | grep -v '^\.')" ]
	done
	run g run --rm --pids 99999999 busybox true
	[ "$status" -eq 125 ]
	[ -z "$(ls -A "$GOCKER_ROOT/containers" | grep -v '^\.')" ]
	[ -z "$(ls -A "$GOCKER_RUN/containers" | grep -v '^\.')" ]
}

@test "run: a container whose state cannot be recorded leaves nothing behind" {
	mkdir -p "$GOCKER_RUN/containers"
	chattr +i "$GOCKER_RUN/containers"
	run g run --name half busybox true
	chattr -i "$GOCKER_RUN/containers"
	echo "$status $output"
	[ "$status" -eq 125 ]
	[ -z "$(ls -A "$GOCKER_ROOT/containers" | grep -v '^\.')" ]
	run "$G" ps -a -q
	[ -z "$output" ]
}

@test "run: limits are recorded as Docker's HostConfig fields" {
	g run --name lim --mem 64 --swap 32 --cpus 0.5 --pids 50 busybox true
	run "$G" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' lim
	[ "$output" = "67108864 100663296 500000000 50" ]
	g run --name lim2 -m 32m --memory-swap 64m --pids-limit 10 busybox true
	run "$G" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}' lim2
	[ "$output" = "33554432 67108864 10" ]
	# no swap given: Docker's default, as much swap as memory
	g run --name lim3 --mem 64 busybox true
	run "$G" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' lim3
	[ "$output" = "67108864 134217728" ]
	g run --name lim4 --cpus 0 busybox true
	run "$G" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}' lim4
	[ "$output" = "0 0 0" ]
}

@test "run: --name \"\" is no name: one is generated" {
	run g run --network none --name "" busybox true
	[ "$status" -eq 0 ]
	name=$("$G" ps -a --format json | sed -n 's/.*"Names":"\([^"]*\)".*/\1/p')
	[[ "$name" == *_* ]]
}

@test "run: a name in use is refused" {
	g run --name dup busybox true
	run g run --name dup busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"/dup" is already in use'* ]]
}

@test "run: names live in \$GOCKER_ROOT/names: freed by rm, a link to a removed container names no one, rebuilt for an older store" {
	id=$(g run -d --name held busybox true)
	[ "$(readlink "$GOCKER_ROOT/names/held")" = "$id" ]
	[ "$("$G" inspect -f '{{.Id}}' held)" = "$id" ]
	# a store made before the index: rebuilt from the configs under the lock
	rm -rf "$GOCKER_ROOT/names"
	run g run --name held busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *'"/held" is already in use'* ]]
	[ "$(readlink "$GOCKER_ROOT/names/held")" = "$id" ]
	g rm held
	[ ! -e "$GOCKER_ROOT/names/held" ]
	# left by a crash between removing a container and its name
	ln -s "$(printf '%064d' 0)" "$GOCKER_ROOT/names/ghost"
	run "$G" inspect ghost
	[ "$status" -eq 1 ]
	id=$(g run -d --name ghost busybox true)
	[ "$(readlink "$GOCKER_ROOT/names/ghost")" = "$id" ]
}

@test "run: --network host shares the host's network, none has only lo" {
	run g run --rm --network none busybox ls /sys/class/net
	[ "$output" = lo ]
	run g run --rm --network host busybox readlink /proc/self/ns/net
	[ "$output" = "$(readlink /proc/self/ns/net)" ]
	run g run --rm --network none busybox readlink /proc/self/ns/net
	[ "$output" != "$(readlink /proc/self/ns/net)" ]
}

@test "run: WorkingDir through /proc/self/fd is refused (CVE-2024-21626)" {
	for n in 3 4 5 6 7 8; do
		run g run --rm -w /proc/self/fd/$n busybox pwd
		[ "$status" -ne 0 ] || [[ "$output" != /proc/* && "$output" != /tmp* ]]
		! [[ "$output" == "$RT_TMP"* ]] || false
	done
}

@test "run: a directory fd the caller leaks to gocker does not reach the container (CVE-2024-21626)" {
	# fd 7 on a host directory, inherited by gocker (no O_CLOEXEC); ls
	# itself holds fd 3 for the directory it reads
	run g run --rm busybox ls /proc/self/fd 7<"$RT_TMP"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2 3" ]
	run g run --rm -w /proc/self/fd/7 busybox pwd 7<"$RT_TMP"
	[ "$status" -ne 0 ]
}

@test "run needs no module; load, pull and the bridge network without them fail clearly" {
	# gocker alone, without gocker-image.so and gocker-net.so beside it or in ../lib/gocker
	mkdir -p "$RT_TMP/lonely"
	cp "$G" "$RT_TMP/lonely/gocker"
	run "$RT_TMP/lonely/gocker" run --rm --network none busybox echo inside
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
	id=$("$RT_TMP/lonely/gocker" run -d --network none busybox sleep 100)
	run "$RT_TMP/lonely/gocker" rm -f "$id"
	[ "$status" -eq 0 ]
	run "$RT_TMP/lonely/gocker" run --rm busybox echo inside
	[ "$status" -eq 125 ]
	[[ "$output" == *"module gocker-net.so not found (looked for $RT_TMP/lonely/gocker-net.so and "* ]]
	[ -z "$("$G" ps -aq)" ]
	run "$RT_TMP/lonely/gocker" load -i "$FIX/busybox.docker.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"module gocker-image.so not found (looked for $RT_TMP/lonely/gocker-image.so and "* ]]
	run "$RT_TMP/lonely/gocker" pull 127.0.0.1:1/nothing
	[ "$status" -eq 125 ]
	[[ "$output" == *"gocker-image.so not found"* ]]
	# the installed layout: the module in ../lib/gocker
	mkdir -p "$RT_TMP/inst/bin" "$RT_TMP/inst/lib/gocker"
	cp "$G" "$RT_TMP/inst/bin/gocker"
	cp "$(dirname "$G")/gocker-image.so" "$RT_TMP/inst/lib/gocker/"
	run "$RT_TMP/inst/bin/gocker" load -q -i "$FIX/busybox.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest" ]
	rm -rf "$RT_TMP/lonely" "$RT_TMP/inst"
}

@test "run: /etc/hosts, resolv.conf and hostname need no copy of /etc on disk; a symlinked /etc still works" {
	id=$(g run -d --network none busybox sleep 100)
	run g exec "$id" sh -c 'cat /etc/hostname; ls /etc'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "${id:0:12}" ]
	[[ "$output" == *passwd* ]]
	# nothing was copied up into the container's layer on disk for the binds
	[ -z "$(ls -A "$GOCKER_ROOT/containers/$id/upper")" ]
	g rm -f "$id" >/dev/null
	# host network: no binds, so the image's /etc shows unchanged
	run g run --rm --network host busybox ls /etc
	[ "$status" -eq 0 ]
	[[ "$output" != *hosts* ]]
	# an image whose /etc is a symlink to /etc2: the mount points are made
	# through the symlink, the image's files stay visible
	REPO="$REPO" python3 - "$RT_TMP/etclink.tar" "$FIX/busybox.docker.tar" <<'PY'
import json, os, sys, tarfile
sys.path.insert(0, os.environ["REPO"] + "/tests/fixtures")
import imagelib as L
out, base_tar = sys.argv[1], sys.argv[2]
work = os.path.dirname(out)
with tarfile.open(base_tar) as t:
    m = json.load(t.extractfile("manifest.json"))[0]
    cfg = json.load(t.extractfile(m["Config"]))
    base_path = os.path.join(work, "base.tar")
    with open(base_path, "wb") as f:
        f.write(t.extractfile(m["Layers"][0]).read())
class Raw:
    def __init__(self, path, diff_id):
        self.path, self.diff_id = path, diff_id
base = Raw(base_path, cfg["rootfs"]["diff_ids"][0])
lay = L.Layer(os.path.join(work, "etclink.layer.tar"))
lay.dir("etc2")
lay.file("etc2/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
lay.symlink("etc", "etc2")
top = lay.close()
conf = L.image_config([base.diff_id, top.diff_id])
L.write_docker_save(out, [(["etclink:latest"], conf, [base, top])])
PY
	g load -q -i "$RT_TMP/etclink.tar" >/dev/null
	run g run --rm --network none etclink sh -c 'readlink /etc; cat /etc/passwd; cat /etc2/hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = etc2 ]
	[ "${lines[1]}" = "root:x:0:0:root:/root:/bin/sh" ]
	[ -n "${lines[2]}" ]
}

@test "run --rm: the root overlay is volatile (no sync of the disk at exit); without --rm it is durable" {
	run g run --rm --network none busybox sh -c "grep ' / / ' /proc/self/mountinfo"
	[ "$status" -eq 0 ]
	[[ "$output" == *overlay*volatile* ]]
	[ -z "$("$G" ps -aq)" ]
	run g run --network none busybox sh -c "grep ' / / ' /proc/self/mountinfo"
	[ "$status" -eq 0 ]
	[[ "$output" == *overlay* ]]
	[[ "$output" != *volatile* ]]
}
