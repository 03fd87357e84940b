#include "runtime/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "runtime/init.h"
#include "runtime/rootfs.h"
#include "runtime/user.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void __attribute__((noreturn)) fail(int fd, int code, const struct gk_err *err)
{
	struct rt_child_report rep;
	memset(&rep, 0, sizeof(rep));
	rep.code = code;
	snprintf(rep.msg, sizeof(rep.msg), "%.1000s", err->msg);
	if (write(fd, &rep, sizeof(rep)) < 0) {
		/* the parent is gone; nothing to report to */
	}
	_exit(code);
}

static const char *env_get(char **env, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, kl) && env[i][kl] == '=')
			return env[i] + kl + 1;
	return NULL;
}

char *rt_lookup_path(const char *argv0, char **env, struct gk_err *err)
{
	if (strchr(argv0, '/'))
		return gk_strdup(argv0);
	const char *path = env_get(env, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	_cleanup_free_ char *copy = gk_strdup(path);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = gk_strdup_printf("%s/%s", *dir ? dir : ".", argv0);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return gk_steal_ptr(cand);
	}
	gk_err_set(err, 0, RT_EXEC_NOTFOUND_FMT, argv0);
	return NULL;
}

static int switch_user(const struct rt_user *u, uint64_t caps, struct gk_err *err)
{
	/* The bounding set first, then groups and ids while CAP_SETGID and
	 * CAP_SETUID are still effective: `caps` may lack them (--cap-drop ALL)
	 * and Docker still switches to -u's user. A non-root uid makes the
	 * kernel clear permitted and effective, as Docker's non-root users have
	 * none (the bounding set stays); root gets `caps`. */
	if (rt_caps_bound(caps, err) < 0)
		return -1;
	if (setgroups(u->n_groups, u->groups) < 0)
		return gk_err_set(err, errno, "setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return gk_err_set(err, errno, "setgid %u", (unsigned)u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return gk_err_set(err, errno, "setuid %u", (unsigned)u->uid);
	return rt_caps_set(u->uid == 0 ? caps : 0, err);
}

/* chdir to the working directory (created, as Docker does, when missing) and
 * check where we landed: a cwd outside the root (CVE-2024-21626) is refused. */
static int enter_cwd(const char *cwd, struct gk_err *err)
{
	if (chdir(cwd) < 0)
		return gk_err_set(err, errno, "chdir to cwd (\"%s\") set in config.json failed",
				  cwd);
	char buf[4096];
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return gk_err_set(err, errno ? errno : EPERM,
				  "current working directory is outside of the container root");
	return 0;
}

static int make_cwd(const char *cwd, struct gk_err *err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return gk_err_set(err, errno, "open /");
	int fd = rt_open_in_root(root, cwd, 1, 1, err);
	if (fd < 0)
		return gk_err_wrap(err, "working directory %s", cwd);
	close(fd);
	return 0;
}

static char **env_with_home(char **env, const char *home)
{
	char **out = gk_strv_dup(env);
	if (!env_get(env, "HOME")) {
		_cleanup_free_ char *h = gk_strdup_printf("HOME=%s", home);
		gk_strv_push(&out, h);
	}
	if (!env_get(env, "PATH")) {
		gk_strv_push(&out, "PATH=" DEFAULT_PATH);
	}
	return out;
}

static void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
}

void rt_proc_exec(const struct rt_proc_spec *ps, int efd)
{
	struct gk_err err = {0};
	const char *cwd = ps->cwd && *ps->cwd ? ps->cwd : "/";
	uint64_t caps = 0;
	if (rt_caps_compute(ps->security, &caps, &err) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	if (ps->mask_paths && rt_mask_paths(&err) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	struct rt_user u;
	if (rt_user_resolve("/", ps->user, &u, &err) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	if (ps->create_cwd && make_cwd(cwd, &err) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	/* Nothing of the host may stay open once we chdir (CVE-2024-21626). */
	if (efd > 3)
		syscall(SYS_close_range, 3, efd - 1, 0);
	syscall(SYS_close_range, efd + 1, ~0U, 0);
	if (switch_user(&u, caps, &err) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	if (ps->pdeathsig)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		gk_err_set(&err, errno, "set no_new_privs");
		fail(efd, RT_FAIL_RUNTIME, &err);
	}
	/* A failed exec start is 126 in Docker (its daemon's default). */
	if (enter_cwd(cwd, &err) < 0)
		fail(efd, ps->create_cwd ? RT_FAIL_RUNTIME : RT_FAIL_NOEXEC, &err);
	char **env = env_with_home(ps->env, u.home);
	char *path = rt_lookup_path(ps->argv[0], env, &err);
	if (!path)
		fail(efd, RT_FAIL_NOTFOUND, &err);
	if (!ps->security->privileged &&
	    (ps->seccomp_bpf ? rt_seccomp_load_bpf(ps->seccomp_bpf, ps->seccomp_len, &err)
			     : rt_seccomp_load_default(caps, &err)) < 0)
		fail(efd, RT_FAIL_RUNTIME, &err);
	if (ps->init) {
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		pid_t child = fork();
		if (child < 0) {
			gk_err_set(&err, errno, "fork the command under init");
			fail(efd, RT_FAIL_RUNTIME, &err);
		}
		if (child > 0) {
			close(efd);
			prctl(PR_SET_NAME, "gocker-init");
			rt_init_set_cmdline(ps->argv);
			rt_init_loop(child);
		}
	}
	reset_signals();
	execve(path, ps->argv, env);
	int e = errno;
	if (e == ENOENT)
		gk_err_set(&err, 0, "exec: \"%s\": stat %s: no such file or directory", ps->argv[0],
			   path);
	else if (e == EACCES)
		gk_err_set(&err, 0, "exec: \"%s\": permission denied", ps->argv[0]);
	else
		gk_err_set(&err, e, "exec: \"%s\"", ps->argv[0]);
	fail(efd, e == ENOENT ? RT_FAIL_NOTFOUND : RT_FAIL_NOEXEC, &err);
}
