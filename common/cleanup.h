/* Scope-bound release of resources, as crun does: early returns never leak. */
#ifndef GK_CLEANUP_H
#define GK_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>
#include <errno.h>

static inline void gk_freep(void *p)
{
	free(*(void **)p);
}
static inline void gk_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void gk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void gk_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Free a NULL-terminated array of strings and the array itself. */
void gk_strv_free(char **v);
static inline void gk_strv_freep(char ***v)
{
	gk_strv_free(*v);
}

#define _cleanup_free_	   __attribute__((cleanup(gk_freep)))
#define _cleanup_close_	   __attribute__((cleanup(gk_closep)))
#define _cleanup_fclose_   __attribute__((cleanup(gk_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(gk_closedirp)))
#define _cleanup_strv_	   __attribute__((cleanup(gk_strv_freep)))

/* Hand ownership out of a cleanup variable: returns the value, clears the variable. */
#define gk_steal_ptr(p)                                                                            \
	({                                                                                         \
		__typeof__(p) _tmp = (p);                                                          \
		(p) = NULL;                                                                        \
		_tmp;                                                                              \
	})
#define gk_steal_fd(fd)                                                                            \
	({                                                                                         \
		int _tmp = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_tmp;                                                                              \
	})

#endif
