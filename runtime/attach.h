/* The foreground side of a container or exec'd process: forward signals to
 * it, relay a pty, wait for it. Used by `run` (without -d) and `exec`. */
#ifndef RT_ATTACH_H
#define RT_ATTACH_H

#include <signal.h>
#include <sys/types.h>

#include "common/err.h"

/* The signals a foreground gocker passes on to its container. Block them
 * (rt_attach_block_signals) before creating the process so none is lost. */
void rt_attach_signals(sigset_t *set);
void rt_attach_block_signals(sigset_t *old);

/* Forward the blocked signals to `pid` and, with tty_master >= 0, relay
 * stdin -> master and master -> stdout with the terminal in raw mode
 * (restored before returning) and window size changes passed on. pipes[]
 * (-1: none) are the caller's ends of the process's stdin, stdout and
 * stderr pipes (RT_STDIO_FD_PIPE): stdin -> pipes[0], closed on our stdin's
 * EOF; pipes[1] -> stdout, pipes[2] -> stderr, drained after the exit. They
 * are closed (and set to -1) before returning. Reaps the process and
 * returns Docker's exit code. pidfd may be -1 (pid must be a child then). */
int rt_attach_wait(pid_t pid, int pidfd, int tty_master, int relay_stdin, int pipes[3],
		   struct gk_err *err);

#endif
