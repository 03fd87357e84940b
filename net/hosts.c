#include "net/hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "net/state.h"

#define HOSTS_MAX (1 << 20)

int net_hosts_write(const char *path, const char *ip, const char *hostname, const char *name,
		    struct gk_err *err)
{
	_cleanup_free_ char *self = NULL;
	if (ip && hostname)
		self = gk_strdup_printf("%s\t%s%s%s\n", ip, hostname,
					name && strcmp(name, hostname) ? " " : "",
					name && strcmp(name, hostname) ? name : "");
	_cleanup_free_ char *body = gk_strdup_printf("127.0.0.1\tlocalhost\n"
						     "::1\tlocalhost ip6-localhost ip6-loopback\n"
						     "fe00::0\tip6-localnet\n"
						     "ff00::0\tip6-mcastprefix\n"
						     "ff02::1\tip6-allnodes\n"
						     "ff02::2\tip6-allrouters\n"
						     "%s",
						     self ? self : "");
	/* In place when it exists: the container may have bind-mounted this
	 * inode already (the runtime builds the root before the network is
	 * attached), and a rename would leave it the old file. */
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(body);
	if (fd < 0 || write(fd, body, len) != (ssize_t)len)
		return gk_err_set(err, errno, "write hosts file %s", path);
	return 0;
}

/* Does `line` name `name` (as any of its host names)? */
static int line_names(const char *line, const char *name)
{
	_cleanup_free_ char *copy = gk_strdup(line);
	char *save = NULL, *tok = strtok_r(copy, " \t\n", &save); /* the address */
	while (tok && (tok = strtok_r(NULL, " \t\n", &save)))
		if (strcmp(tok, name) == 0)
			return 1;
	return 0;
}

int net_hosts_add(const char *path, const char *name, const char *ip, struct gk_err *err)
{
	_cleanup_free_ char *old = NULL;
	size_t len;
	if (gk_read_file(path, HOSTS_MAX, &old, &len, err) < 0)
		return gk_err_wrap(err, "add %s to hosts file", name);
	size_t cap = len + strlen(name) + strlen(ip) + 4;
	_cleanup_free_ char *out = gk_malloc0(cap);
	size_t used = 0;
	char *save = NULL;
	for (char *line = strtok_r(old, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line_names(line, name))
			continue;
		used += (size_t)snprintf(out + used, cap - used, "%s\n", line);
	}
	used += (size_t)snprintf(out + used, cap - used, "%s\t%s\n", ip, name);
	/* In place, not by rename: a running container has this inode bind-mounted. */
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, out, used) != (ssize_t)used)
		return gk_err_set(err, errno, "write %s", path);
	return 0;
}

static int loopback_nameserver(const char *line)
{
	char addr[64];
	if (sscanf(line, " nameserver %63s", addr) != 1)
		return 0;
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strcmp(addr, "0:0:0:0:0:0:0:1") == 0;
}

int net_resolv_write(const char *path, const char *host_resolv, struct gk_err *err)
{
	_cleanup_free_ char *in = NULL;
	size_t len = 0;
	struct gk_err ignore;
	if (gk_read_file(host_resolv, HOSTS_MAX, &in, &len, &ignore) < 0)
		in = gk_strdup(""); /* no resolv.conf on the host: fallback only */
	_cleanup_free_ char *out = gk_malloc0(len + 64);
	size_t used = 0;
	int servers = 0;
	char *save = NULL;
	for (char *line = strtok_r(in, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (loopback_nameserver(line))
			continue;
		char addr[64];
		if (sscanf(line, " nameserver %63s", addr) == 1)
			servers++;
		used += (size_t)sprintf(out + used, "%s\n", line);
	}
	if (servers == 0)
		used += (size_t)sprintf(out + used, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	if (net_write_file(path, out, used, 0644, err) < 0)
		return gk_err_wrap(err, "write resolv.conf");
	return 0;
}

int net_hostname_write(const char *path, const char *hostname, struct gk_err *err)
{
	_cleanup_free_ char *body = gk_strdup_printf("%s\n", hostname);
	return net_write_file(path, body, strlen(body), 0644, err);
}
