# Helpers for tests that need a registry: Debian's docker-registry on a free
# loopback port with its storage in a temp dir, optionally behind htpasswd,
# and the fault-injecting proxy lib/regproxy.py. Source from a .bats file.

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http URL: until it answers at all (any status), at most ~10 s.
wait_http() {
	local i
	for i in $(seq 1 100); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "no answer from $1" >&2
	return 1
}

# start_registry DIR [HTPASSWD_FILE]: prints the port; the pid is in DIR/pid.
start_registry() {
	local dir=$1 htpasswd=${2:-} port
	mkdir -p "$dir/data"
	port=$(free_port)
	{
		echo "version: 0.1"
		echo "log: {level: error}"
		echo "storage:"
		echo "  filesystem: {rootdirectory: $dir/data}"
		echo "  delete: {enabled: true}"
		echo "http:"
		echo "  addr: 127.0.0.1:$port"
		if [ -n "$htpasswd" ]; then
			echo "auth:"
			echo "  htpasswd: {realm: gocker-test, path: $htpasswd}"
		fi
	} >"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	wait_http "http://127.0.0.1:$port/v2/" >&2 || return 1
	echo "$port"
}

# start_proxy DIR UPSTREAM_PORT: PROXY_PORT and SIDE_PORT are written to
# DIR/ports; mode words go to DIR/mode, the request log is DIR/log.
start_proxy() {
	local dir=$1 up=$2 i
	mkdir -p "$dir"
	: >"$dir/mode"
	: >"$dir/log"
	python3 "$BATS_TEST_DIRNAME/lib/regproxy.py" "$up" "$dir/mode" "$dir/log" "$dir/ports" \
		>"$dir/stderr" 2>&1 &
	echo $! >"$dir/pid"
	for i in $(seq 1 100); do
		[ -s "$dir/ports" ] && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid_file FILE: kill the process we started (by its pid only) and wait.
stop_pid_file() {
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
}

# push_archive TRANSPORT:PATH REF (e.g. docker-archive:x.tar 127.0.0.1:5000/busybox:latest)
push_archive() {
	skopeo copy -q --dest-tls-verify=false "$1" "docker://$2" >&2
}
