/* Every gocker command entry; each is defined in its own runtime/cmd-*.c. */
#ifndef RT_COMMANDS_H
#define RT_COMMANDS_H

#include "common/cmd.h"

extern const struct gk_cmd gk_cmd_pull;
extern const struct gk_cmd gk_cmd_load;
extern const struct gk_cmd gk_cmd_images;
extern const struct gk_cmd gk_cmd_rmi;
extern const struct gk_cmd gk_cmd_image_load;
extern const struct gk_cmd gk_cmd_image_ls;
extern const struct gk_cmd gk_cmd_image_rm;
extern const struct gk_cmd gk_cmd_image_inspect;
extern const struct gk_cmd gk_cmd_tag;
extern const struct gk_cmd gk_cmd_image_tag;
extern const struct gk_cmd gk_cmd_port;
extern const struct gk_cmd gk_cmd_network_ls;
extern const struct gk_cmd gk_cmd_network_prune;
extern const struct gk_cmd gk_cmd_run;
extern const struct gk_cmd gk_cmd_ps;
extern const struct gk_cmd gk_cmd_rm;
extern const struct gk_cmd gk_cmd_inspect;
extern const struct gk_cmd gk_cmd_logs;
extern const struct gk_cmd gk_cmd_stop;
extern const struct gk_cmd gk_cmd_kill;
extern const struct gk_cmd gk_cmd_exec;
/* For `gocker inspect`: the image NAME as `image inspect` prints it, or NULL
 * with err set (errnum ENOENT when there is no such image). Defined in
 * cmd-image-inspect.c. */
struct json_object;
struct gk_err;
struct json_object *rt_image_inspect_json(const char *name, struct gk_err *err);
/* internal, not in --help: defined in cmd-run.c, part of `run -d` */
extern const struct gk_cmd gk_cmd_monitor_finish;

#endif
