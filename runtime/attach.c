#include "runtime/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/container.h"

static const int forwarded[] = {SIGHUP,	 SIGINT,  SIGQUIT, SIGUSR1, SIGUSR2,
				SIGTERM, SIGALRM, SIGCONT, SIGTSTP, SIGWINCH};

void rt_attach_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void rt_attach_block_signals(sigset_t *old)
{
	sigset_t set;
	rt_attach_signals(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

static int write_all(int fd, const char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void send_signal(pid_t pid, int pidfd, int sig)
{
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	else
		kill(pid, sig);
}

/* One copy from `from` to `to`; `owned` is our pipe end of the two (-1 for
 * the pty master, which the caller owns), closed when the relay stops. */
struct relay {
	int from, to, owned;
};

static void relay_stop(struct relay *r)
{
	if (r->owned >= 0)
		close(r->owned);
	r->from = r->owned = -1;
}

static void relay_output(struct relay *r, pid_t pid, int pidfd, int exited)
{
	char buf[8192];
	ssize_t n = read(r->from, buf, sizeof(buf));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) { /* EOF, or a pty whose other side is gone (EIO) */
		relay_stop(r);
		return;
	}
	if (write_all(r->to, buf, (size_t)n) < 0 && errno == EPIPE && !exited) {
		/* Nobody reads the output any more: end the process, as our
		 * death by SIGPIPE would, but cleanly. */
		send_signal(pid, pidfd, SIGKILL);
		relay_stop(r);
	}
}

static void relay_input(struct relay *r)
{
	char buf[4096];
	ssize_t n = read(r->from, buf, sizeof(buf));
	if (n > 0) {
		/* A stdin pipe nobody reads any more (EPIPE) ends the relay;
		 * a pty master stays, for the output. */
		if (write_all(r->to, buf, (size_t)n) < 0 && r->owned >= 0)
			relay_stop(r);
	} else if (n == 0 || errno != EINTR) {
		relay_stop(r); /* ^D: the pipe's EOF is the container's */
	}
}

int rt_attach_wait(pid_t pid, int pidfd, int tty_master, int relay_stdin, int pipes[3],
		   struct gk_err *err)
{
	sigset_t set;
	rt_attach_signals(&set);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		int e = errno;
		for (int i = 0; i < 3; i++)
			if (pipes[i] >= 0)
				close(gk_steal_fd(pipes[i]));
		return gk_err_set(err, e, "signalfd");
	}
	/* A write to a closed stdout (`gocker run -t ... | head`) must come
	 * back as EPIPE: killed by SIGPIPE we would leave the terminal raw and
	 * never record the exit or remove a --rm container. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ign, &old_pipe);
	struct termios saved;
	int raw = 0;
	if (tty_master >= 0)
		copy_winsize(0, tty_master);
	/* Raw only when our stdin feeds the pty (-i), as Docker's CLI: without
	 * it ^C, ^\ and ^Z must stay signals to us, which we pass on; raw,
	 * they would be bytes that nobody reads. */
	if (tty_master >= 0 && relay_stdin && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;
		cfmakeraw(&t);
		if (tcsetattr(0, TCSANOW, &t) == 0)
			raw = 1;
	}
	/* The pty's output, the stdout and stderr pipes; then our stdin into
	 * the pty (-i) or into the stdin pipe. */
	struct relay out[3] = {
	    {tty_master, 1, -1},
	    {pipes[1], 1, pipes[1]},
	    {pipes[2], 2, pipes[2]},
	};
	struct relay in = {-1, -1, -1};
	if (tty_master >= 0 && relay_stdin)
		in = (struct relay){0, tty_master, -1};
	else if (pipes[0] >= 0)
		in = (struct relay){0, pipes[0], pipes[0]};
	pipes[0] = pipes[1] = pipes[2] = -1; /* ours from here on */
	int exited = 0, code = 0;
	for (;;) {
		if (exited && out[0].from < 0 && out[1].from < 0 && out[2].from < 0)
			break;
		/* After the exit, what is typed is for the caller's shell. */
		struct pollfd p[6] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = exited ? -1 : pidfd, .events = POLLIN},
		    {.fd = out[0].from, .events = POLLIN},
		    {.fd = out[1].from, .events = POLLIN},
		    {.fd = out[2].from, .events = POLLIN},
		    {.fd = exited ? -1 : in.from, .events = POLLIN},
		};
		/* Drain what the process left, but not forever: something it
		 * started may hold the output open. */
		int r = poll(p, 6, exited ? 200 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			gk_err_set(err, errno, "poll");
			break;
		}
		if (r == 0 && exited)
			break;
		if (p[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				if (si.ssi_signo == SIGWINCH) {
					if (tty_master >= 0)
						copy_winsize(0, tty_master);
					continue;
				}
				if (!exited)
					send_signal(pid, pidfd, (int)si.ssi_signo);
			}
		}
		/* Without a pidfd, SIGCHLD (on the signalfd) wakes the poll. Never
		 * block here: the relays and SIGWINCH must go on meanwhile. */
		if (!exited && (pidfd < 0 || p[1].revents)) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 &&
			    si.si_pid == pid) {
				exited = 1;
				code = rt_wait_status_code(si.si_code, si.si_status);
			}
		}
		for (int i = 0; i < 3; i++)
			if (out[i].from >= 0 && p[2 + i].revents)
				relay_output(&out[i], pid, pidfd, exited);
		if (in.from >= 0 && p[5].revents)
			relay_input(&in);
	}
	for (int i = 0; i < 3; i++)
		relay_stop(&out[i]);
	relay_stop(&in);
	if (raw)
		tcsetattr(0, TCSAFLUSH, &saved);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return code;
}
