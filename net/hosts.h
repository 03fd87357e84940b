/* /etc/hosts, /etc/resolv.conf and /etc/hostname for a container, written as
 * files under the container's directory that the runtime bind-mounts
 * ($GOCKER_ROOT/containers/<id>/{hosts,resolv.conf,hostname}). */
#ifndef NET_HOSTS_H
#define NET_HOSTS_H

#include "common/err.h"

/* Write `path` with the localhost lines and, when ip is non-NULL,
 * "IP\thostname [name]". In place (same inode): the container may have it
 * bind-mounted already. */
int net_hosts_write(const char *path, const char *ip, const char *hostname, const char *name,
		    struct gk_err *err);

/* Add (or replace) the line for `name` -> ip; the supervisor adds the other
 * services' names this way. Rewritten in place (same inode), as the file
 * is bind-mounted into a running container. */
int net_hosts_add(const char *path, const char *name, const char *ip, struct gk_err *err);

/* Copy `host_resolv` (normally /etc/resolv.conf) to `path` without loopback
 * nameservers (127.0.0.0/8, ::1: unreachable from a container's netns); when
 * none is left, Docker's fallback 8.8.8.8 and 8.8.4.4. */
int net_resolv_write(const char *path, const char *host_resolv, struct gk_err *err);

/* "hostname\n" */
int net_hostname_write(const char *path, const char *hostname, struct gk_err *err);

#endif
