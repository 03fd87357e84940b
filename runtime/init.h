/* The built-in init (--init): runs as the container's PID 1 in the process
 * gocker cloned, never as an exec of the host binary. It forwards signals to
 * the command and reaps every zombie until the command exits. */
#ifndef RT_INIT_H
#define RT_INIT_H

#include <signal.h>
#include <sys/types.h>

/* Makes /proc/1/cmdline read "gocker-init -- ARGV..." (what fits in the
 * area gocker's own arguments took) instead of the host's gocker command. */
void rt_init_set_cmdline(char *const argv[]);
/* Call with all signals blocked (the mask from before the fork); exits with
 * the command's exit code, 128+N for a signal. */
void rt_init_loop(pid_t child) __attribute__((noreturn));

#endif
