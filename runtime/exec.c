#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/container.h"
#include "runtime/proc.h"

/* Joined all at once through the pidfd. */
#define JOIN_NS                                                                                    \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWCGROUP)

static rlim_t parse_rlim(const char *s)
{
	return strcmp(s, "unlimited") ? (rlim_t)strtoull(s, NULL, 10) : RLIM_INFINITY;
}

/* Take the resource limits of the container's first process, as Docker's
 * exec runs with the container's: not those of whichever shell runs `gocker
 * exec`. Read from /proc/PID/limits (prlimit() on a process of another user
 * needs CAP_SYS_RESOURCE): a header, then one line per RLIMIT_* in order,
 * the name in 25 columns. Without CAP_SYS_RESOURCE a hard limit cannot go
 * above ours: those stay at ours. */
static void copy_rlimits(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f || !fgets(line, sizeof(line), f))
		return;
	for (int r = 0; r < RLIM_NLIMITS && fgets(line, sizeof(line), f); r++) {
		char soft[32], hard[32];
		if (strlen(line) < 26 || sscanf(line + 26, "%31s %31s", soft, hard) != 2)
			continue;
		struct rlimit want = {parse_rlim(soft), parse_rlim(hard)}, have;
		if (setrlimit(r, &want) == 0 || getrlimit(r, &have) < 0)
			continue;
		if (want.rlim_max > have.rlim_max)
			want.rlim_max = have.rlim_max;
		if (want.rlim_cur > want.rlim_max)
			want.rlim_cur = want.rlim_max;
		setrlimit(r, &want);
	}
}

static void close_fds(int fds[3])
{
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(gk_steal_fd(fds[i]));
}

/* The relay: the first fork joins the container, forks the command into its
 * pid namespace, forwards signals to it and exits with its status. */
static void __attribute__((noreturn))
exec_relay(const struct rt_exec_spec *spec, int pidfd, struct rt_cgroup *cg, int in_v2, int efd,
	   int tty_sock, int child_ends[3])
{
	struct gk_err err = {0};
	prctl(PR_SET_DUMPABLE, 0);
	if (cg && (in_v2 ? rt_cgroup_join_self_v1(cg, &err)
			 : rt_cgroup_add_pid(cg, getpid(), &err)) < 0) {
		struct rt_child_report rep = {.code = RT_FAIL_RUNTIME};
		snprintf(rep.msg, sizeof(rep.msg), "join the cgroup: %.900s", err.msg);
		(void)!write(efd, &rep, sizeof(rep));
		_exit(RT_FAIL_RUNTIME);
	}
	/* The filter, from the cache while the host's paths are still ours. */
	void *bpf = NULL;
	size_t bpf_len = 0;
	if (!spec->security.privileged &&
	    rt_seccomp_filter_cached(&spec->security, spec->seccomp_cache_dir, &bpf, &bpf_len,
				     &err) < 0) {
		struct rt_child_report rep = {.code = RT_FAIL_RUNTIME};
		snprintf(rep.msg, sizeof(rep.msg), "%.1000s", err.msg);
		(void)!write(efd, &rep, sizeof(rep));
		_exit(RT_FAIL_RUNTIME);
	}
	copy_rlimits(spec->pid); /* while /proc is still the host's */
	if (setns(pidfd, JOIN_NS) < 0) {
		struct rt_child_report rep = {.code = RT_FAIL_RUNTIME};
		snprintf(rep.msg, sizeof(rep.msg), "join the container's namespaces: %s",
			 strerror(errno));
		(void)!write(efd, &rep, sizeof(rep));
		_exit(RT_FAIL_RUNTIME);
	}
	close(pidfd);
	if (chdir("/") < 0)
		_exit(RT_FAIL_RUNTIME);
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t child = fork();
	if (child < 0)
		_exit(RT_FAIL_RUNTIME);
	if (child == 0) {
		if (spec->tty) {
			if (rt_setup_tty(tty_sock, spec->tty_rows, spec->tty_cols, &err) < 0) {
				struct rt_child_report rep = {.code = RT_FAIL_RUNTIME};
				snprintf(rep.msg, sizeof(rep.msg), "%.1000s", err.msg);
				(void)!write(efd, &rep, sizeof(rep));
				_exit(RT_FAIL_RUNTIME);
			}
			close(tty_sock);
		} else {
			/* Out of the caller's session, as the container's first
			 * process: no TIOCSTI into the caller's terminal. */
			if (setsid() < 0) {
				struct rt_child_report rep = {.code = RT_FAIL_RUNTIME};
				snprintf(rep.msg, sizeof(rep.msg), "setsid: %s", strerror(errno));
				(void)!write(efd, &rep, sizeof(rep));
				_exit(RT_FAIL_RUNTIME);
			}
			for (int i = 0; i < 3; i++)
				if (child_ends[i] >= 0)
					dup2(child_ends[i], i);
			if (spec->stdin_null) {
				int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
				if (nul >= 0) {
					dup2(nul, 0);
					close(nul);
				}
			}
		}
		struct rt_proc_spec ps = {
		    .argv = spec->argv,
		    .env = spec->env,
		    .cwd = spec->cwd,
		    .user = spec->user,
		    .security = &spec->security,
		    .seccomp_bpf = bpf,
		    .seccomp_len = bpf_len,
		};
		rt_proc_exec(&ps, efd);
	}
	close(efd);
	if (tty_sock >= 0)
		close(tty_sock);
	/* Only the command may hold them: its exit is then their EOF. */
	close_fds(child_ends);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int status;
		pid_t p = waitpid(child, &status, WNOHANG);
		if (p == child)
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
}

/* The pipes asked for by spec->stdio_pipe (see RT_STDIO_FD_PIPE). */
static int make_pipes(const struct rt_exec_spec *spec, int child_ends[3], int pipes[3],
		      struct gk_err *err)
{
	for (int i = 0; i < 3; i++) {
		int p[2];
		if (spec->tty || !spec->stdio_pipe[i])
			continue;
		if (pipe2(p, O_CLOEXEC) < 0) {
			int e = errno;
			close_fds(child_ends);
			close_fds(pipes);
			return gk_err_set(err, e, "pipe");
		}
		child_ends[i] = p[i == 0 ? 0 : 1];
		pipes[i] = p[i == 0 ? 1 : 0];
	}
	return 0;
}

int rt_exec(const struct rt_exec_spec *spec, pid_t *pid, int *tty_master, int pipes[3],
	    enum rt_start_failure *failure, struct gk_err *err)
{
	*pid = -1;
	*failure = RT_FAIL_RUNTIME;
	if (tty_master)
		*tty_master = -1;
	int child_ends[3] = {-1, -1, -1};
	for (int i = 0; i < 3; i++)
		pipes[i] = -1;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, spec->pid, 0);
	if (pidfd < 0 || !rt_proc_alive(spec->pid, spec->start_time))
		return gk_err_set(err, 0, "container %s is not running", spec->id);
	struct rt_cgroup *cg = NULL;
	if (rt_cgroup_open(spec->cgroup_root, spec->id, &cg, err) < 0)
		return gk_err_wrap(err, "container %s", spec->id);
	int ep[2], sock[2] = {-1, -1};
	if (pipe2(ep, O_CLOEXEC) < 0) {
		rt_cgroup_free(cg);
		return gk_err_set(err, errno, "pipe");
	}
	if (spec->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) {
		close(ep[0]);
		close(ep[1]);
		rt_cgroup_free(cg);
		return gk_err_set(err, errno, "socketpair");
	}
	if (make_pipes(spec, child_ends, pipes, err) < 0) {
		close(ep[0]);
		close(ep[1]);
		if (sock[0] >= 0) {
			close(sock[0]);
			close(sock[1]);
		}
		rt_cgroup_free(cg);
		return -1;
	}
	/* The relay starts in the cgroup2 directory and moves itself into the
	 * v1 hierarchies: no cgroup.procs write, which waits for RCU. */
	/* Without the fd the relay joins by cgroup.procs, which fails loudly. */
	struct gk_err ignored;
	int cgfd;
	rt_cgroup_v2_fd(cg, &cgfd, &ignored);
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	if (cgfd >= 0) {
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	pid_t child = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (child < 0 && cgfd >= 0) {
		close(cgfd);
		cgfd = -1;
		child = fork();
	}
	int in_v2 = cgfd >= 0;
	if (cgfd >= 0)
		close(cgfd);
	if (child == 0) {
		close(ep[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		close_fds(pipes); /* the relay never execs: they would stay open */
		exec_relay(spec, pidfd, cg, in_v2, ep[1], sock[1], child_ends);
	}
	rt_cgroup_free(cg);
	close(ep[1]);
	if (sock[1] >= 0)
		close(sock[1]);
	close_fds(child_ends);
	if (child < 0) {
		close(ep[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		close_fds(pipes); /* close() of an open fd leaves errno alone */
		return gk_err_set(err, errno, "fork");
	}
	if (spec->tty) {
		int m = rt_recv_fd(sock[0]);
		close(sock[0]);
		if (tty_master)
			*tty_master = m;
		else if (m >= 0)
			close(m);
	}
	int rc = rt_read_report(ep[0], failure, err);
	close(ep[0]);
	if (rc < 0) {
		int status;
		waitpid(child, &status, 0);
		if (tty_master && *tty_master >= 0) {
			close(*tty_master);
			*tty_master = -1;
		}
		close_fds(pipes);
		return -1;
	}
	*failure = RT_FAIL_NONE;
	*pid = child;
	return 0;
}
