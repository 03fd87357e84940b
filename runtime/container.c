#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "runtime/init.h"
#include "runtime/proc.h"
#include "runtime/rootfs.h"
#include "runtime/user.h"

int rt_spec_validate(const struct rt_spec *spec, struct gk_err *err)
{
	if (!spec->state_dir || !spec->run_dir)
		return gk_err_set(err, 0, "container spec without state_dir or run_dir");
	if (!spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return gk_err_set(err, 0, "no command specified");
	if (spec->cwd && spec->cwd[0] != '/')
		return gk_err_set(err, 0,
				  "the working directory '%s' is invalid, it needs to be an "
				  "absolute path",
				  spec->cwd);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct rt_mount *m = &spec->mounts[i];
		if (!m->target || m->target[0] != '/')
			return gk_err_set(err, 0, "invalid mount target %s: not an absolute path",
					  m->target ? m->target : "");
		if (!strcmp(m->target, "/"))
			return gk_err_set(err, 0,
					  "invalid mount target /: cannot mount over the root");
		if (m->tmpfs || m->volume)
			continue;
		if (!m->source || m->source[0] != '/')
			return gk_err_set(err, 0, "invalid bind source %s: not an absolute path",
					  m->source ? m->source : "");
		struct stat st;
		if (stat(m->source, &st) < 0)
			return gk_err_set(
			    err, errno, "invalid mount config: bind source path does not exist: %s",
			    m->source);
	}
	return 0;
}

/* ---- the container's first process ---- */

struct child_fds {
	struct rt_cgroup *cgroup;
	const char *top_lower; /* see rt_rootfs_mountpoints() */
	int sync_rd;
	int error_wr;
	int tty_sock;
	int stdio[3];
};

/* Report a failure to the parent through the error pipe and exit with the
 * code Docker would use. Never returns. */
static void __attribute__((noreturn)) child_fail(int fd, int code, const struct gk_err *err)
{
	struct rt_child_report rep = {.code = code};
	snprintf(rep.msg, sizeof(rep.msg), "%.1000s", err->msg);
	if (write(fd, &rep, sizeof(rep)) < 0) {
		/* nothing more we can do */
	}
	_exit(code);
}

/* sendmsg of `iov` with `fd` attached (SCM_RIGHTS), none when it is -1:
 * the bytes sent, or -1. */
static ssize_t send_with_fd(int sock, struct iovec *iov, size_t n_iov, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof(u));
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n_iov};
	if (fd >= 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

/* One byte into *byte, and the fd sent with it into *fd (-1: none): 1, or
 * what recvmsg returned (0 at EOF, -1 on an error). */
static int recv_byte_fd(int sock, char *byte, int *fd)
{
	struct iovec iov = {.iov_base = byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	*fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = n == 1 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n == 1 ? 1 : (int)n;
}

static int send_fd(int sock, int fd)
{
	char byte = 'T';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	return send_with_fd(sock, &iov, 1, fd) < 0 ? -1 : 0;
}

int rt_recv_fd(int sock)
{
	char byte;
	int fd;
	return recv_byte_fd(sock, &byte, &fd) == 1 ? fd : -1;
}

/* Open a pty from the devpts mounted at /dev/pts of the current root, hand the
 * master to the parent and make the slave our controlling terminal on 0-2. */
int rt_setup_tty(int sock, unsigned short rows, unsigned short cols, struct gk_err *err)
{
	_cleanup_close_ int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return gk_err_set(err, errno, "open /dev/pts/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return gk_err_set(err, errno, "unlock pty");
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return gk_err_set(err, errno, "open the pty slave");
	struct winsize ws = {.ws_row = rows, .ws_col = cols};
	if (rows && cols)
		ioctl(slave, TIOCSWINSZ, &ws);
	if (send_fd(sock, master) < 0)
		return gk_err_set(err, errno, "send the pty master");
	if (setsid() < 0)
		return gk_err_set(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return gk_err_set(err, errno, "set the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return gk_err_set(err, errno, "dup2 the pty");
	return 0;
}

static void child_stdio(const struct rt_spec *spec, struct child_fds *fds)
{
	if (spec->stdio == RT_STDIO_TTY)
		return;
	for (int i = 0; i < 3; i++) {
		if (fds->stdio[i] < 0)
			continue;
		if (fds->stdio[i] == i)
			fcntl(i, F_SETFD, 0);
		else
			dup2(fds->stdio[i], i);
	}
}

/* The compiled default filter is cached per capability set and gocker
 * binary (compiling it costs tens of milliseconds of CPU): a root-owned 0600
 * file in the spec's cache directory. */
static char *seccomp_cache_path(const char *dir, uint64_t caps)
{
	struct stat st;
	if (!dir || stat("/proc/self/exe", &st) < 0)
		return NULL;
	return gk_strdup_printf("%s/%016llx-%llx-%llx-%llx-%lld.bpf", dir, (unsigned long long)caps,
				(unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
				(unsigned long long)st.st_size, (long long)st.st_mtime);
}

static int seccomp_cache_read(const char *path, void **bpf, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) || st.st_size <= 0 || st.st_size > 1 << 20 || st.st_size % 8)
		return -1;
	*bpf = gk_malloc0((size_t)st.st_size);
	if (read(fd, *bpf, (size_t)st.st_size) != st.st_size) {
		free(*bpf);
		*bpf = NULL;
		return -1;
	}
	*len = (size_t)st.st_size;
	return 0;
}

static void seccomp_cache_write(const char *dir, const char *path, const void *bpf, size_t len)
{
	struct gk_err ignored;
	if (gk_mkdir_p(dir, 0700, &ignored) < 0)
		return;
	_cleanup_free_ char *tmp = gk_strdup_printf("%s.tmp-%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	int ok = write(fd, bpf, len) == (ssize_t)len;
	close(fd);
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
}

int rt_seccomp_filter_cached(const struct rt_security *sec, const char *cache_dir, void **bpf,
			     size_t *len, struct gk_err *err)
{
	uint64_t caps;
	if (rt_caps_compute(sec, &caps, err) < 0)
		return -1;
	_cleanup_free_ char *path = seccomp_cache_path(cache_dir, caps);
	if (path && seccomp_cache_read(path, bpf, len) == 0)
		return 0;
	if (rt_seccomp_compile_default(caps, bpf, len, err) < 0)
		return -1;
	if (path)
		seccomp_cache_write(cache_dir, path, *bpf, *len);
	return 0;
}

/* What rt_create sends once the cgroup is complete: "C" with the network
 * namespace to join (SCM_RIGHTS; none with the host's), then the seccomp
 * filter's length and bytes (0: none, --privileged). */
static int send_ready(int sock, int netns_fd, const void *bpf, size_t len)
{
	struct iovec iov[3] = {
	    {.iov_base = "C", .iov_len = 1},
	    {.iov_base = &len, .iov_len = sizeof(len)},
	    {.iov_base = (void *)(uintptr_t)bpf, .iov_len = len},
	};
	return send_with_fd(sock, iov, 3, netns_fd) == (ssize_t)(1 + sizeof(len) + len) ? 0 : -1;
}

/* Up to `len` bytes, fewer only at EOF or on an error: how many were read. */
static size_t read_upto(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* "C" and the network namespace it carries (*netns_fd, -1 without one). */
static int recv_ready(int sock, int *netns_fd, void **bpf, size_t *len)
{
	char c = 0;
	if (recv_byte_fd(sock, &c, netns_fd) != 1 || c != 'C' ||
	    read_upto(sock, len, sizeof(*len)) != sizeof(*len) || *len > 1 << 20)
		return -1;
	*bpf = *len ? gk_malloc0(*len) : NULL;
	return read_upto(sock, *bpf, *len) == *len ? 0 : -1;
}

/* Everything from the clone to execve. */
static void __attribute__((noreturn)) child_main(const struct rt_spec *spec, struct child_fds *fds)
{
	struct gk_err err = {0};
	int efd = fds->error_wr;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Non-dumpable until execve: nothing inside may open /proc/<pid>/exe or
	 * our memory while we still run host code (CVE-2019-5736). */
	prctl(PR_SET_DUMPABLE, 0);
	umask(0);
	child_stdio(spec, fds);
	/* The new root's own filesystems while the parent makes the v1 cgroup
	 * directories, writes the limits, makes the network namespace and reads
	 * the seccomp filter; then into that namespace and those directories
	 * (the v2 one came with the clone) before /sys and the cgroup tree are
	 * mounted. */
	if (rt_rootfs_prepare(spec, fds->top_lower, &err) < 0)
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	void *bpf = NULL;
	size_t bpf_len = 0;
	int netns = -1;
	if (recv_ready(fds->sync_rd, &netns, &bpf, &bpf_len) < 0)
		_exit(RT_FAIL_RUNTIME); /* the parent gave up */
	/* before /sys is mounted: sysfs shows the mounter's network namespace */
	if (netns >= 0 && setns(netns, CLONE_NEWNET) < 0) {
		gk_err_set(&err, errno, "join the network namespace");
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	}
	if (rt_cgroup_join_self_v1(fds->cgroup, &err) < 0 ||
	    rt_rootfs_finish(spec, fds->cgroup, &err) < 0)
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	const char *hostname = spec->hostname;
	char shortid[13];
	if (!hostname) {
		snprintf(shortid, sizeof(shortid), "%.12s", spec->id);
		hostname = shortid;
	}
	if (sethostname(hostname, strlen(hostname)) < 0) {
		gk_err_set(&err, errno, "sethostname %s", hostname);
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	}
	if (spec->stdio == RT_STDIO_TTY) {
		if (rt_setup_tty(fds->tty_sock, spec->tty_rows, spec->tty_cols, &err) < 0)
			child_fail(efd, RT_FAIL_RUNTIME, &err);
		close(fds->tty_sock);
	} else {
		/* Out of the caller's session: a terminal passed on as stdio is
		 * then not our controlling terminal, and TIOCSTI cannot type
		 * commands into the caller's shell. gocker forwards signals. */
		if (setsid() < 0) {
			gk_err_set(&err, errno, "setsid");
			child_fail(efd, RT_FAIL_RUNTIME, &err);
		}
		if (fds->stdio[0] < 0 && spec->stdio == RT_STDIO_INHERIT) {
			int nul = open("/dev/null", O_RDONLY);
			if (nul >= 0 && nul != 0) {
				dup2(nul, 0);
				close(nul);
			}
		}
	}
	if (!spec->security.privileged && rt_mask_paths(&err) < 0)
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	char go;
	if (read(fds->sync_rd, &go, 1) != 1)
		_exit(RT_FAIL_RUNTIME); /* the parent gave up */
	close(fds->sync_rd);
	/* In our cgroup now: it becomes the root of our cgroup namespace. */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		gk_err_set(&err, errno, "unshare the cgroup namespace");
		child_fail(efd, RT_FAIL_RUNTIME, &err);
	}
	struct rt_proc_spec ps = {
	    .argv = spec->argv,
	    .env = spec->env,
	    .cwd = spec->cwd,
	    .user = spec->user,
	    .security = &spec->security,
	    .init = spec->init,
	    .pdeathsig = 1,
	    .create_cwd = 1,
	    .seccomp_bpf = bpf,
	    .seccomp_len = bpf_len,
	};
	rt_proc_exec(&ps, efd);
}

/* The container's network namespace, made here after the clone, while the
 * process mounts its root: a new namespace costs about half a millisecond
 * of kernel work (every per-namespace subsystem starts up), which
 * CLONE_NEWNET would put before the process even starts. We step into it
 * only to take an fd, and straight back. */
static int netns_create(struct gk_err *err)
{
	_cleanup_close_ int ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ours < 0)
		return gk_err_set(err, errno, "open /proc/self/ns/net");
	if (unshare(CLONE_NEWNET) < 0)
		return gk_err_set(err, errno, "create a network namespace");
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int saved = errno;
	/* Going back into our own namespace needs nothing the unshare did not;
	 * carrying on in the container's instead would be far worse than a
	 * crash. */
	if (setns(ours, CLONE_NEWNET) < 0)
		abort();
	if (fd < 0)
		return gk_err_set(err, saved, "open the new network namespace");
	return fd;
}

static pid_t clone3_pidfd(unsigned long long flags, int cgroup_fd, int *pidfd)
{
	struct clone_args args;
	memset(&args, 0, sizeof(args));
	args.flags = flags | CLONE_PIDFD;
	args.pidfd = (uint64_t)(uintptr_t)pidfd;
	args.exit_signal = SIGCHLD;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void rt_container_init(struct rt_container *ctr)
{
	memset(ctr, 0, sizeof(*ctr));
	ctr->pid = -1;
	ctr->pidfd = ctr->stdin_fd = ctr->stdout_fd = ctr->stderr_fd = ctr->tty_master = -1;
	ctr->netns_fd = -1;
	ctr->sync_fd = ctr->error_fd = ctr->tty_sock = -1;
}

static int make_dir(const char *parent, const char *name, struct gk_err *err)
{
	_cleanup_free_ char *d = gk_strdup_printf("%s/%s", parent, name);
	if (mkdir(d, 0755) < 0 && errno != EEXIST)
		return gk_err_set(err, errno, "mkdir %s", d);
	return 0;
}

static int make_dirs(const struct rt_spec *spec, struct gk_err *err)
{
	if (gk_mkdir_p(spec->state_dir, 0710, err) < 0 ||
	    make_dir(spec->state_dir, "upper", err) < 0 ||
	    make_dir(spec->state_dir, "work", err) < 0 ||
	    gk_mkdir_p(spec->run_dir, 0700, err) < 0 || make_dir(spec->run_dir, "merged", err) < 0)
		return -1;
	return 0;
}

/* Remove and forget the cgroup of a container that never ran. */
static void drop_cgroup(struct rt_container *ctr)
{
	struct gk_err ignored;
	rt_cgroup_destroy(ctr->cgroup, &ignored);
	rt_cgroup_free(ctr->cgroup);
	ctr->cgroup = NULL;
}

/* Only what make_dirs() made inside them: state_dir and run_dir belong to
 * the caller (config.json, the log, state.json), whose container stays
 * listed, in state "created", until it is removed. */
static void remove_dirs(const struct rt_spec *spec)
{
	struct gk_err ignored;
	static const char *const made[] = {"upper", "work"};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		_cleanup_free_ char *d = gk_strdup_printf("%s/%s", spec->state_dir, made[i]);
		gk_remove_tree(d, &ignored);
	}
	_cleanup_free_ char *merged = gk_strdup_printf("%s/merged", spec->run_dir);
	rmdir(merged);
}

int rt_create(const struct rt_spec *spec, struct rt_container *ctr, struct gk_err *err)
{
	rt_container_init(ctr);
	if (rt_spec_validate(spec, err) < 0)
		return -1;
	struct child_fds fds = {.sync_rd = -1, .error_wr = -1, .tty_sock = -1};
	if (make_dirs(spec, err) < 0 || rt_rootfs_mountpoints(spec, &fds.top_lower, err) < 0)
		goto fail_dirs;
	int sync_p[2] = {-1, -1}, err_p[2] = {-1, -1}, out_p[2] = {-1, -1}, errout_p[2] = {-1, -1},
	    in_p[2] = {-1, -1}, sock[2] = {-1, -1};
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync_p) < 0 ||
	    pipe2(err_p, O_CLOEXEC) < 0) {
		gk_err_set(err, errno, "pipe");
		goto fail;
	}
	if (spec->stdio == RT_STDIO_PIPE) {
		if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(errout_p, O_CLOEXEC) < 0 ||
		    (spec->open_stdin && pipe2(in_p, O_CLOEXEC) < 0)) {
			gk_err_set(err, errno, "pipe");
			goto fail;
		}
		fds.stdio[0] = in_p[0];
		fds.stdio[1] = out_p[1];
		fds.stdio[2] = errout_p[1];
	} else if (spec->stdio == RT_STDIO_TTY) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0) {
			gk_err_set(err, errno, "socketpair");
			goto fail;
		}
	} else {
		memcpy(fds.stdio, spec->stdio_fds, sizeof(fds.stdio));
		/* A terminal of the caller's, relayed by it through a pipe (the
		 * same pipes as RT_STDIO_PIPE's, handed over the same way). */
		int *pair[3] = {in_p, out_p, errout_p};
		for (int i = 0; i < 3; i++) {
			if (spec->stdio_fds[i] != RT_STDIO_FD_PIPE)
				continue;
			if (pipe2(pair[i], O_CLOEXEC) < 0) {
				gk_err_set(err, errno, "pipe");
				goto fail;
			}
			fds.stdio[i] = pair[i][i == 0 ? 0 : 1];
		}
	}
	if (spec->stdio == RT_STDIO_PIPE && !spec->open_stdin)
		fds.stdio[0] = -1;
	fds.sync_rd = sync_p[0];
	fds.error_wr = err_p[1];
	fds.tty_sock = sock[1];

	/* The cgroup2 directory exists before the process (it is cloned into
	 * it); the rest is made while the process sets up its root. */
	if (rt_cgroup_begin(spec->cgroup_root, spec->id, &spec->limits, &ctr->cgroup, err) < 0)
		goto fail;
	unsigned long long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	fds.cgroup = ctr->cgroup;
	int pidfd = -1;
	int cgfd;
	/* A cgroup2 directory that cannot be opened is an error, not pure v1:
	 * the process would run outside it (on a pure-v2 host, unlimited). */
	if (rt_cgroup_v2_fd(ctr->cgroup, &cgfd, err) < 0) {
		drop_cgroup(ctr);
		goto fail;
	}
	pid_t pid = clone3_pidfd(flags, cgfd, &pidfd);
	int joined_v2 = cgfd < 0 || pid >= 0;
	if (pid < 0 && cgfd >= 0) /* a kernel without CLONE_INTO_CGROUP */
		pid = clone3_pidfd(flags, -1, &pidfd);
	if (cgfd >= 0)
		close(cgfd);
	if (pid < 0) {
		gk_err_set(err, errno, "clone the container process");
		drop_cgroup(ctr);
		goto fail;
	}
	if (pid == 0) {
		close(sync_p[1]);
		close(err_p[0]);
		if (sock[0] >= 0)
			close(sock[0]);
		child_main(spec, &fds);
	}
	ctr->pid = pid;
	ctr->pidfd = pidfd;
	ctr->sync_fd = sync_p[1];
	ctr->error_fd = err_p[0];
	ctr->tty_sock = sock[0];
	ctr->stdin_fd = in_p[1];
	ctr->stdout_fd = out_p[0];
	ctr->stderr_fd = errout_p[0];
	close_fd(&sync_p[0]);
	close_fd(&err_p[1]);
	close_fd(&sock[1]);
	close_fd(&in_p[0]);
	close_fd(&out_p[1]);
	close_fd(&errout_p[1]);
	ctr->start_time = rt_proc_start_time(pid);

	/* The child joins the v1 hierarchies itself once we say they are
	 * ready; only without CLONE_INTO_CGROUP do we move it, the slow way. */
	if (rt_cgroup_complete(ctr->cgroup, &spec->limits, err) < 0 ||
	    (!joined_v2 && rt_cgroup_add_pid(ctr->cgroup, pid, err) < 0))
		goto fail_child;
	if (spec->network != RT_NET_HOST && (ctr->netns_fd = netns_create(err)) < 0)
		goto fail_child;
	void *bpf = NULL;
	size_t bpf_len = 0;
	if (!spec->security.privileged &&
	    rt_seccomp_filter_cached(&spec->security, spec->seccomp_cache_dir, &bpf, &bpf_len,
				     err) < 0)
		goto fail_child;
	int sent = send_ready(ctr->sync_fd, ctr->netns_fd, bpf, bpf_len);
	free(bpf);
	if (sent < 0) {
		gk_err_set(err, errno, "start the container process");
		goto fail_child;
	}
	return 0;

fail_child:
	syscall(SYS_pidfd_send_signal, ctr->pidfd, SIGKILL, NULL, 0);
	waitpid(ctr->pid, NULL, 0);
	{
		/* A setup failure of the child explains it better. */
		enum rt_start_failure ignored_failure;
		struct gk_err child_err = {0};
		if (rt_read_report(ctr->error_fd, &ignored_failure, &child_err) < 0 &&
		    child_err.msg[0])
			*err = child_err;
	}
	if (ctr->cgroup) {
		struct gk_err ignored;
		rt_cgroup_destroy(ctr->cgroup, &ignored);
	}
	rt_container_release(ctr);
	goto fail_dirs;
fail:
	for (int *p = sync_p; p < sync_p + 2; p++)
		close_fd(p);
	close_fd(&err_p[0]);
	close_fd(&err_p[1]);
	close_fd(&out_p[0]);
	close_fd(&out_p[1]);
	close_fd(&errout_p[0]);
	close_fd(&errout_p[1]);
	close_fd(&in_p[0]);
	close_fd(&in_p[1]);
	close_fd(&sock[0]);
	close_fd(&sock[1]);
fail_dirs:
	remove_dirs(spec);
	return -1;
}

int rt_read_report(int fd, enum rt_start_failure *failure, struct gk_err *err)
{
	struct rt_child_report rep;
	size_t got = read_upto(fd, &rep, sizeof(rep));
	if (got == 0)
		return 0; /* EOF: execve succeeded */
	if (got < sizeof(rep))
		return gk_err_set(err, 0, "container process died during setup");
	rep.msg[sizeof(rep.msg) - 1] = '\0';
	*failure = rep.code;
	if (rep.code == RT_FAIL_RUNTIME)
		return gk_err_set(err, 0, "%s", rep.msg);
	return gk_err_set(err, 0,
			  "failed to create task for container: unable to start container "
			  "process: %s",
			  rep.msg);
}

int rt_start(struct rt_container *ctr, struct gk_err *err)
{
	ctr->failure = RT_FAIL_NONE;
	if (send(ctr->sync_fd, "G", 1, MSG_NOSIGNAL) != 1) {
		/* It died during setup: its report says why. */
		enum rt_start_failure failure = RT_FAIL_RUNTIME;
		if (rt_read_report(ctr->error_fd, &failure, err) == 0)
			gk_err_set(err, errno, "start the container process");
		ctr->failure = failure;
		close_fd(&ctr->error_fd);
		return -1;
	}
	close_fd(&ctr->sync_fd);
	if (ctr->tty_sock >= 0) {
		ctr->tty_master = rt_recv_fd(ctr->tty_sock);
		close_fd(&ctr->tty_sock);
	}
	enum rt_start_failure failure = RT_FAIL_RUNTIME;
	int rc = rt_read_report(ctr->error_fd, &failure, err);
	close_fd(&ctr->error_fd);
	if (rc < 0) {
		ctr->failure = failure;
		return -1;
	}
	return 0;
}

void rt_container_close_stdio(struct rt_container *ctr)
{
	close_fd(&ctr->stdin_fd);
	close_fd(&ctr->stdout_fd);
	close_fd(&ctr->stderr_fd);
	close_fd(&ctr->tty_master);
}

void rt_container_release(struct rt_container *ctr)
{
	rt_container_close_stdio(ctr);
	close_fd(&ctr->pidfd);
	close_fd(&ctr->netns_fd);
	close_fd(&ctr->sync_fd);
	close_fd(&ctr->error_fd);
	close_fd(&ctr->tty_sock);
	if (ctr->cgroup)
		rt_cgroup_free(ctr->cgroup);
	ctr->cgroup = NULL;
}

int rt_wait(struct rt_container *ctr, struct gk_err *err)
{
	siginfo_t si;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)ctr->pid, &si, WEXITED) == 0)
			break;
		if (errno != EINTR)
			return gk_err_set(err, errno, "wait for container process %d", ctr->pid);
	}
	return rt_wait_status_code(si.si_code, si.si_status);
}

int rt_delete(const char *cgroup_root, const char *id, const char *state_dir, struct gk_err *err)
{
	struct rt_cgroup *cg = NULL;
	if (rt_cgroup_open(cgroup_root, id, &cg, err) == 0) {
		int rc = rt_cgroup_destroy(cg, err);
		rt_cgroup_free(cg);
		if (rc < 0)
			return -1;
	}
	gk_err_clear(err);
	if (state_dir && gk_remove_tree(state_dir, err) < 0)
		return -1;
	return 0;
}

unsigned long long rt_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* Fields after the last ')' (the command may contain spaces and parens). */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2;
	/* state is field 3; starttime is field 22. */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return 0;
	char state = buf[strrchr(buf, ')') - buf + 2];
	if (state == 'Z' || state == 'X')
		return 0;
	return strtoull(p, NULL, 10);
}

int rt_proc_alive(pid_t pid, unsigned long long start_time)
{
	if (pid <= 0)
		return 0;
	unsigned long long st = rt_proc_start_time(pid);
	return st != 0 && st == start_time;
}
