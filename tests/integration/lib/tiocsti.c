/* Pushes a newline into the input of the terminal on fd 1 with TIOCSTI, as
 * a process typing into its caller's shell would, and says what happened. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(void)
{
	char c = '\n';
	if (ioctl(1, TIOCSTI, &c) < 0)
		printf("TIOCSTI: %s\n", strerror(errno));
	else
		printf("TIOCSTI: typed into the terminal\n");
	return 0;
}
