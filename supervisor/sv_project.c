/* Project loading: files, .env, interpolation, merge (Compose's override
 * rules), profiles, names, defaults and validation. */
#include "supervisor/sv_model.h"

#include "common/cleanup.h"
#include "common/fs.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *const default_files[] = {"compose.yaml", "compose.yml", "docker-compose.yaml",
					    "docker-compose.yml"};

char *sv_normalize_project_name(const char *s)
{
	char *out = gk_malloc0(strlen(s) + 1);
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		char c = (char)tolower((unsigned char)*p);
		if (isdigit((unsigned char)c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-') {
			if (n == 0 && (c == '_' || c == '-'))
				continue;
			out[n++] = c;
		}
	}
	return out;
}

int sv_valid_project_name(const char *s)
{
	if (!*s || !(isdigit((unsigned char)*s) || (*s >= 'a' && *s <= 'z')))
		return 0;
	for (const char *p = s; *p; p++)
		if (!(isdigit((unsigned char)*p) || (*p >= 'a' && *p <= 'z') || *p == '_' ||
		      *p == '-'))
			return 0;
	return 1;
}

const struct sv_service *sv_project_service(const struct sv_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++)
		if (!strcmp(p->services[i].name, name))
			return &p->services[i];
	return NULL;
}

char *sv_container_name(const struct sv_project *p, const struct sv_service *s, int index)
{
	if (s->container_name)
		return gk_strdup(s->container_name);
	return gk_strdup_printf("%s-%s-%d", p->name, s->name, index);
}

static void network_clear(struct sv_network *n)
{
	free(n->key);
	free(n->name);
	free(n->driver);
	sv_kv_free(n->labels, n->n_labels);
}

static void volume_clear(struct sv_volume *v)
{
	free(v->key);
	free(v->name);
	free(v->driver);
	sv_kv_free(v->labels, v->n_labels);
}

void sv_project_free(struct sv_project *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->workdir);
	gk_strv_free(p->files);
	for (size_t i = 0; i < p->n_services; i++)
		sv_service_clear(&p->services[i]);
	free(p->services);
	for (size_t i = 0; i < p->n_networks; i++)
		network_clear(&p->networks[i]);
	free(p->networks);
	for (size_t i = 0; i < p->n_volumes; i++)
		volume_clear(&p->volumes[i]);
	free(p->volumes);
	gk_strv_free(p->warnings);
	gk_strv_free(p->profiles);
	free(p);
}

/* ---- merge: `o` (a later -f file) into `b`; `o` is emptied ---- */

static void take_str(char **dst, char **src)
{
	if (*src) {
		free(*dst);
		*dst = gk_steal_ptr(*src);
	}
}

static void take_strv(char ***dst, char ***src)
{
	if (*src) {
		gk_strv_free(*dst);
		*dst = gk_steal_ptr(*src);
	}
}

static void union_strv(char ***dst, char **src)
{
	if (!src)
		return;
	if (!*dst)
		*dst = gk_malloc0(sizeof(char *));
	for (size_t i = 0; src[i]; i++) {
		int have = 0;
		for (size_t j = 0; (*dst)[j] && !have; j++)
			have = !strcmp((*dst)[j], src[i]);
		if (!have)
			gk_strv_push(dst, src[i]);
	}
}

static int same_port(const struct sv_port *a, const struct sv_port *b)
{
	return a->target == b->target && !strcmp(a->published, b->published) &&
	       !strcmp(a->host_ip, b->host_ip) && !strcmp(a->protocol, b->protocol);
}

static void merge_ports(struct sv_service *b, struct sv_service *o)
{
	for (size_t i = 0; i < o->n_ports; i++) {
		int have = 0;
		for (size_t j = 0; j < b->n_ports && !have; j++)
			have = same_port(&b->ports[j], &o->ports[i]);
		if (have)
			continue;
		sv_grow((void **)&b->ports, b->n_ports, sizeof(*b->ports));
		b->ports[b->n_ports++] = o->ports[i];
		memset(&o->ports[i], 0, sizeof(o->ports[i]));
	}
}

/* Volumes merge by target: the override's mount replaces the base's. */
static void merge_volumes(struct sv_service *b, struct sv_service *o)
{
	for (size_t i = 0; i < o->n_volumes; i++) {
		size_t j = 0;
		while (j < b->n_volumes && strcmp(b->volumes[j].target, o->volumes[i].target))
			j++;
		if (j == b->n_volumes) {
			b->volumes = realloc(b->volumes, (b->n_volumes + 1) * sizeof(*b->volumes));
			if (!b->volumes)
				abort();
			b->n_volumes++;
		} else {
			sv_mount_clear(&b->volumes[j]);
		}
		b->volumes[j] = o->volumes[i];
		memset(&o->volumes[i], 0, sizeof(o->volumes[i]));
	}
}

static void merge_healthcheck(struct sv_healthcheck *b, struct sv_healthcheck *o)
{
	if (!o->present)
		return;
	if (!b->present)
		b->loc = o->loc;
	b->present = 1;
	take_strv(&b->test, &o->test); /* test replaces, as Compose does */
	if (o->interval != SV_UNSET)
		b->interval = o->interval;
	if (o->timeout != SV_UNSET)
		b->timeout = o->timeout;
	if (o->start_period != SV_UNSET)
		b->start_period = o->start_period;
	if (o->start_interval != SV_UNSET)
		b->start_interval = o->start_interval;
	if (o->retries != SV_UNSET)
		b->retries = o->retries;
	if (o->disable)
		b->disable = 1;
}

static void merge_service(struct sv_service *b, struct sv_service *o)
{
	if (o->image) {
		take_str(&b->image, &o->image);
		b->image_loc = o->image_loc;
	}
	take_strv(&b->command, &o->command); /* command and entrypoint replace */
	take_strv(&b->entrypoint, &o->entrypoint);
	for (size_t i = 0; i < o->n_environment; i++)
		sv_kv_put(&b->environment, &b->n_environment, o->environment[i].key,
			  o->environment[i].value, &o->environment[i].loc);
	for (size_t i = 0; i < o->n_labels; i++)
		sv_kv_put(&b->labels, &b->n_labels, o->labels[i].key, o->labels[i].value,
			  &o->labels[i].loc);
	for (size_t i = 0; i < o->n_env_files; i++) {
		b->env_files = realloc(b->env_files, (b->n_env_files + 1) * sizeof(*b->env_files));
		if (!b->env_files)
			abort();
		b->env_files[b->n_env_files++] = o->env_files[i];
	}
	free(o->env_files);
	o->env_files = NULL;
	o->n_env_files = 0;
	merge_ports(b, o);
	merge_volumes(b, o);
	for (size_t i = 0; i < o->n_depends_on; i++) {
		struct sv_dep *d = &o->depends_on[i];
		size_t j = 0;
		while (j < b->n_depends_on && strcmp(b->depends_on[j].service, d->service))
			j++;
		if (j == b->n_depends_on) {
			b->depends_on =
			    realloc(b->depends_on, (b->n_depends_on + 1) * sizeof(*b->depends_on));
			if (!b->depends_on)
				abort();
			b->n_depends_on++;
		} else {
			free(b->depends_on[j].service);
		}
		b->depends_on[j] = *d;
		d->service = NULL;
	}
	if (o->restart_set) {
		b->restart = o->restart;
		b->restart_max = o->restart_max;
		b->restart_set = 1;
	}
	merge_healthcheck(&b->healthcheck, &o->healthcheck);
	if (o->svc_memory)
		b->svc_memory = o->svc_memory;
	if (o->svc_cpus)
		b->svc_cpus = o->svc_cpus;
	if (o->svc_pids)
		b->svc_pids = o->svc_pids;
	if (o->deploy_memory)
		b->deploy_memory = o->deploy_memory;
	if (o->deploy_cpus)
		b->deploy_cpus = o->deploy_cpus;
	if (o->deploy_pids)
		b->deploy_pids = o->deploy_pids;
	if (o->scale_key != SV_UNSET)
		b->scale_key = o->scale_key;
	if (o->replicas != SV_UNSET)
		b->replicas = o->replicas;
	if (o->scale_key != SV_UNSET || o->replicas != SV_UNSET)
		b->scale_loc = o->scale_loc;
	take_str(&b->working_dir, &o->working_dir);
	take_str(&b->user, &o->user);
	take_str(&b->hostname, &o->hostname);
	if (o->container_name) {
		take_str(&b->container_name, &o->container_name);
		b->container_name_loc = o->container_name_loc;
	}
	take_str(&b->stop_signal, &o->stop_signal);
	take_str(&b->network_mode, &o->network_mode);
	if (o->stop_grace_set) {
		b->stop_grace_period = o->stop_grace_period;
		b->stop_grace_set = 1;
	}
	if (o->init != SV_UNSET)
		b->init = o->init;
	if (o->read_only != SV_UNSET)
		b->read_only = o->read_only;
	union_strv(&b->tmpfs, o->tmpfs);
	union_strv(&b->cap_add, o->cap_add);
	union_strv(&b->cap_drop, o->cap_drop);
	union_strv(&b->profiles, o->profiles);
	union_strv(&b->extra_hosts, o->extra_hosts);
	union_strv(&b->expose, o->expose);
	for (size_t i = 0; i < o->n_networks; i++) {
		struct sv_netref *r = &o->networks[i];
		size_t j = 0;
		while (j < b->n_networks && strcmp(b->networks[j].name, r->name))
			j++;
		if (j == b->n_networks) {
			b->networks =
			    realloc(b->networks, (b->n_networks + 1) * sizeof(*b->networks));
			if (!b->networks)
				abort();
			b->n_networks++;
		} else {
			free(b->networks[j].name);
			gk_strv_free(b->networks[j].aliases);
		}
		b->networks[j] = *r;
		r->name = NULL;
		r->aliases = NULL;
	}
}

static void merge_project(struct sv_project *b, struct sv_project *o)
{
	for (size_t i = 0; i < o->n_services; i++) {
		struct sv_service *os = &o->services[i];
		size_t j = 0;
		while (j < b->n_services && strcmp(b->services[j].name, os->name))
			j++;
		if (j < b->n_services) {
			merge_service(&b->services[j], os);
			sv_service_clear(os);
			continue;
		}
		b->services = realloc(b->services, (b->n_services + 1) * sizeof(*b->services));
		if (!b->services)
			abort();
		b->services[b->n_services++] = *os;
		memset(os, 0, sizeof(*os));
	}
	for (size_t i = 0; i < o->n_networks; i++) {
		struct sv_network *on = &o->networks[i];
		size_t j = 0;
		while (j < b->n_networks && strcmp(b->networks[j].key, on->key))
			j++;
		if (j == b->n_networks) {
			b->networks =
			    realloc(b->networks, (b->n_networks + 1) * sizeof(*b->networks));
			if (!b->networks)
				abort();
			b->networks[b->n_networks++] = *on;
			memset(on, 0, sizeof(*on));
			continue;
		}
		struct sv_network *bn = &b->networks[j];
		take_str(&bn->name, &on->name);
		take_str(&bn->driver, &on->driver);
		bn->external |= on->external;
		for (size_t k = 0; k < on->n_labels; k++)
			sv_kv_put(&bn->labels, &bn->n_labels, on->labels[k].key,
				  on->labels[k].value, &on->labels[k].loc);
	}
	for (size_t i = 0; i < o->n_volumes; i++) {
		struct sv_volume *ov = &o->volumes[i];
		size_t j = 0;
		while (j < b->n_volumes && strcmp(b->volumes[j].key, ov->key))
			j++;
		if (j == b->n_volumes) {
			b->volumes = realloc(b->volumes, (b->n_volumes + 1) * sizeof(*b->volumes));
			if (!b->volumes)
				abort();
			b->volumes[b->n_volumes++] = *ov;
			memset(ov, 0, sizeof(*ov));
			continue;
		}
		struct sv_volume *bv = &b->volumes[j];
		take_str(&bv->name, &ov->name);
		take_str(&bv->driver, &ov->driver);
		bv->external |= ov->external;
		for (size_t k = 0; k < ov->n_labels; k++)
			sv_kv_put(&bv->labels, &bv->n_labels, ov->labels[k].key,
				  ov->labels[k].value, &ov->labels[k].loc);
	}
}

/* ---- finalize: defaults, names, env files, profiles ---- */

static int read_env_files(struct sv_service *s, const struct sv_env *env, struct gk_err *err)
{
	struct sv_env vars = {0};
	for (size_t i = 0; i < s->n_env_files; i++) {
		const struct sv_kv *f = &s->env_files[i];
		_cleanup_free_ char *buf = NULL;
		size_t len;
		struct gk_err e;
		if (access(f->key, F_OK) != 0) {
			if (!strcmp(f->value, "false"))
				continue;
			sv_env_free(&vars);
			return sv_err_at(err, &f->loc,
					 "services.%s.env_file: env file %s not found", s->name,
					 f->key);
		}
		if (gk_read_file(f->key, SV_YAML_MAX_DOC, &buf, &len, &e) < 0 ||
		    sv_dotenv_parse(f->key, buf, len, env, &vars, &e) < 0) {
			sv_env_free(&vars);
			return sv_err_at(err, &f->loc, "services.%s.env_file: %s", s->name, e.msg);
		}
	}
	/* environment: wins over env_file */
	for (size_t i = 0; i < vars.n; i++) {
		int have = 0;
		for (size_t j = 0; j < s->n_environment && !have; j++)
			have = !strcmp(s->environment[j].key, vars.keys[i]);
		if (!have)
			sv_kv_put(&s->environment, &s->n_environment, vars.keys[i], vars.values[i],
				  &s->loc);
	}
	sv_env_free(&vars);
	return 0;
}

static int finalize_limits(struct sv_service *s, struct gk_err *err)
{
	const struct sv_loc *at = s->limits_loc.file ? &s->limits_loc : &s->loc;
	if (s->svc_memory && s->deploy_memory && s->svc_memory != s->deploy_memory)
		return sv_err_at(err, at,
				 "services.%s: mem_limit (%lld) and deploy.resources.limits.memory "
				 "(%lld) must agree",
				 s->name, (long long)s->svc_memory, (long long)s->deploy_memory);
	if (s->svc_cpus && s->deploy_cpus && s->svc_cpus != s->deploy_cpus)
		return sv_err_at(err, at,
				 "services.%s: cpus (%g) and deploy.resources.limits.cpus (%g) "
				 "must agree",
				 s->name, s->svc_cpus, s->deploy_cpus);
	if (s->svc_pids && s->deploy_pids && s->svc_pids != s->deploy_pids)
		return sv_err_at(err, at,
				 "services.%s: pids_limit (%lld) and deploy.resources.limits.pids "
				 "(%lld) must agree",
				 s->name, (long long)s->svc_pids, (long long)s->deploy_pids);
	s->mem_limit = s->svc_memory ? s->svc_memory : s->deploy_memory;
	s->cpus = s->svc_cpus ? s->svc_cpus : s->deploy_cpus;
	s->pids_limit = s->svc_pids ? s->svc_pids : s->deploy_pids;
	if (s->scale_key != SV_UNSET && s->replicas != SV_UNSET && s->scale_key != s->replicas)
		return sv_err_at(err, &s->scale_loc,
				 "services.%s: can't set distinct values on 'scale' (%d) and "
				 "'deploy.replicas' (%d)",
				 s->name, s->scale_key, s->replicas);
	s->scale =
	    s->scale_key != SV_UNSET ? s->scale_key : (s->replicas != SV_UNSET ? s->replicas : 1);
	return 0;
}

static void finalize_healthcheck(struct sv_healthcheck *h)
{
	if (h->test && h->test[0] && !strcmp(h->test[0], "NONE"))
		h->disable = 1;
	if (h->interval == SV_UNSET)
		h->interval = SV_HC_INTERVAL;
	if (h->timeout == SV_UNSET)
		h->timeout = SV_HC_TIMEOUT;
	if (h->start_period == SV_UNSET)
		h->start_period = SV_HC_START_PERIOD;
	if (h->start_interval == SV_UNSET)
		h->start_interval = SV_HC_START_INTERVAL;
	if (h->retries == SV_UNSET)
		h->retries = SV_HC_RETRIES;
}

static int profile_active(char **active, char **profiles)
{
	if (!profiles || !profiles[0])
		return 1;
	for (size_t i = 0; active && active[i]; i++) {
		if (!strcmp(active[i], "*"))
			return 1;
		for (size_t j = 0; profiles[j]; j++)
			if (!strcmp(active[i], profiles[j]))
				return 1;
	}
	return 0;
}

static int cmp_service(const void *a, const void *b)
{
	return strcmp(((const struct sv_service *)a)->name, ((const struct sv_service *)b)->name);
}

static int cmp_network(const void *a, const void *b)
{
	return strcmp(((const struct sv_network *)a)->key, ((const struct sv_network *)b)->key);
}

static int cmp_volume(const void *a, const void *b)
{
	return strcmp(((const struct sv_volume *)a)->key, ((const struct sv_volume *)b)->key);
}

static void filter_profiles(struct sv_project *p, int all)
{
	size_t kept = 0;
	for (size_t i = 0; i < p->n_services; i++) {
		if (all || profile_active(p->profiles, p->services[i].profiles))
			p->services[kept++] = p->services[i];
		else
			sv_service_clear(&p->services[i]);
	}
	p->n_services = kept;
}

static struct sv_network *find_network(struct sv_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_networks; i++)
		if (!strcmp(p->networks[i].key, key))
			return &p->networks[i];
	return NULL;
}

static struct sv_volume *find_volume(struct sv_project *p, const char *key)
{
	for (size_t i = 0; i < p->n_volumes; i++)
		if (!strcmp(p->volumes[i].key, key))
			return &p->volumes[i];
	return NULL;
}

static void finalize_networks(struct sv_project *p)
{
	int uses_default = 0;
	for (size_t i = 0; i < p->n_services; i++) {
		struct sv_service *s = &p->services[i];
		if (!s->network_mode && s->n_networks == 0) {
			s->networks = gk_malloc0(sizeof(*s->networks));
			s->networks[0] = (struct sv_netref){gk_strdup("default"),
							    gk_malloc0(sizeof(char *)), s->loc};
			s->n_networks = 1;
		}
		for (size_t j = 0; j < s->n_networks; j++)
			uses_default |= !strcmp(s->networks[j].name, "default");
	}
	if (uses_default && !find_network(p, "default")) {
		p->networks = realloc(p->networks, (p->n_networks + 1) * sizeof(*p->networks));
		if (!p->networks)
			abort();
		memset(&p->networks[p->n_networks], 0, sizeof(*p->networks));
		p->networks[p->n_networks++].key = gk_strdup("default");
	}
	for (size_t i = 0; i < p->n_networks; i++) {
		struct sv_network *n = &p->networks[i];
		if (!n->name)
			n->name = n->external ? gk_strdup(n->key)
					      : gk_strdup_printf("%s_%s", p->name, n->key);
	}
	for (size_t i = 0; i < p->n_volumes; i++) {
		struct sv_volume *v = &p->volumes[i];
		if (!v->name)
			v->name = v->external ? gk_strdup(v->key)
					      : gk_strdup_printf("%s_%s", p->name, v->key);
	}
	if (p->n_networks)
		qsort(p->networks, p->n_networks, sizeof(*p->networks), cmp_network);
	if (p->n_volumes)
		qsort(p->volumes, p->n_volumes, sizeof(*p->volumes), cmp_volume);
}

/* ---- validation ---- */

static int any_ip(const char *ip)
{
	return !*ip || !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::");
}

struct pub {
	const struct sv_service *s;
	const struct sv_port *port;
	size_t order; /* service index, then port index: file order for messages */
};

static int cmp_pub(const void *x, const void *y)
{
	const struct pub *a = x, *b = y;
	int c = strcmp(a->port->published, b->port->published);
	if (!c)
		c = strcmp(a->port->protocol, b->port->protocol);
	/* then file order, so the later entry is the one reported */
	if (!c)
		c = strcmp(a->port->loc.file ? a->port->loc.file : "",
			   b->port->loc.file ? b->port->loc.file : "");
	if (!c)
		c = a->port->loc.line - b->port->loc.line;
	if (!c)
		c = a->port->loc.col - b->port->loc.col;
	if (!c)
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

/* Two services (or two entries) publishing one host port: sort by port, so
 * only entries of the same port are compared. */
static int validate_ports(struct sv_project *p, struct gk_err *err)
{
	size_t n = 0, cap = 0;
	_cleanup_free_ struct pub *pubs = NULL;
	for (size_t i = 0; i < p->n_services; i++) {
		const struct sv_service *s = &p->services[i];
		for (size_t k = 0; k < s->n_ports; k++) {
			const struct sv_port *a = &s->ports[k];
			if (!*a->published || strchr(a->published, '-') ||
			    !strcmp(a->published, "0"))
				continue;
			if (s->scale > 1)
				return sv_err_at(err, &a->loc,
						 "services.%s.ports: host port %s/%s cannot be "
						 "published by %d replicas",
						 s->name, a->published, a->protocol, s->scale);
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				pubs = realloc(pubs, cap * sizeof(*pubs));
				if (!pubs)
					abort();
			}
			pubs[n] = (struct pub){s, a, n};
			n++;
		}
	}
	if (n)
		qsort(pubs, n, sizeof(*pubs), cmp_pub);
	for (size_t i = 1; i < n; i++) {
		const struct sv_port *a = pubs[i].port;
		for (size_t j = i; j-- > 0;) {
			const struct sv_port *b = pubs[j].port;
			if (strcmp(a->published, b->published) || strcmp(a->protocol, b->protocol))
				break;
			if (strcmp(a->host_ip, b->host_ip) && !any_ip(a->host_ip) &&
			    !any_ip(b->host_ip))
				continue;
			return sv_err_at(err, &a->loc,
					 "services.%s.ports: host port %s/%s is already published "
					 "by service \"%s\" (%s:%d:%d)",
					 pubs[i].s->name, a->published, a->protocol,
					 pubs[j].s->name, b->loc.file, b->loc.line, b->loc.col);
		}
	}
	return 0;
}

static int validate_service(struct sv_project *p, struct sv_service *s, struct gk_err *err)
{
	if (!s->image)
		return sv_err_at(err, &s->loc,
				 "services.%s: no image specified (image is required)", s->name);
	if (!*s->image)
		return sv_err_at(err, &s->image_loc, "services.%s.image: must not be empty",
				 s->name);
	for (size_t i = 0; i < s->n_depends_on; i++)
		if (!sv_project_service(p, s->depends_on[i].service))
			return sv_err_at(err, &s->depends_on[i].loc,
					 "services.%s.depends_on: depends on undefined service "
					 "\"%s\"",
					 s->name, s->depends_on[i].service);
	if (s->container_name && s->scale > 1)
		return sv_err_at(err, &s->container_name_loc,
				 "services.%s: container_name \"%s\" cannot be used with scale %d: "
				 "container names must be unique",
				 s->name, s->container_name, s->scale);
	if (s->network_mode && s->n_networks)
		return sv_err_at(err, &s->networks[0].loc,
				 "services.%s: network_mode and networks cannot be combined",
				 s->name);
	for (size_t i = 0; i < s->n_networks; i++)
		if (!find_network(p, s->networks[i].name))
			return sv_err_at(err, &s->networks[i].loc,
					 "services.%s.networks: undefined network \"%s\"", s->name,
					 s->networks[i].name);
	for (size_t i = 0; i < s->n_volumes; i++) {
		struct sv_mount *m = &s->volumes[i];
		if (m->type == SV_MOUNT_VOLUME && *m->source && !find_volume(p, m->source))
			return sv_err_at(err, &m->loc,
					 "services.%s.volumes[%zu]: undefined volume \"%s\"",
					 s->name, i, m->source);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->volumes[j].target, m->target))
				return sv_err_at(err, &m->loc,
						 "services.%s.volumes[%zu]: duplicate mount target "
						 "\"%s\"",
						 s->name, i, m->target);
	}
	for (size_t i = 0; i < p->n_services; i++) {
		struct sv_service *t = &p->services[i];
		if (t != s && t->container_name && s->container_name &&
		    !strcmp(t->container_name, s->container_name) && t < s)
			return sv_err_at(err, &s->container_name_loc,
					 "services.%s: container_name \"%s\" is already used by "
					 "service \"%s\"",
					 s->name, s->container_name, t->name);
	}
	return 0;
}

static int validate(struct sv_project *p, struct gk_err *err)
{
	for (size_t i = 0; i < p->n_services; i++)
		if (validate_service(p, &p->services[i], err) < 0)
			return -1;
	if (validate_ports(p, err) < 0)
		return -1;
	struct sv_graph g;
	if (sv_graph_build(p, &g, err) < 0)
		return -1;
	sv_graph_free(&g);
	return 0;
}

/* ---- loading ---- */

static void env_from_strv(struct sv_env *env, char *const *vars)
{
	for (size_t i = 0; vars && vars[i]; i++) {
		const char *eq = strchr(vars[i], '=');
		if (!eq || eq == vars[i])
			continue;
		_cleanup_free_ char *k = strndup(vars[i], (size_t)(eq - vars[i]));
		if (k)
			sv_env_set(env, k, eq + 1);
	}
}

static char *absolute(const char *path)
{
	char buf[PATH_MAX];
	if (realpath(path, buf))
		return gk_strdup(buf);
	if (path[0] == '/')
		return gk_strdup(path);
	if (!getcwd(buf, sizeof(buf)))
		return gk_strdup(path);
	return gk_strdup_printf("%s/%s", buf, path);
}

static char *dir_of(const char *path)
{
	_cleanup_free_ char *abs = absolute(path);
	return gk_strdup(dirname(abs));
}

static int find_default_file(const char *dir, char ***files, struct gk_err *err)
{
	for (size_t i = 0; i < sizeof(default_files) / sizeof(default_files[0]); i++) {
		_cleanup_free_ char *p = dir ? gk_strdup_printf("%s/%s", dir, default_files[i])
					     : gk_strdup(default_files[i]);
		if (access(p, F_OK) == 0) {
			gk_strv_push(files, p);
			/* compose.yaml → compose.override.yaml, and so on */
			const char *ext = strrchr(default_files[i], '.');
			_cleanup_free_ char *stem =
			    strndup(default_files[i], (size_t)(ext - default_files[i]));
			_cleanup_free_ char *ov =
			    dir ? gk_strdup_printf("%s/%s.override%s", dir, stem, ext)
				: gk_strdup_printf("%s.override%s", stem, ext);
			if (access(ov, F_OK) == 0)
				gk_strv_push(files, ov);
			return 0;
		}
	}
	return gk_err_set(err, 0,
			  "no configuration file provided: not found (looked for compose.yaml, "
			  "compose.yml, docker-compose.yaml, docker-compose.yml in %s)",
			  dir ? dir : "the current directory");
}

static int load_dotenv(const struct sv_load_opts *o, const char *workdir, const struct sv_env *host,
		       struct sv_env *out, struct gk_err *err)
{
	_cleanup_strv_ char **files = gk_malloc0(sizeof(char *));
	if (o->env_files) {
		for (size_t i = 0; o->env_files[i]; i++)
			gk_strv_push(&files, o->env_files[i]);
	} else if (!o->buffers) {
		_cleanup_free_ char *p = gk_strdup_printf("%s/.env", workdir);
		if (access(p, F_OK) == 0)
			gk_strv_push(&files, p);
	}
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		if (gk_read_file(files[i], SV_YAML_MAX_DOC, &buf, &len, err) < 0)
			return gk_err_wrap(err, "env file");
		if (sv_dotenv_parse(files[i], buf, len, host, out, err) < 0)
			return -1;
	}
	return 0;
}

static int load_file(const struct sv_load_opts *o, size_t idx, const char *file,
		     const struct sv_env *env, struct sv_model_ctx *ctx, struct sv_project *part,
		     struct gk_err *err)
{
	_cleanup_free_ char *buf = NULL;
	const char *data;
	size_t len;
	if (o->buffers) {
		data = o->buffers[idx];
		len = o->buffer_lens[idx];
	} else {
		if (!strcmp(file, "-")) {
			size_t cap = 0;
			len = 0;
			for (;;) {
				if (len + 4096 + 1 > cap) {
					cap = cap * 2 + 8192;
					buf = realloc(buf, cap);
					if (!buf)
						abort();
				}
				size_t r = fread(buf + len, 1, 4096, stdin);
				len += r;
				if (r == 0 || len > SV_YAML_MAX_DOC)
					break;
			}
			buf[len] = '\0';
		} else if (gk_read_file(file, SV_YAML_MAX_DOC + 1, &buf, &len, err) < 0) {
			return -1;
		}
		data = buf;
	}
	struct sv_doc *doc = NULL;
	if (sv_yaml_parse(file, data, len, &doc, err) < 0)
		return -1;
	int r = 0;
	if (!o->no_interpolate)
		r = sv_interpolate_tree(doc->root, env, ctx->warnings, err);
	if (r == 0)
		r = sv_model_from_tree(ctx, doc->root, part, err);
	sv_doc_free(doc);
	return r;
}

static int project_name(const struct sv_load_opts *o, const struct sv_env *env,
			struct sv_model_ctx *ctx, const char *workdir, struct sv_project *p,
			struct gk_err *err)
{
	const char *given = o->project_name;
	const char *what = "-p";
	if (!given || !*given) {
		given = sv_env_get(env, "COMPOSE_PROJECT_NAME");
		what = "COMPOSE_PROJECT_NAME";
	}
	if ((!given || !*given) && ctx->top_name) {
		given = ctx->top_name;
		what = "name";
	}
	if (given && *given) {
		if (!sv_valid_project_name(given)) {
			const char *msg = "must contain only lowercase letters, digits, dashes "
					  "and underscores, and start with a letter or digit";
			if (!strcmp(what, "name"))
				return sv_err_at(err, &ctx->top_name_loc,
						 "name: invalid project name \"%s\": %s", given,
						 msg);
			return gk_err_set(err, 0, "%s: invalid project name \"%s\": %s", what,
					  given, msg);
		}
		p->name = gk_strdup(given);
		return 0;
	}
	_cleanup_free_ char *base = gk_strdup(workdir);
	p->name = sv_normalize_project_name(basename(base));
	if (!*p->name)
		return gk_err_set(err, 0,
				  "project name \"%s\" derived from the directory is empty after "
				  "normalisation; use -p or name:",
				  basename(base));
	return 0;
}

static void active_profiles(const struct sv_load_opts *o, const struct sv_env *env,
			    struct sv_project *p)
{
	p->profiles = gk_malloc0(sizeof(char *));
	if (o->profiles) {
		for (size_t i = 0; o->profiles[i]; i++)
			gk_strv_push(&p->profiles, o->profiles[i]);
		return;
	}
	const char *cp = sv_env_get(env, "COMPOSE_PROFILES");
	if (!cp)
		return;
	_cleanup_free_ char *copy = gk_strdup(cp);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (*t)
			gk_strv_push(&p->profiles, t);
}

static int load(const struct sv_load_opts *o, struct sv_project *p, struct gk_err *err)
{
	struct sv_env host = {0}, env = {0};
	_cleanup_free_ char *workdir = NULL;
	struct sv_model_ctx ctx = {.warnings = &p->warnings};
	int r = -1;
	p->warnings = gk_malloc0(sizeof(char *));
	p->files = gk_malloc0(sizeof(char *));
	p->no_interpolate = o->no_interpolate;
	env_from_strv(&host, o->environ ? o->environ : environ);
	const char *compose_file = sv_env_get(&host, "COMPOSE_FILE");
	if (o->files && o->files[0]) {
		for (size_t i = 0; o->files[i]; i++)
			gk_strv_push(&p->files, o->files[i]);
	} else if (compose_file && *compose_file && !o->buffers) {
		/* COMPOSE_FILE=a.yml:b.yml (COMPOSE_PATH_SEPARATOR changes the ':') */
		const char *sep = sv_env_get(&host, "COMPOSE_PATH_SEPARATOR");
		_cleanup_free_ char *copy = gk_strdup(compose_file);
		char *save = NULL;
		for (char *t = strtok_r(copy, sep && *sep ? sep : ":", &save); t;
		     t = strtok_r(NULL, sep && *sep ? sep : ":", &save))
			gk_strv_push(&p->files, t);
	} else if (find_default_file(o->project_dir, &p->files, err) < 0) {
		goto out;
	}
	if (o->project_dir)
		workdir = absolute(o->project_dir);
	else if (!strcmp(p->files[0], "-"))
		workdir = absolute(".");
	else
		workdir = dir_of(p->files[0]);
	p->workdir = gk_strdup(workdir);
	/* .env first, the process environment wins over it */
	if (load_dotenv(o, workdir, &host, &env, err) < 0)
		goto out;
	for (size_t i = 0; i < host.n; i++)
		sv_env_set(&env, host.keys[i], host.values[i]);
	ctx.workdir = workdir;
	ctx.env = &env;
	for (size_t i = 0; p->files[i]; i++) {
		struct sv_project part = {0};
		int lr = load_file(o, i, p->files[i], &env, &ctx, &part, err);
		/* merged or not, everything `part` holds ends up in `p` or freed */
		merge_project(p, &part);
		free(part.services);
		for (size_t j = 0; j < part.n_networks; j++)
			network_clear(&part.networks[j]);
		free(part.networks);
		for (size_t j = 0; j < part.n_volumes; j++)
			volume_clear(&part.volumes[j]);
		free(part.volumes);
		if (lr < 0)
			goto out;
	}
	if (project_name(o, &env, &ctx, workdir, p, err) < 0)
		goto out;
	active_profiles(o, &env, p);
	filter_profiles(p, o->all_profiles);
	if (p->n_services)
		qsort(p->services, p->n_services, sizeof(*p->services), cmp_service);
	for (size_t i = 0; i < p->n_services; i++) {
		struct sv_service *s = &p->services[i];
		if (finalize_limits(s, err) < 0)
			goto out;
		finalize_healthcheck(&s->healthcheck);
		if (!o->no_interpolate && !o->buffers && read_env_files(s, &env, err) < 0)
			goto out;
		if (s->init == SV_UNSET)
			s->init = -1;
		if (s->read_only == SV_UNSET)
			s->read_only = 0;
	}
	finalize_networks(p);
	r = validate(p, err);
out:
	free(ctx.top_name);
	sv_env_free(&host);
	sv_env_free(&env);
	return r;
}

int sv_project_load(const struct sv_load_opts *opts, struct sv_project **out, struct gk_err *err)
{
	struct sv_project *p = gk_malloc0(sizeof(*p));
	if (load(opts, p, err) < 0) {
		sv_project_free(p);
		return -1;
	}
	*out = p;
	return 0;
}
