#include "runtime/lifecycle.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/units.h"
#include "common/log.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctrstate.h"

int rt_ctr_record_exit(const char *id, int code, int oom_killed, struct gk_err *err)
{
	int lock = rt_ctr_lock(err);
	if (lock < 0)
		return -1;
	struct rt_ctr_state st;
	int rc = -1;
	_cleanup_free_ char *dir = rt_ctr_run_dir(id);
	if (!gk_path_exists(dir)) {
		rc = 0; /* removed meanwhile (rm -f) */
		goto out;
	}
	if (rt_ctr_state_read(id, &st, err) < 0)
		goto out;
	snprintf(st.status, sizeof(st.status), "exited");
	st.exit_code = code;
	st.oom_killed = oom_killed;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	gk_format_time(&now, st.finished_at, sizeof(st.finished_at));
	rc = rt_ctr_state_write(id, &st, err);
out:
	gk_unlock(lock);
	return rc;
}

void rt_ctr_finish(const char *id, struct rt_cgroup *cg, int code, int started, int record)
{
	struct gk_err e = {0};
	struct rt_cgroup *opened = NULL;
	if (!cg && rt_cgroup_open(RT_CGROUP_ROOT, id, &opened, &e) == 0)
		cg = opened;
	int oom = 0;
	if (cg && started) {
		oom = rt_cgroup_oom_killed(cg, &e) == 1;
		if (oom && code == 0)
			code = 137;
	}
	if (cg && rt_cgroup_destroy(cg, &e) < 0)
		gk_debug("destroy cgroup: %s", e.msg);
	rt_cgroup_free(opened);
	if (!record)
		return;
	if (started) {
		if (rt_ctr_record_exit(id, code, oom, &e) < 0)
			gk_debug("record the exit of %s: %s", id, e.msg);
		return;
	}
	struct rt_ctr_state st = {.exit_code = code};
	snprintf(st.status, sizeof(st.status), "created");
	if (rt_ctr_state_replace(id, &st, &e) < 0)
		gk_debug("state of %s: %s", id, e.msg);
}

int rt_pid_wait_gone(pid_t pid, unsigned long long start_time, int timeout_ms)
{
	if (!rt_proc_alive(pid, start_time))
		return 1;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return 1;
	if (!rt_proc_alive(pid, start_time))
		return 1;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return 1;
	return !rt_proc_alive(pid, start_time);
}

static int signal_pid(pid_t pid, unsigned long long start_time, int sig)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 || !rt_proc_alive(pid, start_time))
		return -1;
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int rt_ctr_kill(const char *id, int sig, struct gk_err *err)
{
	struct rt_ctr_state st;
	if (rt_ctr_state_read(id, &st, err) < 0)
		return -1;
	if (!rt_ctr_running(&st))
		return gk_err_set(err, 0, "Cannot kill container: %s: container %s is not running",
				  id, id);
	if (signal_pid(st.pid, st.start_time, sig) < 0)
		return gk_err_set(err, errno, "kill container %s", id);
	return 0;
}

/* Wait for the monitor to record the exit (it exits right after). */
static void wait_monitor(const struct rt_ctr_state *st, int timeout_ms)
{
	if (st->monitor_pid != getpid())
		rt_pid_wait_gone(st->monitor_pid, st->monitor_start, timeout_ms);
}

int rt_ctr_stop(const char *id, int sig, int timeout_s, struct gk_err *err)
{
	struct rt_ctr_state st;
	if (rt_ctr_state_read(id, &st, err) < 0)
		return -1;
	if (!rt_ctr_running(&st))
		return 0;
	signal_pid(st.pid, st.start_time, sig);
	if (!rt_pid_wait_gone(st.pid, st.start_time, timeout_s * 1000)) {
		signal_pid(st.pid, st.start_time, SIGKILL);
		rt_pid_wait_gone(st.pid, st.start_time, 10000);
	}
	wait_monitor(&st, 10000);
	return 0;
}

/* "created" with a live monitor: a run (or its -d monitor) is creating the
 * container right now; it recorded itself in the state for rm to find. */
static int launching(const struct rt_ctr_state *st)
{
	return !strcmp(st->status, "created") && st->monitor_pid > 0 &&
	       st->monitor_pid != getpid() && rt_proc_alive(st->monitor_pid, st->monitor_start);
}

/* Make the processes `st` names go: the container, and its monitor (let a
 * monitor record and clean up first) or launcher (killed: left alone it
 * would start the container we are removing). */
static void stop_all(const struct rt_ctr_state *st)
{
	if (rt_ctr_running(st)) {
		signal_pid(st->pid, st->start_time, SIGKILL);
		rt_pid_wait_gone(st->pid, st->start_time, 10000);
	}
	if (launching(st)) {
		signal_pid(st->monitor_pid, st->monitor_start, SIGKILL);
		rt_pid_wait_gone(st->monitor_pid, st->monitor_start, 10000);
	}
	/* A monitor still finishing up (or a foreground gocker run): let it
	 * record and clean, then make sure it is gone. */
	if (st->monitor_pid > 0 && st->monitor_pid != getpid() &&
	    !rt_pid_wait_gone(st->monitor_pid, st->monitor_start, 5000))
		signal_pid(st->monitor_pid, st->monitor_start, SIGKILL);
	/* The container dies with its monitor; make sure nothing is left. */
	if (st->pid > 0 && rt_proc_alive(st->pid, st->start_time)) {
		signal_pid(st->pid, st->start_time, SIGKILL);
		rt_pid_wait_gone(st->pid, st->start_time, 10000);
	}
}

static int same_processes(const struct rt_ctr_state *a, const struct rt_ctr_state *b)
{
	return a->pid == b->pid && a->start_time == b->start_time &&
	       a->monitor_pid == b->monitor_pid && a->monitor_start == b->monitor_start;
}

int rt_ctr_remove(const char *id, int flags, struct gk_err *err)
{
	struct rt_ctr_state st;
	if (rt_ctr_state_read(id, &st, err) < 0)
		return -1;
	for (int round = 0;; round++) {
		if ((rt_ctr_running(&st) || launching(&st)) && !(flags & RT_REMOVE_FORCE))
			return gk_err_set(err, 0,
					  "cannot remove container \"%s\": container is running: "
					  "stop the container before removing or force remove",
					  id);
		stop_all(&st);
		int lock = rt_ctr_lock(err);
		if (lock < 0)
			return -1;
		/* While we waited, a launcher may have recorded the container
		 * running or handed over to its -d monitor: stop those too. Once
		 * we hold the lock with the same processes, all are gone and no
		 * other can record anything (rt_ctr_state_replace). */
		struct rt_ctr_state now;
		if (rt_ctr_state_read(id, &now, err) < 0) {
			gk_unlock(lock);
			return -1;
		}
		if (!same_processes(&st, &now) && round < 10) {
			gk_unlock(lock);
			st = now;
			continue;
		}
		_cleanup_free_ char *dir = rt_ctr_dir(id);
		_cleanup_free_ char *run = rt_ctr_run_dir(id);
		_cleanup_json_ json_object *cfg = NULL;
		struct gk_err ignored;
		const char *name =
		    rt_ctr_config_read(id, &cfg, &ignored) == 0 ? gk_json_str(cfg, "Name") : NULL;
		int rc = flags & RT_REMOVE_CGROUP_GONE ? gk_remove_tree(dir, err)
						       : rt_delete(RT_CGROUP_ROOT, id, dir, err);
		if (rc == 0)
			rc = gk_remove_tree(run, err);
		/* After the container: a crash in between leaves a link to
		 * nothing, which names no one (not a name held by no one). */
		if (rc == 0 && name)
			rt_ctr_name_release(name, id);
		gk_unlock(lock);
		return rc;
	}
}

static const struct {
	const char *name;
	int num;
} signals[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"BUS", SIGBUS},	   {"FPE", SIGFPE},
    {"KILL", SIGKILL},	   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},   {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},	   {"ALRM", SIGALRM}, {"TERM", SIGTERM},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},	   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},	   {"URG", SIGURG},   {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

/* Docker's real-time names: RTMIN, RTMIN+N, RTMAX-N, RTMAX (systemd images
 * set StopSignal SIGRTMIN+3). -1 for anything else. */
static int realtime_signal(const char *s)
{
	int base, sign;
	if (!strncasecmp(s, "RTMIN", 5)) {
		base = SIGRTMIN;
		sign = '+';
	} else if (!strncasecmp(s, "RTMAX", 5)) {
		base = SIGRTMAX;
		sign = '-';
	} else {
		return -1;
	}
	const char *off = s + 5;
	if (!*off)
		return base;
	if (*off != sign || !off[1] || strlen(off + 1) > 2 ||
	    strspn(off + 1, "0123456789") != strlen(off + 1))
		return -1;
	int n = (int)strtol(off + 1, NULL, 10);
	int sig = sign == '+' ? base + n : base - n;
	return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
}

int rt_signal_parse(const char *s)
{
	if (!s || !*s)
		return -1;
	if (strspn(s, "0123456789") == strlen(s)) {
		long n = strtol(s, NULL, 10);
		return n > 0 && n < NSIG ? (int)n : -1;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	int rt = realtime_signal(s);
	if (rt > 0)
		return rt;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (!strcasecmp(s, signals[i].name))
			return signals[i].num;
	return -1;
}
