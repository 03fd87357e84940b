#!/usr/bin/env bats
# Isolation and the security floor of a default container: namespaces, mount
# table, masked and read-only paths, capabilities, no_new_privs, seccomp, /dev
# and the device cgroup. Real containers from the busybox fixture.

load lib/rtsec

setup_file() { rt_setup_file isolation; }
teardown_file() { rt_teardown_file; }
setup() { rt_setup; }
teardown() { rt_teardown; }

@test "isolation: the command is PID 1 and no host process is visible" {
	run g run --rm busybox sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l; if test -e /proc/'"$$"'; then echo hostpid; fi'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" -le 3 ] # sh, ls and the subshell of the pipe at most
	[[ "$output" != *hostpid* ]]
}

@test "isolation: hostname is the short id, or --hostname" {
	run g run --name hn busybox hostname
	[ "$status" -eq 0 ]
	id=$("$G" inspect -f '{{.Id}}' hn)
	[ "$output" = "${id:0:12}" ]
	run g run --rm --hostname inside busybox hostname
	[ "$output" = inside ]
	[ "$(hostname)" != inside ]
}

@test "isolation: the mount table inside holds only the container's mounts" {
	run g run --rm busybox cat /proc/self/mountinfo
	[ "$status" -eq 0 ]
	points=$(awk '{ print $5 }' <<<"$output")
	echo "$points"
	[ "$(head -1 <<<"$points")" = / ]
	while read -r p; do
		case $p in
		/ | /proc | /proc/* | /dev | /dev/* | /sys | /sys/* | /etc/hosts | /etc/hostname | /etc/resolv.conf) ;;
		*) echo "unexpected mount point $p"; false ;;
		esac
	done <<<"$points"
	# none of the host's own mount points besides those shows up
	! grep -qE '^(/work|/home|/boot|/run)(/|$)' <<<"$points" || false
}

@test "isolation: the host's mount table is untouched by a run" {
	before=$(grep -c . /proc/self/mountinfo)
	host_interrupts=$(wc -c </proc/interrupts)
	run g run --rm busybox sh -c 'cat /proc/interrupts >/dev/null; mount | wc -l'
	[ "$status" -eq 0 ]
	! grep -q "$RT_TMP" /proc/self/mountinfo || false
	# masks and read-only remounts stayed in the container
	! awk '{ print $5 }' /proc/self/mountinfo | grep -qxE '/proc/(interrupts|keys|timer_list|sys|acpi)' || false
	[ "$(wc -c </proc/interrupts)" -gt 0 ]
	[ "$host_interrupts" -gt 0 ]
	echo "mounts before $before, after $(grep -c . /proc/self/mountinfo)"
}

@test "isolation: masked paths read empty, not the host's content" {
	[ "$(wc -c </proc/interrupts)" -gt 0 ]
	[ "$(wc -c </proc/timer_list)" -gt 0 ]
	run g run --rm busybox sh -c 'for f in /proc/interrupts /proc/keys /proc/timer_list; do
		[ -e $f ] && echo "$f $(wc -c <$f)"; done; ls -A /sys/firmware | wc -l; ls -A /proc/acpi 2>/dev/null | wc -l'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"/proc/interrupts 0"* ]]
	[[ "$output" == *"/proc/timer_list 0"* ]]
	if [ -e /proc/keys ]; then [[ "$output" == *"/proc/keys 0"* ]]; fi
	[ "${lines[-2]}" = 0 ]
	[ "${lines[-1]}" = 0 ]
	# a masked file cannot be written either
	run g run --rm busybox sh -c 'touch /sys/firmware/x'
	[ "$status" -ne 0 ]
}

@test "isolation: /proc/sys and the other read-only paths cannot be written" {
	run g run --rm busybox sh -c 'echo 1 > /proc/sys/kernel/panic'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run g run --rm busybox sh -c 'echo x > /proc/sys/kernel/hostname'
	[ "$status" -ne 0 ]
	run g run --rm busybox cat /proc/self/mountinfo
	[ "$status" -eq 0 ]
	# each one this kernel has is a read-only mount of its own
	for p in sys bus fs irq sysrq-trigger; do
		[ -e "/proc/$p" ] || continue
		awk -v p="/proc/$p" '$5 == p && $6 ~ /^ro,nosuid,nodev,noexec/ { f = 1 } END { exit !f }' <<<"$output" || {
			echo "/proc/$p is not a read-only mount"
			return 1
		}
	done
}

@test "isolation: capability sets are Docker's defaults" {
	run g run --rm busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapPrm)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapBnd)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "isolation: --cap-add and --cap-drop change the sets" {
	run g run --rm --cap-add NET_ADMIN --cap-drop chown busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = 00000000a80435fa ]
	[ "$(status_field CapBnd)" = 00000000a80435fa ]
	run g run --rm --cap-drop ALL --cap-add CAP_KILL busybox cat /proc/self/status
	[ "$(status_field CapEff)" = 0000000000000020 ]
	[ "$(status_field CapBnd)" = 0000000000000020 ]
	run g run --rm --cap-add nosuchcap busybox true
	[ "$status" -eq 125 ]
	[[ "$output" == *nosuchcap* ]]
	# without CAP_CHOWN, chown fails
	run g run --rm --cap-drop CHOWN busybox sh -c 'touch /tmp/f; chown 1 /tmp/f'
	[ "$status" -ne 0 ]
}

@test "isolation: a non-root user has no effective capabilities, the bounding set stays" {
	run g run --rm -u 1000 busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapPrm)" = 0000000000000000 ]
	[ "$(status_field CapBnd)" = "$DEFAULT_CAPS" ]
}

@test "isolation: a non-root user still switches with SETUID/SETGID dropped (--cap-drop ALL)" {
	run g run --rm -u 1000 --cap-drop ALL busybox id
	[ "$status" -eq 0 ]
	[[ "$output" == uid=1000* ]]
	run g run --rm -u 1000:1000 --cap-drop ALL busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field Uid)" = 1000 ]
	[ "$(status_field Gid)" = 1000 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapPrm)" = 0000000000000000 ]
	[ "$(status_field CapBnd)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
	# the defaults without CAP_SETGID (6) and CAP_SETUID (7), for both users
	run g run --rm -u 1000 --cap-drop SETUID --cap-drop SETGID busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field Uid)" = 1000 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapBnd)" = 00000000a804253b ]
	run g run --rm --cap-drop SETUID --cap-drop SETGID busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = 00000000a804253b ]
	[ "$(status_field CapBnd)" = 00000000a804253b ]
}

@test "isolation: --privileged gets every capability and no seccomp" {
	# every capability gocker itself holds (its bounding set may lack some)
	all=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
	run g run --rm --privileged busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = "$all" ]
	[ "$(status_field Seccomp)" = 0 ]
}

@test "isolation: NoNewPrivs 1 and Seccomp 2" {
	run g run --rm busybox cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field NoNewPrivs)" = 1 ]
	[ "$(status_field Seccomp)" = 2 ]
	run g run --rm -u 1000 busybox cat /proc/self/status
	[ "$(status_field NoNewPrivs)" = 1 ]
	[ "$(status_field Seccomp)" = 2 ]
}

@test "isolation: mount, umount and unshare fail inside" {
	run g run --rm busybox mount -t tmpfs none /mnt
	[ "$status" -ne 0 ]
	run g run --rm busybox umount /proc/sys
	[ "$status" -ne 0 ]
	run g run --rm busybox unshare -n true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run g run --rm busybox unshare -m true
	[ "$status" -ne 0 ]
	# the refusals above come from the missing CAP_SYS_ADMIN as well; a new
	# user namespace needs no capability: only the seccomp filter refuses it
	run g run --rm busybox unshare -U true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	# still read-only after the failed attempts
	run g run --rm busybox sh -c 'mount -o remount,rw /proc/sys; echo 1 > /proc/sys/kernel/panic'
	[ "$status" -ne 0 ]
}

@test "isolation: CAP_SYS_ADMIN opens unshare, as in Docker's profile" {
	run g run --rm --cap-add SYS_ADMIN busybox unshare -n true
	[ "$status" -eq 0 ]
	# so the refusal of unshare -U above is the filter's, on a host that
	# allows user namespaces at all
	if [ "$(cat /proc/sys/user/max_user_namespaces)" -gt 0 ]; then
		run g run --rm --cap-add SYS_ADMIN busybox unshare -U true
		[ "$status" -eq 0 ]
	fi
}

@test "isolation: /dev holds only the allowed nodes" {
	run g run --rm busybox ls -A /dev
	[ "$status" -eq 0 ]
	expected="console core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"
	got=$(sort <<<"$output" | tr '\n' ' ')
	echo "got: $got"
	for n in $got; do
		[[ " $expected " == *" $n "* ]]
	done
	for n in null zero full random urandom tty; do
		[[ " $got " == *" $n "* ]]
	done
	run g run --rm busybox sh -c 'head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo ok'
	[ "${lines[0]}" = 4 ]
	[ "${lines[1]}" = ok ]
}

@test "isolation: the device cgroup refuses nodes outside Docker's list" {
	# mknod is allowed (CAP_MKNOD, "b *:* m"); opening the node is not, and
	# only the device rules refuse it: a block device needs no capability
	# to open (unlike /dev/mem), and the check comes before any driver's.
	run g run --rm busybox sh -c 'mknod /tmp/xloop b 7 0 && echo made; head -c 1 /tmp/xloop'
	echo "$output"
	[ "${lines[0]}" = made ]
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	# an allowed one (1:3, null) made the same way works
	run g run --rm busybox sh -c 'mknod /dev/xnull c 1 3 && echo hi > /dev/xnull && echo ok'
	[ "$output" = ok ]
}

@test "isolation: the container's cgroup is gocker-<id> at the top of every hierarchy, and goes with rm" {
	id=$(g run -d busybox sleep 100)
	for c in memory cpu cpuacct pids devices; do
		[ -d "$(cgdir $c "$id")" ]
	done
	pid=$("$G" inspect -f '{{.State.Pid}}' "$id")
	grep -q ":memory:/gocker-$id\$" /proc/"$pid"/cgroup
	grep -q ":pids:/gocker-$id\$" /proc/"$pid"/cgroup
	if [ -f $CG/unified/cgroup.controllers ]; then
		grep -q "^0::/gocker-$id\$" /proc/"$pid"/cgroup
	fi
	grep -qx a "$(cgdir devices "$id")/devices.list" && false
	grep -qx 'c 1:3 rwm' "$(cgdir devices "$id")/devices.list"
	g rm -f "$id"
	for c in memory cpu cpuacct pids devices unified; do
		[ ! -d "$CG/$c/gocker-$id" ]
	done
	# no shared parent cgroup is made
	for c in memory pids unified; do
		[ ! -d "$CG/$c/gocker" ]
	done
}

@test "isolation: without -t the caller's terminal is not the container's controlling terminal (no TIOCSTI into the host shell)" {
	command -v script >/dev/null || skip "script(1) missing"
	gcc -static -O2 -o "$RT_TMP/tiocsti" "$BATS_TEST_DIRNAME/lib/tiocsti.c"
	# script(1) gives gocker a terminal of its own as stdio, as a shell would
	# (as Docker's, its stdio are then pipes that gocker relays: no terminal)
	run script -qec "'$G' run --rm -v '$RT_TMP/tiocsti:/tiocsti:ro' busybox /tiocsti" /dev/null
	echo "$output"
	[[ "$output" == *"TIOCSTI: Inappropriate ioctl for device"* ]]
	id=$(g run -d -v "$RT_TMP/tiocsti:/tiocsti:ro" busybox sleep 100)
	run script -qec "'$G' exec $id /tiocsti" /dev/null
	echo "$output"
	[[ "$output" == *"TIOCSTI: Inappropriate ioctl for device"* ]]
	# with -t the container's own pty is its controlling terminal
	run script -qec "'$G' exec -t $id /tiocsti" /dev/null
	[[ "$output" == *"TIOCSTI: typed into the terminal"* ]]
	g rm -f "$id"
}

holds_cmd() { # CMDLINE DIR: a process of DIR/cgroup.procs runs CMDLINE
	local p
	for p in $(cat "$2/cgroup.procs"); do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "$1 " ] && return 0
	done
	return 1
}

@test "isolation: gocker exec gets the container's capabilities, seccomp, no_new_privs and cgroup" {
	id=$(g run -d --cap-add NET_ADMIN busybox sleep 100)
	run g exec "$id" cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = 00000000a80435fb ]
	[ "$(status_field CapBnd)" = 00000000a80435fb ]
	[ "$(status_field NoNewPrivs)" = 1 ]
	[ "$(status_field Seccomp)" = 2 ]
	# the exec'd process joins the container's cgroup in every hierarchy
	g exec -d "$id" sleep 99
	for c in memory cpu pids devices; do
		wait_for holds_cmd "sleep 99" "$(cgdir $c "$id")"
	done
	run g exec "$id" wc -c /proc/interrupts
	[[ "$output" == "0 /proc/interrupts" || "$output" == *" 0 /proc/interrupts" ]]
	run g exec "$id" unshare -n true
	[ "$status" -ne 0 ]
	# the filter's own refusal (no capability needed), as in the container
	run g exec "$id" unshare -U true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	g rm -f "$id"
}
