/* Every gocker-compose command entry; each is defined in its own supervisor/cmd-*.c.
 * The global options (-f, -p, --env-file, --profile, --project-directory) are
 * parsed by main.c into sv_cli_opts; commands load the project through
 * sv_cli_load(), which prints warnings and errors the way the program does. */
#ifndef SV_COMMANDS_H
#define SV_COMMANDS_H

#include "common/cmd.h"
#include "supervisor/compose.h"

extern struct sv_load_opts sv_cli_opts;

/* Load the project named by the global options. On failure prints
 * "gocker-compose: <message>" and returns -1. */
int sv_cli_load(struct sv_project **out, int no_interpolate);

extern const struct gk_cmd gk_cmd_config;

#endif
