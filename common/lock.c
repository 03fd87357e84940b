#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

static int lock_path(const char *path, enum gk_lock_mode mode, int nonblock, struct gk_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return gk_err_set(err, errno, "open lock %s", path);
	int op = (mode == GK_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | (nonblock ? LOCK_NB : 0);
	while (flock(fd, op) < 0) {
		if (errno == EINTR)
			continue;
		int saved = errno;
		close(fd);
		return gk_err_set(err, saved, "lock %s", path);
	}
	return fd;
}

int gk_lock(const char *path, enum gk_lock_mode mode, struct gk_err *err)
{
	return lock_path(path, mode, 0, err);
}

int gk_trylock(const char *path, enum gk_lock_mode mode, struct gk_err *err)
{
	return lock_path(path, mode, 1, err);
}

void gk_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the last fd releases the flock */
}
