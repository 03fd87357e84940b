/* Containers as a library: create, start, exec, signal, delete.
 *
 * rt_create() makes the container's cgroup2 directory, then clones its first
 * process into new pid, mount, uts and ipc namespaces, straight into that
 * directory (CLONE_INTO_CGROUP). While the process mounts its overlayfs,
 * /proc and /dev, the caller makes the v1 directories, writes the limits and
 * (unless the network is "host") makes the container's network namespace
 * (ctr->netns_fd), then sends "C" with that namespace on the sync socket; the
 * process joins the namespace, moves itself into the v1 hierarchies, builds
 * the rest of its root (/sys, the cgroup tree, binds, pivot_root, masked
 * paths) inside its own mount namespace, and waits on the sync socket again.
 * Between rt_create() and rt_start() the caller may attach networking to
 * ctr->netns_fd. rt_start() lets the process unshare its cgroup namespace,
 * drop privileges and execve the command; it returns as soon as the execve
 * succeeded or failed.
 *
 * Nothing here keeps global state, blocks on the running container, prints
 * or exits. */
#ifndef RT_CONTAINER_H
#define RT_CONTAINER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "runtime/cgroup.h"
#include "runtime/security.h"

#define RT_ID_LEN 64

enum rt_network_mode { RT_NET_NONE, RT_NET_HOST, RT_NET_PRIVATE /* bridge: caller attaches */ };

struct rt_mount {
	char *source;  /* host path (bind) or NULL (tmpfs) */
	char *target;  /* absolute path inside the container */
	char *options; /* tmpfs data ("size=64m,mode=1777") or NULL */
	char *volume;  /* named volume (source under $GOCKER_ROOT/volumes), or NULL */
	int readonly;
	int tmpfs;
};

/* In stdio_fds[]: this fd becomes a new pipe whose other end the caller
 * gets (stdin_fd/stdout_fd/stderr_fd), so that a terminal of the caller's is
 * relayed, never handed to the container. */
#define RT_STDIO_FD_PIPE (-2)

/* What to do with the container's stdin/stdout/stderr. */
enum rt_stdio_mode {
	RT_STDIO_INHERIT, /* the fds in stdio_fds[] become the container's 0-2
			     (RT_STDIO_FD_PIPE: a new pipe, as RT_STDIO_PIPE's) */
	RT_STDIO_PIPE,	  /* new pipes; the caller gets stdout/stderr read ends (stdin: /dev/null
			     unless open_stdin, then a write end) */
	RT_STDIO_TTY,	  /* a pty from the container's own devpts; the caller gets the master */
};

struct rt_spec {
	char id[RT_ID_LEN + 1];
	const char *state_dir; /* $GOCKER_ROOT/containers/<id>: upper/, work/ */
	/* $GOCKER_RUN/containers/<id>: merged/, the root's mount point (used
	 * only inside the container's mount namespace). Runtime files live on
	 * the run tmpfs: every file or directory created and removed on the
	 * store's disk per container costs inode and block work (and, on
	 * filesystems mounted with discard, a synchronous discard). */
	const char *run_dir;
	/* Shared by all containers, on the run tmpfs: empty etc/hosts,
	 * etc/resolv.conf and etc/hostname, the mount points of those binds,
	 * as a lower layer on top of the image's (see rootfs.h). NULL: the
	 * mount points are created in upper/ when the image lacks them. */
	const char *mountpoints_dir;
	const char *cgroup_root;       /* "/sys/fs/cgroup" */
	const char *seccomp_cache_dir; /* compiled filters are kept here (root-only), or NULL */
	char **layer_dirs;	       /* image layers, bottom first */
	char **argv;		       /* command, argv[0] resolved through PATH inside */
	char **env;		       /* KEY=VALUE */
	const char *cwd;	       /* absolute, NULL: "/" */
	const char *user;	       /* "name", "uid", "uid:gid", "name:group", NULL: root */
	const char *hostname;	       /* NULL: first 12 chars of id */
	struct rt_mount *mounts;
	size_t n_mounts;
	int readonly_root;
	/* The container's upper layer is removed when it exits (--rm): the
	 * overlay is mounted "volatile", so unmounting it at the exit does not
	 * sync the whole upper filesystem (and fsync inside is a no-op: nothing
	 * written there can outlive the container anyway). */
	int ephemeral;
	int init; /* run the built-in init as PID 1 */
	enum rt_network_mode network;
	enum rt_stdio_mode stdio;
	int stdio_fds[3];		   /* RT_STDIO_INHERIT; -1 for stdin means /dev/null */
	int open_stdin;			   /* RT_STDIO_PIPE: give the container a stdin pipe */
	unsigned short tty_rows, tty_cols; /* RT_STDIO_TTY: initial window size, 0: none */
	struct rt_limits limits;
	struct rt_security security;
};

/* Why a start failed, to map onto Docker's exit codes. */
enum rt_start_failure {
	RT_FAIL_NONE = 0,
	RT_FAIL_RUNTIME = 125,
	RT_FAIL_NOEXEC = 126,
	RT_FAIL_NOTFOUND = 127,
};

struct rt_container {
	pid_t pid;     /* in the caller's pid namespace */
	int pidfd;     /* -1 once closed */
	int stdin_fd;  /* write end (RT_STDIO_PIPE with open_stdin) or -1 */
	int stdout_fd; /* read ends (RT_STDIO_PIPE) or -1 */
	int stderr_fd;
	int tty_master;		       /* RT_STDIO_TTY or -1 */
	unsigned long long start_time; /* /proc/<pid>/stat starttime, detects pid reuse */
	struct rt_cgroup *cgroup;
	int netns_fd; /* its network namespace, -1 with the host's */
	enum rt_start_failure failure;
	/* private */
	int sync_fd;  /* write end: "C" (cgroups ready, sent by rt_create), "go" */
	int error_fd; /* read end: error report, EOF on successful execve */
	int tty_sock; /* receives the pty master */
};

/* An rt_container that holds nothing (pid and fds -1): safe to release. */
void rt_container_init(struct rt_container *ctr);
/* Check a spec before anything is created (bind sources exist, targets absolute, ...). */
int rt_spec_validate(const struct rt_spec *spec, struct gk_err *err);

/* Create the per-container directories, clone, cgroup. On failure nothing it
 * made is left behind (upper/, work/, merged/; state_dir and run_dir
 * themselves stay: they hold the caller's files). */
int rt_create(const struct rt_spec *spec, struct rt_container *ctr, struct gk_err *err);
/* Let it run. On failure ctr->failure says which exit code Docker would use;
 * the process has exited (the caller still reaps it). */
int rt_start(struct rt_container *ctr, struct gk_err *err);
/* Close the caller's fds of the container (not the pidfd). */
void rt_container_close_stdio(struct rt_container *ctr);
/* Close everything, free the cgroup handle (the cgroup stays). */
void rt_container_release(struct rt_container *ctr);

/* Wait (blocking) for the process to exit; returns Docker's exit code
 * (status, or 128+signal). */
int rt_wait(struct rt_container *ctr, struct gk_err *err);
int rt_wait_status_code(int code, int status);

/* Remove the per-container directories and the cgroup (killing what is left
 * in it). cgroup may be NULL: it is opened by id. */
int rt_delete(const char *cgroup_root, const char *id, const char *state_dir, struct gk_err *err);

/* The /proc/<pid>/stat starttime field, 0 when the process is gone. */
unsigned long long rt_proc_start_time(pid_t pid);
/* 1 when pid is alive and still the process that started at start_time. */
int rt_proc_alive(pid_t pid, unsigned long long start_time);

/* Exec into a running container (see rt_exec_spec). */
struct rt_exec_spec {
	pid_t pid; /* container's PID 1 (caller's namespace) */
	unsigned long long start_time;
	const char *id; /* for the cgroup */
	const char *cgroup_root;
	char **argv;
	char **env;
	const char *cwd;
	const char *user;
	int tty; /* pty from the container's devpts; master in *tty_master */
	unsigned short tty_rows, tty_cols; /* its initial window size, 0: none */
	int stdin_null;			   /* stdin from /dev/null */
	/* !tty: 1 when the command's fd i is a new pipe (its other end in
	 * rt_exec's pipes[i]) instead of the caller's fd i, as RT_STDIO_FD_PIPE */
	int stdio_pipe[3];
	const char *seccomp_cache_dir; /* compiled filters (see rt_spec), or NULL */
	struct rt_security security;
};
/* Forks a process that joins the container and runs argv; returns its pid
 * (its exit code is the command's, 126/127 as Docker when it cannot run).
 * With tty, *tty_master receives the pty master. pipes[] receives the
 * caller's ends of the RT_STDIO_FD_PIPE pipes (stdin: write end), -1 for
 * the others. When the command cannot start, returns -1 with *failure set
 * (126/127/125); the pid is reaped. */
int rt_exec(const struct rt_exec_spec *spec, pid_t *pid, int *tty_master, int pipes[3],
	    enum rt_start_failure *failure, struct gk_err *err);

/* Docker's "executable file not found" wording for failures before execve. */
#define RT_EXEC_NOTFOUND_FMT "exec: \"%s\": executable file not found in $PATH"

#endif
