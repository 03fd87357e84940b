/* Where gocker keeps its state. Both roots move with GOCKER_ROOT / GOCKER_RUN
 * (and --root / --run on the command line), so tests use private roots. */
#ifndef GK_PATHS_H
#define GK_PATHS_H

#define GK_DEFAULT_ROOT "/var/lib/gocker"
#define GK_DEFAULT_RUN	"/run/gocker"

const char *gk_root_dir(void); /* $GOCKER_ROOT or /var/lib/gocker */
const char *gk_run_dir(void);  /* $GOCKER_RUN or /run/gocker */

#endif
