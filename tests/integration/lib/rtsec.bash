# Extras for isolation.bats and limits.bats on top of lib/runtime.bash, whose
# setup, teardown and leak checks they share.

load lib/runtime

CG=/sys/fs/cgroup
DEFAULT_CAPS=00000000a80425fb

# The cgroup directory of container $2 in hierarchy $1 (memory, cpu, ...).
cgdir() {
	echo "$CG/$1/gocker-$2"
}

# The hex value of a /proc/self/status field in $output ("CapEff" ...).
status_field() {
	awk -v k="$1:" '$1 == k { print $2 }' <<<"$output"
}
