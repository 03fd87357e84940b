#include "runtime/init.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where the kernel finds our command line: /proc/self/stat's arg_start and
 * arg_end (fields 48 and 49; the name before them may hold spaces). */
static int cmdline_area(char **start, size_t *len)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long a = 0, b = 0;
	int field = 2; /* the name */
	for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
		field++;
		if (field == 48)
			a = strtoul(tok, NULL, 10);
		else if (field == 49)
			b = strtoul(tok, NULL, 10);
	}
	if (!a || b <= a)
		return -1;
	*start = (char *)a;
	*len = b - a;
	return 0;
}

/* Appends one argument if it fits before the area's last byte, which stays
 * NUL (else the kernel reads the area as a setproctitle() string). */
static int put_arg(char *area, size_t len, size_t *used, const char *w)
{
	size_t wl = strlen(w) + 1;
	if (*used + wl > len - 1)
		return -1;
	memcpy(area + *used, w, wl);
	*used += wl;
	return 0;
}

void rt_init_set_cmdline(char *const argv[])
{
	char *area;
	size_t len, used = 0;
	if (cmdline_area(&area, &len) < 0)
		return;
	/* Rewritten in place: our memory is gocker's, and until now so were
	 * the arguments the container saw in /proc/1/cmdline (host paths,
	 * -e values). As Docker's docker-init: "gocker-init -- CMD...". */
	memset(area, 0, len);
	if (put_arg(area, len, &used, "gocker-init") < 0 || put_arg(area, len, &used, "--") < 0)
		return;
	for (size_t i = 0; argv[i] && put_arg(area, len, &used, argv[i]) == 0; i++)
		;
}

void rt_init_loop(pid_t child)
{
	sigset_t all;
	sigfillset(&all);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		/* Reap everything: orphans reparented to us as well as the command. */
		for (;;) {
			int status;
			pid_t p = waitpid(-1, &status, WNOHANG);
			if (p <= 0)
				break;
			if (p != child)
				continue;
			if (WIFEXITED(status))
				_exit(WEXITSTATUS(status));
			_exit(128 + WTERMSIG(status));
		}
	}
}
