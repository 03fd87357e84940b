/* Where the net module keeps its state: $GOCKER_RUN/net/. */
#ifndef NET_STATE_H
#define NET_STATE_H

#include <json-c/json.h>

#include "common/err.h"

/* "$GOCKER_RUN/net/<name>" (created directory); caller frees. */
char *net_state_path(const char *name, struct gk_err *err);

/* Lock $GOCKER_RUN/net/<name>.lock exclusively; returns the fd or -1. */
int net_state_lock(const char *name, struct gk_err *err);

/* Read $GOCKER_RUN/net/<file> as JSON; a missing file gives a new empty object. */
int net_state_read(const char *file, json_object **out, struct gk_err *err);
int net_state_write(const char *file, json_object *obj, struct gk_err *err);

#endif
