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

int rt_attach_wait(pid_t pid, int pidfd, int tty_master, int relay_stdin, struct gk_err *err)
{
	sigset_t set;
	rt_attach_signals(&set);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return gk_err_set(err, errno, "signalfd");
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
	int in_fd = (tty_master >= 0 && relay_stdin) ? 0 : -1;
	int exited = 0, code = 0;
	for (;;) {
		struct pollfd p[4] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = exited ? -1 : pidfd, .events = POLLIN},
		    {.fd = tty_master, .events = POLLIN},
		    {.fd = in_fd, .events = POLLIN},
		};
		if (exited && tty_master < 0)
			break;
		int r = poll(p, 4, exited ? 200 : -1);
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
		 * block here: the pty relay and SIGWINCH must go on meanwhile. */
		if (!exited && (pidfd < 0 || p[1].revents)) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 &&
			    si.si_pid == pid) {
				exited = 1;
				code = rt_wait_status_code(si.si_code, si.si_status);
			}
		}
		if (tty_master >= 0 && p[2].revents) {
			char buf[8192];
			ssize_t n = read(tty_master, buf, sizeof(buf));
			if (n > 0) {
				if (write_all(1, buf, (size_t)n) < 0 && errno == EPIPE && !exited) {
					/* Nobody reads the output any more: end the process,
					 * as our death by SIGPIPE would, but cleanly. */
					send_signal(pid, pidfd, SIGKILL);
					tty_master = -1;
				}
			} else if (n < 0 && errno == EINTR)
				;
			else if (exited)
				break;
			else
				tty_master = -1; /* hung up; wait for the exit */
		}
		if (in_fd >= 0 && p[3].revents) {
			char buf[4096];
			ssize_t n = read(in_fd, buf, sizeof(buf));
			if (n > 0)
				write_all(tty_master, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				in_fd = -1;
		}
	}
	if (raw)
		tcsetattr(0, TCSAFLUSH, &saved);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return code;
}
