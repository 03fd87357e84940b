/* The last steps of every process gocker starts inside a container (the
 * container's first process and exec'd ones): user, capabilities,
 * no_new_privs, working directory, closed fds, seccomp, execve. Failures are
 * reported to the parent through an error pipe, as Docker words them. */
#ifndef RT_PROC_H
#define RT_PROC_H

#include <sys/types.h>

#include "common/err.h"
#include "runtime/container.h"
#include "runtime/security.h"

/* What the child writes on its error pipe before it exits. */
struct rt_child_report {
	int code; /* enum rt_start_failure */
	char msg[1024];
};

struct rt_proc_spec {
	char **argv;
	char **env;
	const char *cwd;
	const char *user;
	const struct rt_security *security;
	int mask_paths;		 /* the container's first process: mask Docker's paths */
	int init;		 /* fork the command under the built-in init */
	int pdeathsig;		 /* die with the parent (the container's first process) */
	int create_cwd;		 /* make a missing cwd (run -w, as Docker; exec does not) */
	const void *seccomp_bpf; /* precompiled default filter, or NULL: compile it */
	size_t seccomp_len;
};

/* Never returns: execve or report on `error_fd` and _exit. */
void rt_proc_exec(const struct rt_proc_spec *ps, int error_fd) __attribute__((noreturn));

/* The default seccomp filter for `sec`, compiled, from (or into) the cache
 * directory (NULL: no cache). Call while the host's paths are visible. */
int rt_seccomp_filter_cached(const struct rt_security *sec, const char *cache_dir, void **bpf,
			     size_t *len, struct gk_err *err);

/* Read a child report: 0 on EOF (execve succeeded), -1 with err and *failure. */
int rt_read_report(int fd, enum rt_start_failure *failure, struct gk_err *err);

/* pty from /dev/pts/ptmx of the current root, sized rows x cols (when not
 * 0) before the command can ask; the master goes over `sock`, the slave
 * becomes the controlling terminal and fds 0-2. */
int rt_setup_tty(int sock, unsigned short rows, unsigned short cols, struct gk_err *err);
/* Receive one fd sent with SCM_RIGHTS; -1 when none came. */
int rt_recv_fd(int sock);

/* Resolve argv0 through PATH (from env, or Docker's default) inside the
 * current root. Returns a malloc'd path or NULL with err (127 wording). */
char *rt_lookup_path(const char *argv0, char **env, struct gk_err *err);

#endif
