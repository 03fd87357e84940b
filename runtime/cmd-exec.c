/* gocker exec: run a command inside a running container. The process joins
 * the container's namespaces, cgroup and root from this very client, so its
 * exit code comes straight back. */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/paths.h"
#include "runtime/attach.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"

static void env_set(char ***env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
	for (size_t i = 0; *env && (*env)[i]; i++)
		if (!strncmp((*env)[i], kv, kl) && (*env)[i][kl] == '=') {
			free((*env)[i]);
			(*env)[i] = gk_strdup(kv);
			return;
		}
	gk_strv_push(env, kv);
}

static int env_has(char **env, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, kl) && env[i][kl] == '=')
			return 1;
	return 0;
}

static int exec_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"interactive", no_argument, NULL, 'i'}, {"tty", no_argument, NULL, 't'},
	    {"detach", no_argument, NULL, 'd'},	     {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},  {"workdir", required_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	int done = 0, c, interactive = 0, tty = 0, detach = 0;
	const char *user = NULL, *workdir = NULL;
	_cleanup_strv_ char **envs = NULL;
	while ((c = gk_cmd_getopt(self, argc, argv, "+itde:u:w:h", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'i':
			interactive = 1;
			break;
		case 't':
			tty = 1;
			break;
		case 'd':
			detach = 1;
			break;
		case 'e':
			/* a variable needs a name, as run -e checks */
			if (!*optarg || *optarg == '=')
				return gk_cmd_usage_error(self, "invalid environment variable: %s",
							  optarg);
			gk_strv_push(&envs, optarg);
			break;
		case 'u':
			user = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		default:
			return GK_EXIT_FAILURE;
		}
	}
	if (argc - optind < 2)
		return gk_cmd_usage_error(self, "requires at least 2 arguments");
	/* As Docker refuses: relayed into the pty, the end of a stdin that is
	 * no terminal would never reach the command, which would wait forever. */
	if (interactive && tty && !detach && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "the input device is not a TTY\n");
		return 1;
	}
	struct gk_err err = {0};
	char id[65];
	_cleanup_json_ json_object *cfg = NULL;
	struct rt_ctr_state st;
	if (rt_ctr_resolve(argv[optind], id, &err) < 0 || rt_ctr_config_read(id, &cfg, &err) < 0 ||
	    rt_ctr_state_read(id, &st, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	if (!rt_ctr_running(&st)) {
		fprintf(stderr, "Error response from daemon: container %s is not running\n", id);
		return 1;
	}
	if (workdir && workdir[0] != '/') {
		fprintf(stderr,
			"Error response from daemon: the working directory '%s' is "
			"invalid, it needs to be an absolute path\n",
			workdir);
		return 1;
	}
	json_object *cc = gk_json_obj(cfg, "Config"), *hc = gk_json_obj(cfg, "HostConfig");
	_cleanup_strv_ char **env = gk_json_strv(gk_json_array(cc, "Env"));
	/* Docker's exec environment: TERM=xterm with -t, unless the container's
	 * own Env (or -e, below) says otherwise. */
	if (tty && !env_has(env, "TERM"))
		gk_strv_push(&env, "TERM=xterm");
	for (size_t i = 0; envs && envs[i]; i++) {
		if (strchr(envs[i], '=')) {
			env_set(&env, envs[i]);
		} else if (getenv(envs[i])) {
			_cleanup_free_ char *kv =
			    gk_strdup_printf("%s=%s", envs[i], getenv(envs[i]));
			env_set(&env, kv);
		}
	}
	_cleanup_strv_ char **cap_add = gk_json_strv(gk_json_array(hc, "CapAdd"));
	_cleanup_strv_ char **cap_drop = gk_json_strv(gk_json_array(hc, "CapDrop"));
	_cleanup_free_ char *seccomp_cache = gk_strdup_printf("%s/seccomp", gk_run_dir());
	struct rt_exec_spec spec = {
	    .pid = st.pid,
	    .start_time = st.start_time,
	    .id = id,
	    .cgroup_root = RT_CGROUP_ROOT,
	    .seccomp_cache_dir = seccomp_cache,
	    .argv = argv + optind + 1,
	    .env = env,
	    .cwd = workdir ? workdir : gk_json_str(cc, "WorkingDir"),
	    .user = user ? user : gk_json_str(cc, "User"),
	    .tty = tty && !detach,
	    .stdin_null = !interactive || detach,
	    .security = {.cap_add = cap_add,
			 .cap_drop = cap_drop,
			 .privileged = gk_json_bool(hc, "Privileged", 0)},
	};
	/* As Docker's, a command without -t never gets a terminal: ours
	 * become pipes we relay (files and pipes are passed on as they are). */
	for (int i = 0; i < 3 && !tty && !detach; i++)
		spec.stdio_pipe[i] = (i > 0 || interactive) && isatty(i);
	struct winsize ws;
	if (spec.tty && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		spec.tty_rows = ws.ws_row;
		spec.tty_cols = ws.ws_col;
	}
	if (detach) {
		/* -d: the command's output goes nowhere, as Docker's detached exec */
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (nul >= 0) {
			dup2(nul, 1);
			dup2(nul, 2);
			close(nul);
		}
	}
	sigset_t old;
	rt_attach_block_signals(&old);
	pid_t pid;
	int master = -1, pipes[3];
	enum rt_start_failure failure;
	if (rt_exec(&spec, &pid, &master, pipes, &failure, &err) < 0) {
		fprintf(stderr, "gocker: Error response from daemon: %s\n", err.msg);
		return failure ? (int)failure : GK_EXIT_FAILURE;
	}
	if (detach)
		return 0; /* the relay keeps running on its own */
	int code = rt_attach_wait(pid, -1, master, interactive, pipes, &err);
	if (master >= 0)
		close(master);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return code;
}

const struct gk_cmd gk_cmd_exec = {
    .name = "exec",
    .usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
    .summary = "Execute a command in a running container",
    .help = "  -i, --interactive      keep stdin open\n"
	    "  -t, --tty              allocate a pseudo-TTY\n"
	    "  -d, --detach           run the command in the background\n"
	    "  -e, --env KEY=VAL      set an environment variable\n"
	    "  -u, --user USER[:GRP]  user name or uid (and group)\n"
	    "  -w, --workdir DIR      working directory inside the container\n",
    .exec = exec_exec,
};
