/* The compose project model: a compose file (the Compose Specification's
 * common subset) parsed, interpolated, merged and validated into typed
 * structs. Every value that can be wrong later keeps its file:line:col, so
 * the supervisor can say "stack.yml:12:5: services.web: ...".
 *
 *   sv_project_load()   -f files, .env, profiles, project name → project
 *   sv_project_free()
 *   sv_project_to_json() the `config` document (long syntax, defaults filled)
 *   sv_graph_*()        dependency order for up / down */
#ifndef SV_COMPOSE_H
#define SV_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "common/err.h"
#include "supervisor/sv_yaml.h"

enum sv_restart {
	SV_RESTART_NO,
	SV_RESTART_ALWAYS,
	SV_RESTART_ON_FAILURE,
	SV_RESTART_UNLESS_STOPPED
};

enum sv_condition {
	SV_COND_STARTED,  /* service_started */
	SV_COND_HEALTHY,  /* service_healthy */
	SV_COND_COMPLETED /* service_completed_successfully */
};

/* Docker's healthcheck defaults. */
#define SV_HC_INTERVAL	     (30LL * 1000000000)
#define SV_HC_TIMEOUT	     (30LL * 1000000000)
#define SV_HC_RETRIES	     3
#define SV_HC_START_PERIOD   0
#define SV_HC_START_INTERVAL (5LL * 1000000000)
#define SV_STOP_GRACE	     (10LL * 1000000000)

/* A string with the place it was written. */
struct sv_kv {
	char *key;
	char *value; /* NULL: declared without a value (environment: `FOO` unset on host) */
	struct sv_loc loc;
};

#define SV_MAX_PORT_RANGE 1024	/* ports in one "a-b" range */
#define SV_MAX_PORTS	  4096	/* ports of one service, ranges expanded */
#define SV_MAX_ENTRIES	  10000 /* services; entries of one service key */

/* One published or exposed port, one entry per port (ranges are expanded). */
struct sv_port {
	uint32_t target;
	char *published; /* "" when not published to a fixed host port */
	char *host_ip;	 /* "" for all addresses */
	char *protocol;	 /* "tcp" or "udp" */
	char *mode;	 /* "ingress" */
	struct sv_loc loc;
};

enum sv_mount_type { SV_MOUNT_BIND, SV_MOUNT_VOLUME, SV_MOUNT_TMPFS };

struct sv_mount {
	enum sv_mount_type type;
	char *source; /* absolute path (bind), volume name (volume, "" anonymous), NULL tmpfs */
	char *target;
	int read_only;
	int create_host_path; /* bind: create the source when missing (short syntax) */
	int64_t tmpfs_size;   /* tmpfs.size in bytes, 0 none */
	struct sv_loc loc;
};

struct sv_dep {
	char *service;
	enum sv_condition condition;
	int required; /* default 1 */
	int restart;  /* default 0 */
	struct sv_loc loc;
};

struct sv_healthcheck {
	int present; /* the service has a healthcheck key */
	int disable; /* disable: true or test: ["NONE"] */
	char **test; /* "CMD"|"CMD-SHELL"|"NONE" then arguments; NULL = the image's */
	int64_t interval, timeout, start_period, start_interval; /* ns, defaults filled */
	int retries;
	struct sv_loc loc;
};

struct sv_netref {
	char *name; /* top-level network key */
	char **aliases;
	struct sv_loc loc;
};

struct sv_service {
	char *name;
	struct sv_loc loc;
	char *image;
	char **command;		   /* NULL: the image's; empty vector: explicitly empty */
	char **entrypoint;	   /* same */
	struct sv_kv *environment; /* sorted by key */
	size_t n_environment;
	struct sv_kv *env_files; /* key = absolute path, value = "true"/"false" (required) */
	size_t n_env_files;
	struct sv_port *ports;
	size_t n_ports;
	struct sv_mount *volumes;
	size_t n_volumes;
	struct sv_dep *depends_on;
	size_t n_depends_on;
	enum sv_restart restart;
	int restart_max; /* on-failure:N, 0 = unlimited */
	int restart_set;
	struct sv_healthcheck healthcheck;
	/* Resolved limits (either spelling); 0 = none. */
	int64_t mem_limit; /* bytes */
	double cpus;
	int64_t pids_limit;
	/* As written: mem_limit/cpus/pids_limit and deploy.resources.limits.*;
	 * both spellings must agree. */
	int64_t svc_memory, deploy_memory, svc_pids, deploy_pids;
	double svc_cpus, deploy_cpus;
	int scale;		 /* resolved: deploy.replicas / scale, default 1 */
	int scale_key, replicas; /* as written, -1 = unset */
	char *working_dir, *user, *hostname, *container_name, *stop_signal;
	int64_t stop_grace_period; /* ns; default SV_STOP_GRACE */
	int stop_grace_set;
	int init;      /* -1 unset, 0, 1 */
	int read_only; /* 0/1 */
	char **tmpfs;
	char **cap_add, **cap_drop;
	struct sv_kv *labels; /* sorted by key */
	size_t n_labels;
	struct sv_netref *networks; /* sorted by name; empty with network_mode */
	size_t n_networks;
	char *network_mode; /* NULL, "none", "host" */
	char **profiles;
	char **extra_hosts; /* "host:ip" */
	char **expose;
	struct sv_loc image_loc, scale_loc, container_name_loc, limits_loc;
};

struct sv_network {
	char *key;  /* name in the file */
	char *name; /* real name: PROJECT_key unless external or `name:` */
	int external;
	char *driver;
	struct sv_kv *labels;
	size_t n_labels;
	struct sv_loc loc;
};

struct sv_volume {
	char *key;
	char *name; /* PROJECT_key unless external or `name:` */
	int external;
	char *driver;
	struct sv_kv *labels;
	size_t n_labels;
	struct sv_loc loc;
};

struct sv_project {
	char *name;
	char *workdir;		     /* project directory (absolute) */
	char **files;		     /* the compose files, in merge order */
	struct sv_service *services; /* sorted by name, active profiles only */
	size_t n_services;
	struct sv_network *networks; /* sorted by key */
	size_t n_networks;
	struct sv_volume *volumes; /* sorted by key */
	size_t n_volumes;
	char **warnings;    /* for the program to print; the library never does */
	int no_interpolate; /* loaded without interpolation: print values as written */
	char **profiles;    /* the active profiles */
};

/* How to load a project; every field is optional. */
struct sv_load_opts {
	char *const *files;	  /* -f, NULL-terminated; NULL: the default names in cwd */
	const char *project_name; /* -p */
	const char *project_dir;  /* --project-directory */
	char *const *env_files;	  /* --env-file; NULL: PROJECT_DIR/.env when it exists */
	char *const *profiles;	  /* --profile; NULL: $COMPOSE_PROFILES */
	int no_interpolate;
	/* For tests and the fuzzer: the file contents instead of reading `files`
	 * (one buffer per file), and the environment instead of environ. */
	const char *const *buffers;
	const size_t *buffer_lens;
	char *const *environ; /* NULL-terminated KEY=VALUE; NULL: the process's */
	int all_profiles;     /* keep every service regardless of profiles */
};

int sv_project_load(const struct sv_load_opts *opts, struct sv_project **out, struct gk_err *err);
void sv_project_free(struct sv_project *p);

const struct sv_service *sv_project_service(const struct sv_project *p, const char *name);
/* "PROJECT-SERVICE-N" or container_name. */
char *sv_container_name(const struct sv_project *p, const struct sv_service *s, int index);
/* Project name rules: lowercase, [a-z0-9_-], no leading '_' or '-'. */
char *sv_normalize_project_name(const char *s);
int sv_valid_project_name(const char *s);

/* The `config` document (json-c): long syntax, sorted keys, defaults filled. */
json_object *sv_project_to_json(const struct sv_project *p);
/* Same document as YAML (libyaml's emitter) / JSON text. */
int sv_json_to_yaml(json_object *doc, char **out, struct gk_err *err);
char *sv_json_to_text(json_object *doc);

/* ---- pieces, exposed for the tests and the fuzzer ---- */

/* One port spec ("127.0.0.1:8000-8001:80-81/udp") → entries (appended). */
int sv_parse_port(const char *spec, const struct sv_loc *loc, struct sv_port **ports, size_t *n,
		  struct gk_err *err);
void sv_port_clear(struct sv_port *p);
/* Short volume syntax "SRC:DST[:MODE]"; `workdir` resolves relative binds. */
int sv_parse_volume(const char *spec, const char *workdir, struct sv_mount *m, struct gk_err *err);
/* Shell-like split without a shell: quotes, backslashes. */
int sv_shell_split(const char *s, char ***out, struct gk_err *err);
/* "no" | "always" | "on-failure[:N]" | "unless-stopped" */
int sv_parse_restart(const char *s, enum sv_restart *r, int *max, struct gk_err *err);

/* Variable lookup for interpolation and .env files. */
struct sv_env {
	char **keys, **values; /* set order kept; a set of an existing key replaces it */
	size_t n;
	const struct sv_env *next; /* looked up when a key is not here (not owned) */
};
#define SV_MAX_ENV_VARS 10000 /* variables in one .env file */
const char *sv_env_get(const struct sv_env *env, const char *key);
void sv_env_set(struct sv_env *env, const char *key, const char *value); /* replaces */
void sv_env_free(struct sv_env *env);

/* Interpolate `in`; `warn` receives "The \"X\" variable is not set..." lines. */
int sv_interpolate(const char *in, const struct sv_env *env, char ***warnings, char **out,
		   struct gk_err *err);
/* Parse .env syntax into `out` (appended in order); lookups for ${VAR} inside
 * values use earlier entries, then `env`. */
int sv_dotenv_parse(const char *file, const char *buf, size_t len, const struct sv_env *env,
		    struct sv_env *out, struct gk_err *err);

/* ---- dependency graph ---- */
struct sv_graph {
	size_t n;
	char **order; /* start order: dependencies first, names sorted within a level */
	int *level;   /* level[i] for order[i]: 0 = no dependencies */
	int n_levels;
};
/* Fails with "cycle found: a -> b -> a" or an unknown service.
 * Start: levels 0, 1, ... in turn, the services of one level in parallel.
 * Stop: the same levels in reverse (n_levels-1 down to 0). */
int sv_graph_build(const struct sv_project *p, struct sv_graph *g, struct gk_err *err);
void sv_graph_free(struct sv_graph *g);
/* The services of one level: order[*first .. *first + return value). */
size_t sv_graph_level(const struct sv_graph *g, int level, size_t *first);
/* The services that depend on `name` directly (NULL-terminated, sorted; free
 * with gk_strv_free): what `restart: true` restarts after `name` restarts. */
char **sv_graph_dependents(const struct sv_project *p, const char *name);

#endif
