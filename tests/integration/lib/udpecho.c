/* A UDP echo server for the published-UDP-port test (Debian's busybox nc has
 * no -u). Built static by the test and bind-mounted into a container.
 * Usage: udpecho PORT — answers every datagram with "echo:" + its payload. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(argc > 1 ? atoi(argv[1]) : 5353)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return perror("bind"), 1;
	for (;;) {
		char buf[1500], out[1510];
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&peer, &len);
		if (n < 0)
			continue;
		int m = snprintf(out, sizeof(out), "echo:%.*s", (int)n, buf);
		sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&peer, len);
	}
}
