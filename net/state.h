/* Where the net module keeps its state: $GOCKER_RUN/net/. */
#ifndef NET_STATE_H
#define NET_STATE_H

#include <json-c/json.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/err.h"

/* "$GOCKER_RUN/net/<name>" (created directory); caller frees. */
char *net_state_path(const char *name, struct gk_err *err);

/* Lock $GOCKER_RUN/net/<name>.lock exclusively; returns the fd or -1. */
int net_state_lock(const char *name, struct gk_err *err);

/* Read $GOCKER_RUN/net/<file> as JSON; a missing file gives a new empty object. */
int net_state_read(const char *file, json_object **out, struct gk_err *err);
/* Replace atomically (temp file + rename: readers and a kill -9 at any
 * point see the old or the new file, never half of one). No fsync: this is
 * runtime state under $GOCKER_RUN, meaningless after a reboot, and an fsync
 * per file costs milliseconds on every `gocker run` (see DESIGN.md). */
int net_state_write(const char *file, json_object *obj, struct gk_err *err);
int net_state_write_path(const char *path, json_object *obj, struct gk_err *err);
/* The same for any bytes (the container's hosts, resolv.conf, hostname). */
int net_write_file(const char *path, const void *data, size_t len, mode_t mode, struct gk_err *err);

#endif
