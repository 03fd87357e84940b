/* The default seccomp filter (libseccomp), modelled on Docker's default
 * profile (moby profiles/seccomp/default.json): default EPERM, a big
 * allowlist, and groups allowed only with a given capability. Differences
 * from Docker: io_uring_* and socket(AF_ALG) are refused too, and 32-bit x86
 * programs cannot create sockets (security floor: no AF_VSOCK, see
 * build_i386()). */
#include "runtime/security.h"

#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/fs.h"

static const char *const allowed[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "capget", "capset", "chdir",
    "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
    "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
    "clock_nanosleep_time64", "close", "close_range", "connect", "copy_file_range", "creat", "dup",
    "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
    "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
    "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
    "futex", "futex_time64", "futex_waitv", "futimesat", "getcpu", "getcwd", "getdents",
    "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
    "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid",
    "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit",
    "get_robust_list", "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area",
    "gettid", "gettimeofday", "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
    "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
    "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod", "mknodat", "mlock",
    "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify", "mq_open",
    "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink",
    "mremap", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
    "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
    "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free",
    "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2",
    "prlimit64", "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev",
    "pwritev2", "read", "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom",
    "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename",
    "renameat", "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending",
    "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
    "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget",
    "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
    "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit",
    "set_robust_list", "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid",
    "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketpair", "splice", "stat", "stat64",
    "statfs", "statfs64", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
    "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
    "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
    "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
    "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid",
    "waitpid", "write", "writev",
    /* Docker: allowed on kernels >= 4.8 (ptrace can no longer bypass seccomp) */
    "process_vm_readv", "process_vm_writev", "ptrace",
    /* x86 only */
    "arch_prctl", "modify_ldt", NULL};

/* Groups Docker allows only when the container holds a capability. */
static const struct {
	int cap;
	const char *names[24];
} cap_groups[] = {
    {CAP_DAC_READ_SEARCH, {"open_by_handle_at"}},
    {CAP_SYS_ADMIN, {"bpf",	      "clone",	       "clone3",      "fanotify_init",	 "fsconfig",
		     "fsmount",	      "fsopen",	       "fspick",      "lookup_dcookie",	 "mount",
		     "mount_setattr", "move_mount",    "open_tree",   "perf_event_open", "quotactl",
		     "quotactl_fd",   "setdomainname", "sethostname", "setns",		 "syslog",
		     "umount",	      "umount2",       "unshare"}},
    {CAP_SYS_BOOT, {"reboot"}},
    {CAP_SYS_CHROOT, {"chroot"}},
    {CAP_SYS_MODULE, {"delete_module", "init_module", "finit_module"}},
    {CAP_SYS_PACCT, {"acct"}},
    {CAP_SYS_PTRACE,
     {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"}},
    {CAP_SYS_RAWIO, {"iopl", "ioperm"}},
    {CAP_SYS_TIME, {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
    {CAP_SYS_TTY_CONFIG, {"vhangup"}},
    {CAP_SYS_NICE, {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}},
    {CAP_SYSLOG, {"syslog"}},
    {CAP_BPF, {"bpf"}},
    {CAP_PERFMON, {"perf_event_open"}},
};

/* CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET */
#define CLONE_NS_FLAGS 0x7E020000ULL
/* Docker's personality values: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query */
static const scmp_datum_t personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
#define AF_ALG_NR   38
#define AF_VSOCK_NR 40
/* socketcall()'s call number for socket() (linux/net.h SYS_SOCKET) */
#define SYS_SOCKET_CALL 1

/* Unknown names (a syscall newer than this libseccomp) are skipped. */
static int allow_name(scmp_filter_ctx ctx, const char *name, struct gk_err *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return 0;
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	if (rc < 0 && rc != -EEXIST)
		return gk_err_set(err, -rc, "seccomp: allow %s", name);
	return 0;
}

/* Whether the kernel runs x32 programs (most distribution kernels are built
 * without it): an x32 getpid. */
static int kernel_has_x32(void)
{
#ifdef __x86_64__
	return syscall(0x40000000 /* __X32_SYSCALL_BIT */ | SYS_getpid) >= 0;
#else
	return 0;
#endif
}

static int add_arches(scmp_filter_ctx ctx, struct gk_err *err)
{
	uint32_t native = seccomp_arch_native();
	uint32_t extra[2] = {0, 0};
	if (native == SCMP_ARCH_X86_64) {
		/* 32-bit x86 comes from build_i386(). x32 rules make the filter a
		 * third longer, and the kernel compiles the whole filter at every
		 * container start: only where they can matter. Elsewhere an x32
		 * syscall gets ENOSYS (the bad-architecture action below), as the
		 * kernel itself would answer. */
		if (kernel_has_x32())
			extra[0] = SCMP_ARCH_X32;
	} else if (native == SCMP_ARCH_AARCH64) {
		extra[0] = SCMP_ARCH_ARM;
	}
	for (int i = 0; i < 2 && extra[i]; i++) {
		int rc = seccomp_arch_add(ctx, extra[i]);
		if (rc < 0 && rc != -EEXIST)
			return gk_err_set(err, -rc, "seccomp: add architecture %#x", extra[i]);
	}
	return 0;
}

/* socket(): every family but AF_ALG (38) and AF_VSOCK (40). */
static int add_socket(scmp_filter_ctx ctx, struct gk_err *err)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				  SCMP_A0(SCMP_CMP_LT, AF_ALG_NR));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_ALG_NR + 1));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_GT, AF_VSOCK_NR));
	if (rc < 0)
		return gk_err_set(err, -rc, "seccomp: socket rules");
	return 0;
}

/* 32-bit x86 reaches socket() through socketcall(SYS_SOCKET) as well, whose
 * family sits in memory the filter cannot read; and libseccomp turns any
 * socket() rule with arguments into "socketcall(SYS_SOCKET): allow", which
 * lets AF_VSOCK and AF_ALG through. So there: every socketcall() but
 * SYS_SOCKET, and no socket() (EPERM either way). */
static int add_socketcall(scmp_filter_ctx ctx, struct gk_err *err)
{
	int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socketcall), 1,
				  SCMP_A0(SCMP_CMP_NE, SYS_SOCKET_CALL));
	if (rc < 0)
		return gk_err_set(err, -rc, "seccomp: socketcall rule");
	return 0;
}

static int add_conditional(scmp_filter_ctx ctx, uint64_t caps, int i386, struct gk_err *err)
{
	int rc;
	if ((i386 ? add_socketcall(ctx, err) : add_socket(ctx, err)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1,
				      SCMP_A0(SCMP_CMP_EQ, personalities[i]));
		if (rc < 0)
			return gk_err_set(err, -rc, "seccomp: personality rules");
	}
	for (size_t g = 0; g < sizeof(cap_groups) / sizeof(cap_groups[0]); g++) {
		if (!(caps & (1ULL << cap_groups[g].cap)))
			continue;
		for (size_t i = 0; cap_groups[g].names[i]; i++)
			if (allow_name(ctx, cap_groups[g].names[i], err) < 0)
				return -1;
	}
	if (caps & (1ULL << CAP_SYS_ADMIN))
		return 0;
	/* Without CAP_SYS_ADMIN: clone only without namespace flags, and clone3
	 * (whose flags sit in memory seccomp cannot read) answers ENOSYS, so libc
	 * falls back to clone. */
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
	if (rc < 0)
		return gk_err_set(err, -rc, "seccomp: clone rule");
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (rc < 0)
		return gk_err_set(err, -rc, "seccomp: clone3 rule");
	return 0;
}

/* The rules for the context's architectures (i386: 32-bit x86 alone). */
static scmp_filter_ctx build_rules(uint64_t caps_mask, int i386, struct gk_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		gk_err_set(err, ENOMEM, "seccomp: init");
		return NULL;
	}
	/* A binary tree of syscall numbers instead of a linear chain: every
	 * syscall of the container runs through this filter. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	int rc = 0;
	if (i386) {
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (rc == 0)
			rc = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
		if (rc < 0) {
			gk_err_set(err, -rc, "seccomp: 32-bit x86 architecture");
			goto fail;
		}
	} else if (add_arches(ctx, err) < 0) {
		goto fail;
	}
	for (size_t i = 0; allowed[i]; i++)
		if (allow_name(ctx, allowed[i], err) < 0)
			goto fail;
	if (add_conditional(ctx, caps_mask, i386, err) < 0)
		goto fail;
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* Docker's default profile as a libseccomp context: on x86-64, the 32-bit
 * x86 rules are built apart (see add_socketcall()) and merged in. */
static scmp_filter_ctx build_default(uint64_t caps_mask, struct gk_err *err)
{
	scmp_filter_ctx ctx = build_rules(caps_mask, 0, err);
	if (!ctx || seccomp_arch_native() != SCMP_ARCH_X86_64)
		return ctx;
	scmp_filter_ctx i386 = build_rules(caps_mask, 1, err);
	if (!i386) {
		seccomp_release(ctx);
		return NULL;
	}
	/* On success the merge takes i386 over. */
	int rc = seccomp_merge(ctx, i386);
	if (rc < 0) {
		seccomp_release(i386);
		seccomp_release(ctx);
		gk_err_set(err, -rc, "seccomp: merge the 32-bit x86 rules");
		return NULL;
	}
	return ctx;
}

int rt_seccomp_load_default(uint64_t caps_mask, struct gk_err *err)
{
	scmp_filter_ctx ctx = build_default(caps_mask, err);
	if (!ctx)
		return -1;
	int rc = 0;
	int lrc = seccomp_load(ctx);
	if (lrc < 0)
		rc = gk_err_set(err, -lrc, "seccomp: load the filter");
	seccomp_release(ctx);
	return rc;
}

int rt_seccomp_compile_default(uint64_t caps_mask, void **bpf, size_t *len, struct gk_err *err)
{
	*bpf = NULL;
	*len = 0;
	scmp_filter_ctx ctx = build_default(caps_mask, err);
	if (!ctx)
		return -1;
	int rc = -1;
	/* libseccomp exports to an fd only: a memfd, read back. */
	int fd = memfd_create("gocker-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		gk_err_set(err, errno, "seccomp: memfd");
		goto out;
	}
	int erc = seccomp_export_bpf(ctx, fd);
	if (erc < 0) {
		gk_err_set(err, -erc, "seccomp: export the filter");
		goto out;
	}
	off_t n = lseek(fd, 0, SEEK_END);
	if (n <= 0 || pread(fd, *bpf = gk_malloc0((size_t)n), (size_t)n, 0) != n) {
		free(*bpf);
		*bpf = NULL;
		gk_err_set(err, errno ? errno : EIO, "seccomp: read the exported filter");
		goto out;
	}
	*len = (size_t)n;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

int rt_seccomp_load_bpf(const void *bpf, size_t len, struct gk_err *err)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(len / sizeof(struct sock_filter)),
	    .filter = (struct sock_filter *)(uintptr_t)bpf,
	};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return gk_err_set(err, errno, "seccomp: load the filter");
	return 0;
}
