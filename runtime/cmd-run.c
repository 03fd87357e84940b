/* gocker run: create a container from an image and run a command in it,
 * in the foreground (gocker is the container's parent) or detached (-d: a
 * small monitor process is). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/units.h"
#include "net/container.h"
#include "net/network.h"
#include "net/ports.h"
#include "runtime/attach.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"
#include "runtime/monitor.h"
#include "runtime/pullview.h"
#include "runtime/reference.h"
#include "runtime/registry.h"
#include "runtime/store.h"

struct run_opts {
	const char *name;
	int rm, detach, interactive, tty, readonly, init, privileged;
	char **env; /* -e as given */
	char **env_files;
	const char *workdir;
	const char *user;
	const char *hostname;
	const char *entrypoint; /* NULL: image's; "": none */
	const char *pull;	/* --pull missing (default) | never | always */
	char **volumes;
	char **tmpfs;
	const char *network;
	char **publish; /* -p as given */
	int publish_all;
	char **cap_add, **cap_drop;
	struct rt_limits limits;
	int64_t mem_mb, swap_mb; /* Gocker's spellings, -1 when not given */
};

static void opts_free(struct run_opts *o)
{
	gk_strv_free(o->env);
	gk_strv_free(o->env_files);
	gk_strv_free(o->volumes);
	gk_strv_free(o->tmpfs);
	gk_strv_free(o->publish);
	gk_strv_free(o->cap_add);
	gk_strv_free(o->cap_drop);
}

/* ---- option values ---- */

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -1;
	*out = v;
	return 0;
}

/* The largest --mem or --swap in megabytes: their sum in bytes still fits
 * an int64_t (beyond it the limit would wrap negative). */
#define MAX_MB (INT64_MAX / 2 / 1048576)

static int parse_limits(struct run_opts *o, const char *mem, const char *memswap, const char *cpus,
			const char *pids, struct gk_err *err)
{
	struct rt_limits *l = &o->limits;
	if (mem && gk_parse_bytes(mem, &l->memory, err) < 0)
		return gk_err_wrap(err, "invalid argument \"%s\" for \"-m, --memory\" flag", mem);
	if (o->mem_mb >= 0)
		l->memory = o->mem_mb * 1048576;
	if (l->memory && l->memory < 6 * 1048576)
		return gk_err_set(err, 0, "Minimum memory limit allowed is 6MB");
	if (memswap) {
		if (!strcmp(memswap, "-1"))
			l->memory_swap = -1;
		else if (gk_parse_bytes(memswap, &l->memory_swap, err) < 0)
			return gk_err_wrap(
			    err, "invalid argument \"%s\" for \"--memory-swap\" flag", memswap);
	}
	if (o->swap_mb >= 0) {
		if (!l->memory)
			return gk_err_set(err, 0,
					  "--swap needs --mem: the swap limit is on top of "
					  "the memory limit");
		l->memory_swap = l->memory + o->swap_mb * 1048576;
	}
	if (l->memory_swap > 0) {
		if (!l->memory)
			return gk_err_set(err, 0,
					  "You should always set the Memory limit when using "
					  "Memoryswap limit");
		if (l->memory_swap < l->memory)
			return gk_err_set(err, 0,
					  "Minimum memoryswap limit should be larger than "
					  "memory limit, see usage");
	}
	if (cpus) {
		char *end;
		errno = 0;
		double c = strtod(cpus, &end);
		if (errno || end == cpus || *end || !isfinite(c))
			return gk_err_set(err, 0, "invalid argument \"%s\" for \"--cpus\" flag",
					  cpus);
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		/* 0 is Docker's "no limit" (NanoCpus 0) */
		if (c != 0 && (c < 0.01 || c > (double)ncpu))
			return gk_err_set(
			    err, 0,
			    "Range of CPUs is from 0.01 to %ld.00, as there are only %ld "
			    "CPUs available",
			    ncpu, ncpu);
		l->nano_cpus = (int64_t)(c * 1e9 + 0.5); /* c > 0: to the nearest */
	}
	if (pids) {
		if (parse_int(pids, &l->pids) < 0 || l->pids < -1)
			return gk_err_set(
			    err, 0, "invalid argument \"%s\" for \"--pids, --pids-limit\" flag",
			    pids);
	}
	return 0;
}

static int env_key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (int)(eq - kv) : (int)strlen(kv);
}

/* Set KEY=VAL in env, replacing an existing KEY. */
static void env_set(char ***env, const char *kv)
{
	int kl = env_key_len(kv);
	for (size_t i = 0; *env && (*env)[i]; i++) {
		if (env_key_len((*env)[i]) == kl && !strncmp((*env)[i], kv, (size_t)kl)) {
			free((*env)[i]);
			(*env)[i] = gk_strdup(kv);
			return;
		}
	}
	gk_strv_push(env, kv);
}

/* "KEY=VAL" as is; "KEY" takes the value from gocker's environment. */
static int env_add_arg(char ***env, const char *arg, struct gk_err *err)
{
	if (!*arg || *arg == '=')
		return gk_err_set(err, 0, "invalid environment variable: %s", arg);
	if (strchr(arg, '=')) {
		env_set(env, arg);
		return 0;
	}
	const char *v = getenv(arg);
	if (v) {
		_cleanup_free_ char *kv = gk_strdup_printf("%s=%s", arg, v);
		env_set(env, kv);
	}
	return 0;
}

static int env_add_file(char ***env, const char *path, struct gk_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (gk_read_file(path, 1 << 20, &buf, &len, err) < 0)
		return gk_err_wrap(err, "open env file");
	char *save = NULL;
	int lineno = 0;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (env_add_arg(env, line, err) < 0)
			return gk_err_wrap(err, "%s:%d", path, lineno);
	}
	return 0;
}

/* ---- the container's spec and config.json ---- */

struct run_plan {
	char id[RT_ID_LEN + 1];
	char *name;
	char *image_ref; /* as the user named it */
	struct rt_image image;
	char **argv, **env, **entrypoint, **cmd;
	char *cwd, *user, *hostname, *stop_signal;
	struct rt_mount *mounts;
	size_t n_mounts;
	char *state_dir; /* $GOCKER_ROOT/containers/<id> */
	char *run_dir;	 /* $GOCKER_RUN/containers/<id> */
	char *mountpoints_dir;
	char *seccomp_cache;
	enum rt_network_mode network;
	const char *network_name; /* "bridge" or a named network (RT_NET_PRIVATE) */
	struct net_ports ports;	  /* -p / -P, host ports chosen at attach */
};

static void plan_free(struct run_plan *p)
{
	free(p->name);
	free(p->image_ref);
	rt_image_free(&p->image);
	gk_strv_free(p->argv);
	gk_strv_free(p->env);
	gk_strv_free(p->entrypoint);
	gk_strv_free(p->cmd);
	free(p->cwd);
	free(p->user);
	free(p->hostname);
	free(p->stop_signal);
	for (size_t i = 0; i < p->n_mounts; i++) {
		free(p->mounts[i].source);
		free(p->mounts[i].target);
		free(p->mounts[i].options);
		free(p->mounts[i].volume);
	}
	free(p->mounts);
	free(p->state_dir);
	free(p->run_dir);
	free(p->mountpoints_dir);
	net_ports_free(&p->ports);
	free(p->seccomp_cache);
}

static void push_mount(struct run_plan *p, struct rt_mount m)
{
	struct rt_mount *nm = realloc(p->mounts, (p->n_mounts + 1) * sizeof(*p->mounts));
	if (!nm)
		abort(); /* as gk_malloc0 does: no sane recovery */
	p->mounts = nm;
	p->mounts[p->n_mounts++] = m;
}

/* -v HOST:CTR[:ro|rw]; a HOST not starting with '/' is a named volume under
 * $GOCKER_ROOT/volumes/NAME/_data. */
static int parse_volume(struct run_plan *p, const char *arg, struct gk_err *err)
{
	_cleanup_free_ char *copy = gk_strdup(arg);
	char *parts[4] = {0};
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, ":", &save); t && n < 4; t = strtok_r(NULL, ":", &save))
		parts[n++] = t;
	if (n < 2 || n > 3)
		return gk_err_set(err, 0, "invalid volume specification: '%s'", arg);
	int ro = 0;
	if (n == 3) {
		if (!strcmp(parts[2], "ro"))
			ro = 1;
		else if (strcmp(parts[2], "rw") != 0)
			return gk_err_set(err, 0, "invalid mode: %s", parts[2]);
	}
	if (parts[1][0] != '/')
		return gk_err_set(err, 0,
				  "invalid volume specification: '%s': mount path must be "
				  "absolute",
				  arg);
	/* Docker's CLI (23+): a source starting with "." is a host path
	 * relative to the current directory ("./data", "../x", "."). */
	_cleanup_free_ char *abs = NULL;
	if (parts[0][0] == '.') {
		abs = realpath(parts[0], NULL);
		if (!abs)
			return gk_err_set(
			    err, errno, "invalid mount config: bind source path does not exist: %s",
			    parts[0]);
		parts[0] = abs;
	}
	/* Docker's rule for local volume names (the container name rule); it
	 * also keeps "a/b" from reaching outside volumes/. */
	if (parts[0][0] != '/' && !rt_ctr_name_valid(parts[0]))
		return gk_err_set(err, 0,
				  "create %s: \"%s\" includes invalid characters for a local "
				  "volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If "
				  "you intended to pass a host directory, use absolute path",
				  parts[0], parts[0]);
	struct rt_mount m = {.target = gk_strdup(parts[1]), .readonly = ro};
	if (parts[0][0] == '/') {
		m.source = gk_strdup(parts[0]);
	} else {
		m.source = gk_strdup_printf("%s/volumes/%s/_data", gk_root_dir(), parts[0]);
		m.volume = gk_strdup(parts[0]);
	}
	push_mount(p, m);
	return 0;
}

static int parse_tmpfs(struct run_plan *p, const char *arg, struct gk_err *err)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *target = colon ? strndup(arg, (size_t)(colon - arg)) : gk_strdup(arg);
	if (target[0] != '/')
		return gk_err_set(err, 0, "invalid tmpfs mount %s: path must be absolute", arg);
	struct rt_mount m = {.target = gk_steal_ptr(target), .tmpfs = 1};
	m.options = gk_strdup(colon ? colon + 1 : "");
	if (strstr(m.options, "ro") == m.options && (m.options[2] == ',' || !m.options[2]))
		m.readonly = 1;
	push_mount(p, m);
	return 0;
}

/* As the original Gocker and Docker do: an image not in the store is pulled,
 * its progress on stderr, then resolved again. */
static int pull_image(struct rt_store *store, const char *image, int missing, struct rt_image *out,
		      struct gk_err *err)
{
	struct rt_ref ref;
	struct gk_err perr;
	if (rt_ref_parse(image, &ref, &perr) < 0)
		return gk_err_wrap(err, "Unable to find image '%s' locally", image);
	_cleanup_free_ char *fam = rt_ref_familiar(&ref);
	rt_ref_free(&ref);
	if (missing)
		fprintf(stderr, "Unable to find image '%s' locally\n", fam);
	struct rt_pull_view *view = rt_pull_view_new(stderr, isatty(STDERR_FILENO));
	struct rt_pull_opts po = {.progress = rt_pull_view_event, .progress_ctx = view};
	struct rt_pull_result res;
	int rc = rt_pull(store, image, &po, &res, err);
	rt_pull_view_free(view);
	if (rc < 0)
		return -1;
	fprintf(stderr, "Digest: %s\nStatus: %s for %s\n", res.digest,
		res.up_to_date ? "Image is up to date" : "Downloaded newer image", res.familiar);
	rt_pull_result_free(&res);
	return rt_image_resolve(store, image, out, err);
}

/* --network and the published ports: everything checked here, before any
 * container exists, so a bad -p is a clear error with nothing to undo. */
static int plan_network(struct run_plan *p, const struct run_opts *o, json_object *image_cfg,
			struct gk_err *err)
{
	struct net_network net;
	if (!strcmp(o->network, "none"))
		p->network = RT_NET_NONE;
	else if (!strcmp(o->network, "host"))
		p->network = RT_NET_HOST;
	else if (net_network_lookup(o->network, &net, err) < 0)
		return -1;
	else {
		p->network = RT_NET_PRIVATE;
		p->network_name = o->network;
	}
	if (p->network != RT_NET_PRIVATE) {
		if (o->publish || o->publish_all)
			gk_warn("Published ports are discarded when using %s network mode",
				o->network);
		return 0;
	}
	for (size_t i = 0; o->publish && o->publish[i]; i++)
		if (net_port_parse(o->publish[i], &p->ports, err) < 0)
			return -1;
	json_object *exposed = gk_json_obj(image_cfg, "ExposedPorts");
	if (o->publish_all && exposed) {
		json_object_object_foreach(exposed, port, v)
		{
			(void)v;
			if (net_port_parse_exposed(port, &p->ports, err) < 0)
				return -1;
		}
	}
	return net_container_precheck(p->network_name, &p->ports, err);
}

/* /etc/hosts, /etc/resolv.conf and /etc/hostname: files in the container's
 * run directory (regenerated at every start, so they need no disk), bind-mounted; written now
 * (without the address) so they exist when the container mounts them, rewritten by
 * net_container_setup(). */
static int prepare_network_files(struct run_plan *p, struct gk_err *err)
{
	if (p->network == RT_NET_HOST)
		return 0;
	if (net_container_files(p->run_dir, NULL, p->hostname, p->name, err) < 0)
		return -1;
	static const char *const files[] = {"hosts", "resolv.conf", "hostname"};
	for (size_t i = 0; i < 3; i++) {
		struct rt_mount m = {
		    .source = gk_strdup_printf("%s/%s", p->run_dir, files[i]),
		    .target = gk_strdup_printf("/etc/%s", files[i]),
		};
		push_mount(p, m);
	}
	return 0;
}

static int plan_build(struct run_plan *p, const struct run_opts *o, const char *image,
		      char **cmd_args, struct gk_err *err)
{
	p->image_ref = gk_strdup(image);
	struct rt_store *store = NULL;
	if (rt_store_open(NULL, &store, err) < 0)
		return -1;
	const char *policy = o->pull ? o->pull : "missing";
	int rc =
	    strcmp(policy, "always") == 0 ? -1 : rt_image_resolve(store, image, &p->image, err);
	if (strcmp(policy, "always") == 0 ||
	    (rc < 0 && strcmp(policy, "missing") == 0 && err->errnum == ENOENT &&
	     strncmp(err->msg, "No such image", 13) == 0))
		rc = pull_image(store, image, strcmp(policy, "always") != 0, &p->image, err);
	else if (rc < 0)
		gk_err_wrap(err, "Unable to find image '%s' locally", image);
	rt_store_close(store);
	if (rc < 0)
		return -1;
	json_object *cc = gk_json_obj(p->image.config, "config");
	/* Entrypoint + Cmd, as Docker combines them. */
	if (o->entrypoint)
		p->entrypoint = o->entrypoint[0]
				    ? gk_strv_dup((char *[]){(char *)o->entrypoint, NULL})
				    : gk_malloc0(sizeof(char *));
	else
		p->entrypoint = gk_json_strv(gk_json_array(cc, "Entrypoint"));
	if (cmd_args && cmd_args[0])
		p->cmd = gk_strv_dup(cmd_args);
	else if (o->entrypoint)
		p->cmd = gk_malloc0(sizeof(char *)); /* --entrypoint resets the image's Cmd */
	else
		p->cmd = gk_json_strv(gk_json_array(cc, "Cmd"));
	p->argv = gk_strv_dup(p->entrypoint);
	for (size_t i = 0; p->cmd[i]; i++)
		gk_strv_push(&p->argv, p->cmd[i]);
	if (!p->argv[0])
		return gk_err_set(err, 0, "no command specified");
	/* Environment: image, then HOSTNAME, then -e and --env-file. */
	p->hostname = o->hostname ? gk_strdup(o->hostname) : gk_strdup_printf("%.12s", p->id);
	p->env = gk_json_strv(gk_json_array(cc, "Env"));
	{
		_cleanup_free_ char *h = gk_strdup_printf("HOSTNAME=%s", p->hostname);
		env_set(&p->env, h);
	}
	if (o->tty)
		env_set(&p->env, "TERM=xterm");
	for (size_t i = 0; o->env_files && o->env_files[i]; i++)
		if (env_add_file(&p->env, o->env_files[i], err) < 0)
			return -1;
	for (size_t i = 0; o->env && o->env[i]; i++)
		if (env_add_arg(&p->env, o->env[i], err) < 0)
			return -1;
	const char *wd = o->workdir ? o->workdir : gk_json_str(cc, "WorkingDir");
	p->cwd = gk_strdup(wd && *wd ? wd : "/");
	const char *user = o->user ? o->user : gk_json_str(cc, "User");
	p->user = gk_strdup(user ? user : "");
	const char *ss = gk_json_str(cc, "StopSignal");
	p->stop_signal = gk_strdup(ss ? ss : "SIGTERM");
	for (size_t i = 0; o->volumes && o->volumes[i]; i++)
		if (parse_volume(p, o->volumes[i], err) < 0)
			return -1;
	for (size_t i = 0; o->tmpfs && o->tmpfs[i]; i++)
		if (parse_tmpfs(p, o->tmpfs[i], err) < 0)
			return -1;
	if (plan_network(p, o, cc, err) < 0)
		return -1;
	p->state_dir = rt_ctr_dir(p->id);
	p->run_dir = rt_ctr_run_dir(p->id);
	p->mountpoints_dir = gk_strdup_printf("%s/mountpoints", gk_run_dir());
	p->seccomp_cache = gk_strdup_printf("%s/seccomp", gk_run_dir());
	return 0;
}

static void spec_from_plan(struct rt_spec *s, struct run_plan *p, const struct run_opts *o)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->id, p->id, sizeof(s->id));
	s->state_dir = p->state_dir;
	s->run_dir = p->run_dir;
	s->mountpoints_dir = p->mountpoints_dir;
	s->cgroup_root = RT_CGROUP_ROOT;
	s->seccomp_cache_dir = p->seccomp_cache;
	s->layer_dirs = p->image.layer_dirs;
	s->argv = p->argv;
	s->env = p->env;
	s->cwd = p->cwd;
	s->user = p->user;
	s->hostname = p->hostname;
	s->mounts = p->mounts;
	s->n_mounts = p->n_mounts;
	s->readonly_root = o->readonly;
	s->ephemeral = o->rm;
	s->init = o->init;
	s->network = p->network;
	s->limits = o->limits;
	s->security.cap_add = o->cap_add;
	s->security.cap_drop = o->cap_drop;
	s->security.privileged = o->privileged;
	s->stdio_fds[0] = o->interactive ? 0 : -1;
	/* -di: a stdin that stays open (the monitor holds its write end), as
	 * Docker's: `run -di busybox sh` keeps running instead of reading EOF. */
	s->open_stdin = o->interactive && o->detach && !o->tty;
	s->stdio_fds[1] = 1;
	s->stdio_fds[2] = 2;
	/* As Docker's, a container without -t never gets a terminal: ours
	 * become pipes we relay (files and pipes are passed on as they are). */
	for (int i = 0; i < 3 && !o->tty && !o->detach; i++)
		if (s->stdio_fds[i] == i && isatty(i))
			s->stdio_fds[i] = RT_STDIO_FD_PIPE;
	struct winsize ws;
	if (o->tty && !o->detach && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		s->tty_rows = ws.ws_row;
		s->tty_cols = ws.ws_col;
	}
	if (o->tty)
		s->stdio = RT_STDIO_TTY;
	else if (o->detach)
		s->stdio = RT_STDIO_PIPE;
	else
		s->stdio = RT_STDIO_INHERIT;
}

static json_object *mounts_json(const struct run_plan *p)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct rt_mount *m = &p->mounts[i];
		if (m->tmpfs)
			continue;
		json_object *o = json_object_new_object();
		json_object_object_add(o, "Type",
				       json_object_new_string(m->volume ? "volume" : "bind"));
		if (m->volume)
			json_object_object_add(o, "Name", json_object_new_string(m->volume));
		json_object_object_add(o, "Source", json_object_new_string(m->source));
		json_object_object_add(o, "Destination", json_object_new_string(m->target));
		json_object_object_add(o, "Mode", json_object_new_string(m->readonly ? "ro" : ""));
		json_object_object_add(o, "RW", json_object_new_boolean(!m->readonly));
		json_object_object_add(o, "Propagation", json_object_new_string("rprivate"));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *config_json(const struct run_plan *p, const struct run_opts *o)
{
	json_object *root = json_object_new_object();
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char created[64];
	gk_format_time(&now, created, sizeof(created));
	json_object_object_add(root, "Id", json_object_new_string(p->id));
	json_object_object_add(root, "Created", json_object_new_string(created));
	json_object_object_add(root, "Path", json_object_new_string(p->argv[0]));
	json_object_object_add(root, "Args", gk_json_from_strv(p->argv + 1));
	json_object_object_add(root, "Image", json_object_new_string(p->image.id));
	_cleanup_free_ char *name = gk_strdup_printf("/%s", p->name);
	json_object_object_add(root, "Name", json_object_new_string(name));

	json_object *c = json_object_new_object();
	json_object_object_add(c, "Hostname", json_object_new_string(p->hostname));
	json_object_object_add(c, "User", json_object_new_string(p->user));
	json_object_object_add(c, "Tty", json_object_new_boolean(o->tty));
	json_object_object_add(c, "OpenStdin", json_object_new_boolean(o->interactive));
	json_object_object_add(c, "Env", gk_json_from_strv(p->env));
	json_object_object_add(c, "Cmd", gk_json_from_strv(p->cmd));
	json_object_object_add(c, "Image", json_object_new_string(p->image_ref));
	json_object_object_add(c, "WorkingDir", json_object_new_string(p->cwd));
	json_object_object_add(c, "Entrypoint",
			       p->entrypoint[0] ? gk_json_from_strv(p->entrypoint) : NULL);
	json_object_object_add(c, "StopSignal", json_object_new_string(p->stop_signal));
	json_object_object_add(root, "Config", c);

	json_object *h = json_object_new_object();
	json_object *binds = json_object_new_array();
	json_object *tmpfs = json_object_new_object();
	for (size_t i = 0; i < p->n_mounts; i++) {
		const struct rt_mount *m = &p->mounts[i];
		if (m->tmpfs) {
			json_object_object_add(tmpfs, m->target,
					       json_object_new_string(m->options));
		} else {
			_cleanup_free_ char *b =
			    gk_strdup_printf("%s:%s%s", m->volume ? m->volume : m->source,
					     m->target, m->readonly ? ":ro" : "");
			json_object_array_add(binds, json_object_new_string(b));
		}
	}
	json_object_object_add(h, "Binds", binds);
	json_object_object_add(h, "Tmpfs", tmpfs);
	json_object_object_add(h, "NetworkMode", json_object_new_string(o->network));
	json_object *pb = json_object_new_object();
	for (size_t i = 0; i < p->ports.n; i++) {
		const struct net_port *np = &p->ports.v[i];
		char key[32];
		snprintf(key, sizeof(key), "%d/%s", np->container_port, np->proto);
		json_object *arr = gk_json_array(pb, key);
		if (!arr) {
			arr = json_object_new_array();
			json_object_object_add(pb, key, arr);
		}
		json_object *b = json_object_new_object();
		json_object_object_add(b, "HostIp", json_object_new_string(np->host_ip));
		_cleanup_free_ char *hp =
		    np->host_port > 0 ? gk_strdup_printf("%d", np->host_port) : gk_strdup("");
		json_object_object_add(b, "HostPort", json_object_new_string(hp));
		json_object_array_add(arr, b);
	}
	json_object_object_add(h, "PortBindings", pb);
	json_object_object_add(h, "PublishAllPorts", json_object_new_boolean(o->publish_all));
	json_object_object_add(h, "AutoRemove", json_object_new_boolean(o->rm));
	json_object_object_add(h, "Privileged", json_object_new_boolean(o->privileged));
	json_object_object_add(h, "ReadonlyRootfs", json_object_new_boolean(o->readonly));
	json_object_object_add(h, "Init", json_object_new_boolean(o->init));
	json_object_object_add(h, "CapAdd", gk_json_from_strv(o->cap_add));
	json_object_object_add(h, "CapDrop", gk_json_from_strv(o->cap_drop));
	json_object_object_add(h, "Memory", json_object_new_int64(o->limits.memory));
	json_object_object_add(h, "MemorySwap", json_object_new_int64(rt_limits_memsw(&o->limits)));
	json_object_object_add(h, "NanoCpus", json_object_new_int64(o->limits.nano_cpus));
	json_object_object_add(h, "PidsLimit", json_object_new_int64(o->limits.pids));
	json_object_object_add(root, "HostConfig", h);
	json_object_object_add(root, "Mounts", mounts_json(p));
	return root;
}

/* Undo a registration cut short: the id is ours alone (fresh and random),
 * so whatever exists under it was made by this run. */
static void forget_container(const char *id)
{
	_cleanup_free_ char *dir = rt_ctr_dir(id);
	_cleanup_free_ char *run = rt_ctr_run_dir(id);
	gk_remove_tree(dir, &(struct gk_err){0});
	gk_remove_tree(run, &(struct gk_err){0});
}

/* Pick the id and name and write config.json, all under the containers lock
 * so two runs never take the same name. */
static int register_container(struct run_plan *p, const struct run_opts *o, struct gk_err *err)
{
	_cleanup_json_ json_object *cfg = NULL;
	int lock = rt_ctr_lock(err);
	if (lock < 0)
		return -1;
	int rc = -1;
	char owner[65];
	if (o->name && rt_ctr_name_owner(o->name, owner)) {
		gk_err_set(err, 0,
			   "Conflict. The container name \"/%s\" is already in use by container "
			   "\"%s\". You have to remove (or rename) that container to be able to "
			   "reuse that name.",
			   o->name[0] == '/' ? o->name + 1 : o->name, owner);
		goto out;
	}
	p->name =
	    o->name ? gk_strdup(o->name[0] == '/' ? o->name + 1 : o->name) : rt_ctr_name_generate();
	if (rt_ctr_name_claim(p->name, p->id, err) < 0)
		goto out;
	for (size_t i = 0; i < p->n_mounts; i++)
		if (p->mounts[i].volume && gk_mkdir_p(p->mounts[i].source, 0755, err) < 0)
			goto out;
	cfg = config_json(p, o);
	if (rt_ctr_config_write(p->id, cfg, err) < 0)
		goto out;
	/* We launch it: rm -f finds us as its monitor, and stops us before it
	 * removes anything (we would bring the container back). */
	struct rt_ctr_state st = {.monitor_pid = getpid(),
				  .monitor_start = rt_proc_start_time(getpid())};
	snprintf(st.status, sizeof(st.status), "created");
	if (rt_ctr_state_write(p->id, &st, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		forget_container(p->id);
		if (p->name)
			rt_ctr_name_release(p->name, p->id);
	}
	gk_unlock(lock);
	return rc;
}

/* ---- running it ---- */

/* The one place where a container's network is set up, in the namespace
 * rt_create made for it (ctr->netns_fd), which the process joins before it
 * waits for rt_start. */
static int attach_network(const struct run_plan *p, const struct rt_container *ctr, int detached,
			  struct gk_err *err)
{
	if (p->network != RT_NET_PRIVATE)
		return 0; /* none: only lo, down, as Docker's; host: the host's */
	struct net_container_req req = {
	    .id = p->id,
	    .name = p->name,
	    .hostname = p->hostname,
	    .netns_fd = ctr->netns_fd,
	    .network = p->network_name,
	    .ports = &p->ports,
	    .files_dir = p->run_dir,
	};
	if (!detached) {
		struct net_container_info info;
		if (net_container_setup(&req, &info, err) < 0)
			return -1;
		net_container_info_free(&info);
		return 0;
	}
	/* In a short-lived child: the monitor of a detached container then never
	 * maps in libnftables and libnl pages (it stays a few MB smaller). */
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return gk_err_set(err, errno, "pipe");
	pid_t monitor = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return gk_err_set(err, errno, "fork");
	}
	if (pid == 0) {
		/* Killed with the monitor (rm -f of a container still starting):
		 * never left to set up a network for a container that is gone. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != monitor)
			_exit(1);
		close(fds[0]);
		struct gk_err e = {0};
		struct net_container_info info;
		if (net_container_setup(&req, &info, &e) < 0) {
			(void)!write(fds[1], &e, sizeof(e));
			_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	struct gk_err child = {0};
	ssize_t n;
	do
		n = read(fds[0], &child, sizeof(child));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child)) {
		child.msg[sizeof(child.msg) - 1] = '\0';
		*err = child;
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return gk_err_set(err, 0, "network setup of %.12s failed", p->id);
	return 0;
}

static int record_running(const struct run_plan *p, const struct rt_container *ctr,
			  struct gk_err *err)
{
	struct rt_ctr_state st = {.pid = ctr->pid, .start_time = ctr->start_time};
	snprintf(st.status, sizeof(st.status), "running");
	st.monitor_pid = getpid();
	if (ctr->cgroup)
		snprintf(st.cgroup_path, sizeof(st.cgroup_path), "%s", rt_cgroup_path(ctr->cgroup));
	st.monitor_start = rt_proc_start_time(getpid());
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	gk_format_time(&now, st.started_at, sizeof(st.started_at));
	int rc = rt_ctr_state_replace(p->id, &st, err);
	if (rc == 0)
		return gk_err_set(err, ENOENT, "container %s was removed while it started", p->id);
	return rc < 0 ? -1 : 0;
}

/* Create, attach, start. On failure *code is the exit status to return. */
static int launch(struct run_plan *p, const struct run_opts *o, struct rt_container *ctr, int *code,
		  struct gk_err *err)
{
	struct rt_spec spec;
	spec_from_plan(&spec, p, o);
	*code = GK_EXIT_FAILURE;
	if (rt_create(&spec, ctr, err) < 0)
		return -1;
	if (attach_network(p, ctr, o->detach, err) < 0) {
		kill(ctr->pid, SIGKILL);
		rt_wait(ctr, &(struct gk_err){0});
		return -1;
	}
	if (record_running(p, ctr, err) < 0) {
		kill(ctr->pid, SIGKILL);
		rt_wait(ctr, &(struct gk_err){0});
		/* Removed meanwhile: the address and ports it just got are no
		 * one else's to free. */
		if (err->errnum == ENOENT && p->network == RT_NET_PRIVATE)
			net_container_teardown_flags(p->id, NET_TEARDOWN_NETNS_GONE,
						     &(struct gk_err){0});
		return -1;
	}
	if (rt_start(ctr, err) < 0) {
		*code = ctr->failure ? (int)ctr->failure : GK_EXIT_FAILURE;
		rt_wait(ctr, &(struct gk_err){0});
		return -1;
	}
	return 0;
}

/* The network and, with --rm, everything else, once the container's
 * processes are gone (rt_ctr_finish has recorded the exit). */
static void teardown(const char *id, int private_network, int rm)
{
	struct gk_err e = {0};
	/* Its netns and veth pair went with the processes in the kernel; with
	 * --rm free the address, ports and rules (without, they stay the
	 * container's until rm). */
	if (private_network && rm &&
	    net_container_teardown_flags(id, NET_TEARDOWN_NETNS_GONE, &e) < 0)
		gk_debug("network of %s: %s", id, e.msg);
	if (rm && rt_ctr_remove(id, RT_REMOVE_FORCE | RT_REMOVE_CGROUP_GONE, &e) < 0)
		gk_debug("remove %s: %s", id, e.msg);
}

/* After the exit: OOM check, state, cgroup; --rm removes everything. */
static void finish(struct run_plan *p, const struct run_opts *o, struct rt_container *ctr, int code,
		   int started)
{
	rt_ctr_finish(p->id, ctr->cgroup, code, started, !o->rm);
	rt_container_release(ctr);
	teardown(p->id, p->network == RT_NET_PRIVATE, o->rm);
}

/* Failures to start the command read as Docker's daemon errors. */
static void print_launch_error(int code, const struct gk_err *err)
{
	if (code == RT_FAIL_NOEXEC || code == RT_FAIL_NOTFOUND)
		fprintf(stderr, "gocker: Error response from daemon: %s\n", err->msg);
	else
		gk_print_err(err);
}

static int run_foreground(struct run_plan *p, const struct run_opts *o)
{
	struct gk_err err = {0};
	struct rt_container ctr;
	sigset_t old;
	rt_attach_block_signals(&old);
	int code;
	if (launch(p, o, &ctr, &code, &err) < 0) {
		print_launch_error(code, &err);
		finish(p, o, &ctr, code, 0);
		return code;
	}
	/* Durable while the container runs, not on its way to start. */
	if (!o->rm && rt_ctr_config_sync(p->id, &err) < 0)
		gk_debug("%s", err.msg);
	int pipes[3] = {ctr.stdin_fd, ctr.stdout_fd, ctr.stderr_fd};
	ctr.stdin_fd = ctr.stdout_fd = ctr.stderr_fd = -1; /* rt_attach_wait closes them */
	code = rt_attach_wait(ctr.pid, ctr.pidfd, ctr.tty_master, o->interactive, pipes, &err);
	finish(p, o, &ctr, code, 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return code;
}

static void detach_stdio(void)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(nul, i);
	if (nul > 2)
		close(nul);
}

/* Become gocker-monitor (monitor/main.c), found next to this executable.
 * The same process, so the container stays our child and MonitorPid (pid and
 * /proc start time) stays true, but under 1 MB resident instead of 4 MB of
 * gocker and its shared libraries; it writes the log, reaps the
 * container and comes back as `gocker __monitor-finish`. Returns only when
 * the exec failed: the caller then does the same in this process. */
static void exec_monitor(const char *id, const struct rt_container *ctr, int log_fd)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	const char *slash = strrchr(self, '/');
	if (!slash)
		return;
	_cleanup_free_ char *helper =
	    gk_strdup_printf("%.*s/gocker-monitor", (int)(slash - self), self);
	int fds[] = {ctr->pidfd, ctr->stdout_fd, ctr->stderr_fd, log_fd, ctr->stdin_fd};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, 0);
	char num[6][16];
	snprintf(num[0], sizeof(num[0]), "%d", (int)ctr->pid);
	for (size_t i = 0; i < 5; i++)
		snprintf(num[i + 1], sizeof(num[i + 1]), "%d", fds[i]);
	char *const argv[] = {"gocker-monitor", (char *)id, num[0], num[1], num[2],
			      num[3],		num[4],	    self,   num[5], NULL};
	execv(helper, argv);
	gk_debug("exec %s: %s", helper, strerror(errno));
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			fcntl(fds[i], F_SETFD, FD_CLOEXEC);
}

/* The monitor: parent of a detached container for its whole life. */
static void __attribute__((noreturn))
monitor_main(struct run_plan *p, const struct run_opts *o, int report_fd)
{
	setsid();
	detach_stdio();
	if (chdir("/") < 0) {
		/* keep going from wherever we are */
	}
	struct gk_err err = {0};
	struct rt_container ctr;
	rt_container_init(&ctr); /* finish() releases it even when launch() never ran */
	int code = GK_EXIT_FAILURE;
	_cleanup_free_ char *log_path = rt_ctr_log_path(p->id);
	/* The launcher is this process from here on, not the CLI that forked
	 * it: rm -f stops the one the state names. */
	struct rt_ctr_state st = {.monitor_pid = getpid(),
				  .monitor_start = rt_proc_start_time(getpid())};
	snprintf(st.status, sizeof(st.status), "created");
	int claimed = rt_ctr_state_replace(p->id, &st, &err);
	if (claimed <= 0) {
		if (claimed == 0)
			gk_err_set(&err, ENOENT, "container %s was removed while it started",
				   p->id);
		goto failed;
	}
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log_fd < 0) {
		gk_err_set(&err, errno, "open %s", log_path);
		goto failed;
	}
	if (launch(p, o, &ctr, &code, &err) < 0)
		goto failed;
	struct {
		int code;
		char msg[GK_ERR_MSG_MAX];
	} ok = {0};
	(void)!write(report_fd, &ok, sizeof(ok));
	close(report_fd);
	/* Keep nothing big around while the container runs. */
	json_object_put(p->image.config);
	p->image.config = NULL;
	if (!o->rm && rt_ctr_config_sync(p->id, &err) < 0)
		gk_debug("%s", err.msg);
	malloc_trim(0);
	/* -dt: the terminal's output is the container's stdout. */
	if (ctr.tty_master >= 0) {
		ctr.stdout_fd = gk_steal_fd(ctr.tty_master);
		ctr.stderr_fd = -1;
	}
	exec_monitor(p->id, &ctr, log_fd);
	code = rt_monitor_logs(ctr.stdout_fd, ctr.stderr_fd, ctr.pidfd, ctr.pid, log_fd, &err);
	ctr.stdout_fd = ctr.stderr_fd = -1;
	finish(p, o, &ctr, code, 1);
	_exit(0);
failed : {
	struct {
		int code;
		char msg[GK_ERR_MSG_MAX];
	} rep = {.code = code};
	snprintf(rep.msg, sizeof(rep.msg), "%s", err.msg);
	(void)!write(report_fd, &rep, sizeof(rep));
	finish(p, o, &ctr, code, 0);
	_exit(code);
}
}

static int run_detached(struct run_plan *p, const struct run_opts *o)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		perror("gocker: pipe");
		return GK_EXIT_FAILURE;
	}
	fflush(NULL);
	pid_t m = fork();
	if (m < 0) {
		perror("gocker: fork");
		return GK_EXIT_FAILURE;
	}
	if (m == 0) {
		close(fds[0]);
		monitor_main(p, o, fds[1]);
	}
	close(fds[1]);
	struct {
		int code;
		char msg[GK_ERR_MSG_MAX];
	} rep = {.code = GK_EXIT_FAILURE};
	ssize_t n = read(fds[0], &rep, sizeof(rep));
	close(fds[0]);
	if (n != (ssize_t)sizeof(rep)) {
		fprintf(stderr, "gocker: the container monitor died during setup\n");
		return GK_EXIT_FAILURE;
	}
	if (rep.code != 0) {
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		struct gk_err e = {0};
		snprintf(e.msg, sizeof(e.msg), "%s", rep.msg);
		print_launch_error(rep.code, &e);
		return rep.code;
	}
	printf("%s\n", p->id);
	return 0;
}

enum {
	OPT_NAME = 1000,
	OPT_RM,
	OPT_ENV_FILE,
	OPT_HOSTNAME,
	OPT_ENTRYPOINT,
	OPT_TMPFS,
	OPT_READ_ONLY,
	OPT_INIT,
	OPT_NETWORK,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_MEM,
	OPT_SWAP,
	OPT_MEMORY_SWAP,
	OPT_CPUS,
	OPT_PIDS,
	OPT_PULL,
};

static int run_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, OPT_NAME},
	    {"rm", no_argument, NULL, OPT_RM},
	    {"detach", no_argument, NULL, 'd'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"tty", no_argument, NULL, 't'},
	    {"env", required_argument, NULL, 'e'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"entrypoint", required_argument, NULL, OPT_ENTRYPOINT},
	    {"pull", required_argument, NULL, OPT_PULL},
	    {"volume", required_argument, NULL, 'v'},
	    {"tmpfs", required_argument, NULL, OPT_TMPFS},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"init", no_argument, NULL, OPT_INIT},
	    {"network", required_argument, NULL, OPT_NETWORK},
	    {"net", required_argument, NULL, OPT_NETWORK},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
	    {"mem", required_argument, NULL, OPT_MEM},
	    {"swap", required_argument, NULL, OPT_SWAP},
	    {"memory", required_argument, NULL, 'm'},
	    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"pids", required_argument, NULL, OPT_PIDS},
	    {"pids-limit", required_argument, NULL, OPT_PIDS},
	    {"publish", required_argument, NULL, 'p'},
	    {"publish-all", no_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct run_opts o = {.network = NET_DEFAULT_NAME, .mem_mb = -1, .swap_mb = -1};
	const char *mem = NULL, *memswap = NULL, *cpus = NULL, *pids = NULL;
	struct gk_err err = {0};
	int done = 0, c, rc = GK_EXIT_FAILURE;
	struct run_plan plan;
	memset(&plan, 0, sizeof(plan));
	while ((c = gk_cmd_getopt(self, argc, argv, "+dite:w:u:v:m:p:Ph", opts, &done)) != -1) {
		if (done) {
			opts_free(&o);
			return c;
		}
		switch (c) {
		case OPT_NAME:
			/* --name "" is no name, as Docker: one is generated */
			o.name = *optarg ? optarg : NULL;
			break;
		case OPT_RM:
			o.rm = 1;
			break;
		case 'd':
			o.detach = 1;
			break;
		case 'i':
			o.interactive = 1;
			break;
		case 't':
			o.tty = 1;
			break;
		case 'e':
			gk_strv_push(&o.env, optarg);
			break;
		case OPT_ENV_FILE:
			gk_strv_push(&o.env_files, optarg);
			break;
		case 'w':
			o.workdir = optarg;
			break;
		case 'u':
			o.user = optarg;
			break;
		case OPT_HOSTNAME:
			o.hostname = optarg;
			break;
		case OPT_ENTRYPOINT:
			o.entrypoint = optarg;
			break;
		case OPT_PULL:
			if (strcmp(optarg, "missing") && strcmp(optarg, "never") &&
			    strcmp(optarg, "always")) {
				opts_free(&o);
				return gk_cmd_usage_error(
				    self,
				    "invalid pull option: '%s': must be one of "
				    "\"always\", \"missing\" or \"never\"",
				    optarg);
			}
			o.pull = optarg;
			break;
		case 'v':
			gk_strv_push(&o.volumes, optarg);
			break;
		case OPT_TMPFS:
			gk_strv_push(&o.tmpfs, optarg);
			break;
		case OPT_READ_ONLY:
			o.readonly = 1;
			break;
		case OPT_INIT:
			o.init = 1;
			break;
		case OPT_NETWORK:
			o.network = optarg;
			break;
		case OPT_CAP_ADD:
			gk_strv_push(&o.cap_add, optarg);
			break;
		case OPT_CAP_DROP:
			gk_strv_push(&o.cap_drop, optarg);
			break;
		case OPT_PRIVILEGED:
			o.privileged = 1;
			break;
		case 'm':
			mem = optarg;
			break;
		case OPT_MEMORY_SWAP:
			memswap = optarg;
			break;
		case OPT_CPUS:
			cpus = optarg;
			break;
		case OPT_PIDS:
			pids = optarg;
			break;
		case 'p':
			gk_strv_push(&o.publish, optarg);
			break;
		case 'P':
			o.publish_all = 1;
			break;
		case OPT_MEM:
			if (parse_int(optarg, &o.mem_mb) < 0 || o.mem_mb <= 0 ||
			    o.mem_mb > MAX_MB) {
				rc = gk_cmd_usage_error(self,
							"invalid --mem value \"%s\": a number "
							"of megabytes",
							optarg);
				goto out;
			}
			break;
		case OPT_SWAP:
			if (parse_int(optarg, &o.swap_mb) < 0 || o.swap_mb < 0 ||
			    o.swap_mb > MAX_MB) {
				rc = gk_cmd_usage_error(self,
							"invalid --swap value \"%s\": a number "
							"of megabytes",
							optarg);
				goto out;
			}
			break;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		rc = gk_cmd_usage_error(self, "requires at least 1 argument");
		goto out;
	}
	/* As Docker refuses: relayed into the pty, the end of a stdin that is
	 * no terminal would never reach the container, which would wait forever. */
	if (o.interactive && o.tty && !o.detach && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "the input device is not a TTY\n");
		rc = 1;
		goto out;
	}
	if (o.name && !rt_ctr_name_valid(o.name)) {
		gk_err_set(&err, 0,
			   "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
			   "allowed",
			   o.name);
		goto fail;
	}
	if (parse_limits(&o, mem, memswap, cpus, pids, &err) < 0)
		goto fail;
	if (o.privileged == 0) {
		uint64_t mask;
		if (rt_caps_compute(
			&(struct rt_security){.cap_add = o.cap_add, .cap_drop = o.cap_drop}, &mask,
			&err) < 0)
			goto fail;
	}
	if (geteuid() != 0) {
		gk_err_set(&err, 0, "You need root privileges to run this program.");
		goto fail;
	}
	if (gk_random_hex(plan.id, RT_ID_LEN / 2, &err) < 0)
		goto fail;
	if (plan_build(&plan, &o, argv[optind], argv + optind + 1, &err) < 0)
		goto fail;
	struct rt_spec check;
	spec_from_plan(&check, &plan, &o);
	if (rt_spec_validate(&check, &err) < 0)
		goto fail;
	if (register_container(&plan, &o, &err) < 0)
		goto fail;
	if (prepare_network_files(&plan, &err) < 0) {
		rt_ctr_remove(plan.id, RT_REMOVE_FORCE, &(struct gk_err){0});
		goto fail;
	}
	rc = o.detach ? run_detached(&plan, &o) : run_foreground(&plan, &o);
	goto out;
fail:
	gk_print_err(&err);
	rc = GK_EXIT_FAILURE;
out:
	plan_free(&plan);
	opts_free(&o);
	return rc;
}

const struct gk_cmd gk_cmd_run = {
    .name = "run",
    .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
    .summary = "Create and run a new container from an image",
    .help = "      --name NAME          assign a name to the container\n"
	    "      --rm                 remove the container when it exits\n"
	    "  -d, --detach             run in the background and print the container id\n"
	    "  -i, --interactive        keep stdin open\n"
	    "  -t, --tty                allocate a pseudo-TTY\n"
	    "  -e, --env KEY=VAL        set an environment variable\n"
	    "      --env-file FILE      read environment variables from a file\n"
	    "  -w, --workdir DIR        working directory inside the container\n"
	    "  -u, --user USER[:GROUP]  user name or uid (and group)\n"
	    "      --hostname NAME      container host name\n"
	    "      --entrypoint CMD     override the image's entrypoint\n"
	    "      --pull POLICY        pull the image: missing (default), always, never\n"
	    "  -v, --volume SRC:DST[:ro] bind mount a host path or a named volume\n"
	    "      --tmpfs DST[:OPTS]   mount a tmpfs\n"
	    "      --read-only          mount the root filesystem read-only\n"
	    "      --init               run a built-in init as PID 1\n"
	    "      --network NET        bridge (default), none, host or a named network\n"
	    "  -p, --publish [IP:][HOSTPORT:]PORT[/PROTO]  publish a container port\n"
	    "  -P, --publish-all        publish the image's exposed ports on free host ports\n"
	    "      --cap-add CAP        add a capability\n"
	    "      --cap-drop CAP       drop a capability\n"
	    "      --privileged         all capabilities, no masked paths, no seccomp\n"
	    "      --mem MB             memory limit in megabytes\n"
	    "      --swap MB            swap allowed on top of --mem, in megabytes\n"
	    "  -m, --memory BYTES       memory limit (512m, 1g)\n"
	    "      --memory-swap BYTES  memory plus swap limit (-1: unlimited swap)\n"
	    "      --cpus N             number of CPUs (1.5)\n"
	    "      --pids N, --pids-limit N  maximum number of processes\n",
    .exec = run_exec,
};

/* `gocker __monitor-finish ID CODE`: internal, not listed in `gocker
 * --help` (runtime/main.c keeps it in a table of its own). gocker-monitor
 * execs it, in the monitor process, once it has reaped a detached container
 * that exited with CODE: what finish() does for a container gocker itself
 * ran, from the config recorded by `run`. */
static int monitor_finish_exec(const struct gk_cmd *self, int argc, char **argv)
{
	int64_t code;
	if (argc != 3 || strlen(argv[1]) != RT_ID_LEN ||
	    strspn(argv[1], "0123456789abcdef") != RT_ID_LEN || parse_int(argv[2], &code) < 0 ||
	    code < 0 || code > 255)
		return gk_cmd_usage_error(self, "internal command of gocker run -d");
	const char *id = argv[1];
	int rm = 0, private_network = 0;
	_cleanup_json_ json_object *cfg = NULL;
	struct gk_err err = {0};
	if (rt_ctr_config_read(id, &cfg, &err) == 0) {
		rm = gk_json_bool(gk_json_obj(cfg, "HostConfig"), "AutoRemove", 0);
		private_network = rt_ctr_config_private_network(cfg);
	}
	rt_ctr_finish(id, NULL, (int)code, 1, !rm);
	teardown(id, private_network, rm);
	return 0;
}

const struct gk_cmd gk_cmd_monitor_finish = {
    .name = "__monitor-finish",
    .usage = "ID CODE",
    .summary = "internal: record the end of a detached container",
    .exec = monitor_finish_exec,
};
