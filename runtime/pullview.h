/* Docker's pull progress display, on a stream the caller chooses (stdout
 * for `gocker pull`, stderr for the pull `gocker run` does by itself): on a
 * terminal one line per layer redrawn in place ("a3ed95caeb02: Downloading
 * 12.3MB/31.4MB"), otherwise one line per event. */
#ifndef RT_PULLVIEW_H
#define RT_PULLVIEW_H

#include <stdio.h>

#include "runtime/registry.h"

struct rt_pull_view;

struct rt_pull_view *rt_pull_view_new(FILE *out, int tty);
void rt_pull_view_free(struct rt_pull_view *v);
/* An rt_pull_opts.progress callback; ctx is the view. */
void rt_pull_view_event(void *ctx, const struct rt_pull_event *ev);

#endif
