/* flock helpers: every change to shared state happens under a lock file. */
#ifndef GK_LOCK_H
#define GK_LOCK_H

#include "err.h"

enum gk_lock_mode { GK_LOCK_SHARED, GK_LOCK_EXCLUSIVE };

/* Open (creating, mode 0600) and flock `path`; blocks until granted.
 * Returns the fd holding the lock, or -1. Release with gk_unlock(). */
int gk_lock(const char *path, enum gk_lock_mode mode, struct gk_err *err);

/* Like gk_lock but fails with EWOULDBLOCK at once when the lock is held. */
int gk_trylock(const char *path, enum gk_lock_mode mode, struct gk_err *err);

void gk_unlock(int fd);

#endif
