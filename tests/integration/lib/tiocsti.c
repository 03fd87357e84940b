/* Push a string into the input of the terminal on fd 1 (TIOCSTI), as a
 * hostile container would into the terminal of the user who ran it.
 * Usage: tiocsti TEXT — exits 1 with the error when the kernel refuses. */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	for (size_t i = 0; i < strlen(argv[1]); i++)
		if (ioctl(1, TIOCSTI, argv[1] + i) < 0) {
			perror("TIOCSTI");
			return 1;
		}
	return 0;
}
