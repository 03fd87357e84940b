/* The `config` document: the resolved project in long syntax, as json-c,
 * then printed as YAML (libyaml's emitter) or JSON with sorted keys. */
#include "supervisor/compose.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct out_ctx {
	int escape; /* interpolated values: a literal '$' is written "$$" */
};

static json_object *str(const struct out_ctx *c, const char *s)
{
	if (!c->escape || !strchr(s, '$'))
		return json_object_new_string(s);
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '$' ? 2 : 1;
	_cleanup_free_ char *e = gk_malloc0(n + 1);
	char *q = e;
	for (const char *p = s; *p; p++) {
		*q++ = *p;
		if (*p == '$')
			*q++ = '$';
	}
	return json_object_new_string(e);
}

static json_object *strv(const struct out_ctx *c, char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, str(c, v[i]));
	return a;
}

static json_object *kv_map(const struct out_ctx *c, const struct sv_kv *kv, size_t n)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; i < n; i++)
		json_object_object_add(o, kv[i].key, kv[i].value ? str(c, kv[i].value) : NULL);
	return o;
}

static json_object *duration(int64_t ns)
{
	char buf[64];
	gk_format_duration(ns, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static json_object *bytes(int64_t b)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)b);
	return json_object_new_string(buf);
}

static const char *restart_text(const struct sv_service *s, char *buf, size_t len)
{
	switch (s->restart) {
	case SV_RESTART_ALWAYS:
		return "always";
	case SV_RESTART_UNLESS_STOPPED:
		return "unless-stopped";
	case SV_RESTART_ON_FAILURE:
		if (!s->restart_max)
			return "on-failure";
		snprintf(buf, len, "on-failure:%d", s->restart_max);
		return buf;
	default:
		return "no";
	}
}

static const char *condition_text(enum sv_condition c)
{
	switch (c) {
	case SV_COND_HEALTHY:
		return "service_healthy";
	case SV_COND_COMPLETED:
		return "service_completed_successfully";
	default:
		return "service_started";
	}
}

static json_object *ports_json(const struct out_ctx *c, const struct sv_service *s)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < s->n_ports; i++) {
		const struct sv_port *p = &s->ports[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "mode", json_object_new_string(p->mode));
		json_object_object_add(o, "target", json_object_new_int64(p->target));
		if (*p->published)
			json_object_object_add(o, "published", str(c, p->published));
		if (*p->host_ip)
			json_object_object_add(o, "host_ip", str(c, p->host_ip));
		json_object_object_add(o, "protocol", json_object_new_string(p->protocol));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *volumes_json(const struct out_ctx *c, const struct sv_service *s)
{
	static const char *const types[] = {"bind", "volume", "tmpfs"};
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < s->n_volumes; i++) {
		const struct sv_mount *m = &s->volumes[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(types[m->type]));
		if (m->source && *m->source)
			json_object_object_add(o, "source", str(c, m->source));
		json_object_object_add(o, "target", str(c, m->target));
		json_object_object_add(o, "read_only", json_object_new_boolean(m->read_only));
		if (m->type == SV_MOUNT_BIND) {
			json_object *b = json_object_new_object();
			json_object_object_add(b, "create_host_path",
					       json_object_new_boolean(m->create_host_path));
			json_object_object_add(o, "bind", b);
		}
		if (m->type == SV_MOUNT_TMPFS && m->tmpfs_size) {
			json_object *t = json_object_new_object();
			json_object_object_add(t, "size", bytes(m->tmpfs_size));
			json_object_object_add(o, "tmpfs", t);
		}
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *healthcheck_json(const struct out_ctx *c, const struct sv_healthcheck *h)
{
	json_object *o = json_object_new_object();
	if (h->disable) {
		json_object_object_add(o, "disable", json_object_new_boolean(1));
		return o;
	}
	if (h->test)
		json_object_object_add(o, "test", strv(c, h->test));
	json_object_object_add(o, "interval", duration(h->interval));
	json_object_object_add(o, "timeout", duration(h->timeout));
	json_object_object_add(o, "retries", json_object_new_int(h->retries));
	json_object_object_add(o, "start_period", duration(h->start_period));
	json_object_object_add(o, "start_interval", duration(h->start_interval));
	return o;
}

static json_object *deploy_json(const struct sv_service *s)
{
	json_object *o = json_object_new_object();
	if (s->replicas != -1)
		json_object_object_add(o, "replicas", json_object_new_int(s->replicas));
	if (s->deploy_memory || s->deploy_cpus || s->deploy_pids) {
		json_object *l = json_object_new_object(), *r = json_object_new_object();
		if (s->deploy_cpus)
			json_object_object_add(l, "cpus", json_object_new_double(s->deploy_cpus));
		if (s->deploy_memory)
			json_object_object_add(l, "memory", bytes(s->deploy_memory));
		if (s->deploy_pids)
			json_object_object_add(l, "pids", json_object_new_int64(s->deploy_pids));
		json_object_object_add(r, "limits", l);
		json_object_object_add(o, "resources", r);
	}
	return o;
}

static json_object *service_json(const struct out_ctx *c, const struct sv_project *p,
				 const struct sv_service *s)
{
	json_object *o = json_object_new_object();
	char buf[64];
	(void)p;
	if (s->cap_add)
		json_object_object_add(o, "cap_add", strv(c, s->cap_add));
	if (s->cap_drop)
		json_object_object_add(o, "cap_drop", strv(c, s->cap_drop));
	if (s->command)
		json_object_object_add(o, "command", strv(c, s->command));
	if (s->container_name)
		json_object_object_add(o, "container_name", str(c, s->container_name));
	if (s->svc_cpus)
		json_object_object_add(o, "cpus", json_object_new_double(s->svc_cpus));
	if (s->n_depends_on) {
		json_object *d = json_object_new_object();
		for (size_t i = 0; i < s->n_depends_on; i++) {
			json_object *e = json_object_new_object();
			json_object_object_add(
			    e, "condition",
			    json_object_new_string(condition_text(s->depends_on[i].condition)));
			json_object_object_add(e, "required",
					       json_object_new_boolean(s->depends_on[i].required));
			json_object_object_add(e, "restart",
					       json_object_new_boolean(s->depends_on[i].restart));
			json_object_object_add(d, s->depends_on[i].service, e);
		}
		json_object_object_add(o, "depends_on", d);
	}
	if (s->replicas != -1 || s->deploy_memory || s->deploy_cpus || s->deploy_pids)
		json_object_object_add(o, "deploy", deploy_json(s));
	if (s->entrypoint)
		json_object_object_add(o, "entrypoint", strv(c, s->entrypoint));
	if (s->n_env_files) {
		json_object *a = json_object_new_array();
		for (size_t i = 0; i < s->n_env_files; i++) {
			json_object *e = json_object_new_object();
			json_object_object_add(e, "path", str(c, s->env_files[i].key));
			json_object_object_add(
			    e, "required",
			    json_object_new_boolean(strcmp(s->env_files[i].value, "false")));
			json_object_array_add(a, e);
		}
		json_object_object_add(o, "env_file", a);
	}
	if (s->n_environment)
		json_object_object_add(o, "environment",
				       kv_map(c, s->environment, s->n_environment));
	if (s->expose)
		json_object_object_add(o, "expose", strv(c, s->expose));
	if (s->extra_hosts)
		json_object_object_add(o, "extra_hosts", strv(c, s->extra_hosts));
	if (s->healthcheck.present)
		json_object_object_add(o, "healthcheck", healthcheck_json(c, &s->healthcheck));
	if (s->hostname)
		json_object_object_add(o, "hostname", str(c, s->hostname));
	json_object_object_add(o, "image", str(c, s->image));
	if (s->init != -1)
		json_object_object_add(o, "init", json_object_new_boolean(s->init));
	if (s->n_labels)
		json_object_object_add(o, "labels", kv_map(c, s->labels, s->n_labels));
	if (s->svc_memory)
		json_object_object_add(o, "mem_limit", bytes(s->svc_memory));
	if (s->network_mode)
		json_object_object_add(o, "network_mode", str(c, s->network_mode));
	if (s->n_networks) {
		json_object *n = json_object_new_object();
		for (size_t i = 0; i < s->n_networks; i++) {
			json_object *e = NULL;
			if (s->networks[i].aliases && s->networks[i].aliases[0]) {
				e = json_object_new_object();
				json_object_object_add(e, "aliases",
						       strv(c, s->networks[i].aliases));
			}
			json_object_object_add(n, s->networks[i].name, e);
		}
		json_object_object_add(o, "networks", n);
	}
	if (s->svc_pids)
		json_object_object_add(o, "pids_limit", json_object_new_int64(s->svc_pids));
	if (s->n_ports)
		json_object_object_add(o, "ports", ports_json(c, s));
	if (s->profiles)
		json_object_object_add(o, "profiles", strv(c, s->profiles));
	if (s->read_only)
		json_object_object_add(o, "read_only", json_object_new_boolean(1));
	if (s->restart_set)
		json_object_object_add(o, "restart",
				       json_object_new_string(restart_text(s, buf, sizeof(buf))));
	if (s->scale_key != -1)
		json_object_object_add(o, "scale", json_object_new_int(s->scale_key));
	if (s->stop_grace_set)
		json_object_object_add(o, "stop_grace_period", duration(s->stop_grace_period));
	if (s->stop_signal)
		json_object_object_add(o, "stop_signal", str(c, s->stop_signal));
	if (s->tmpfs)
		json_object_object_add(o, "tmpfs", strv(c, s->tmpfs));
	if (s->user)
		json_object_object_add(o, "user", str(c, s->user));
	if (s->n_volumes)
		json_object_object_add(o, "volumes", volumes_json(c, s));
	if (s->working_dir)
		json_object_object_add(o, "working_dir", str(c, s->working_dir));
	return o;
}

static json_object *resource_json(const struct out_ctx *c, const char *name, int external,
				  const char *driver, const struct sv_kv *labels, size_t n_labels)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", str(c, name));
	if (external)
		json_object_object_add(o, "external", json_object_new_boolean(1));
	if (driver)
		json_object_object_add(o, "driver", str(c, driver));
	if (n_labels)
		json_object_object_add(o, "labels", kv_map(c, labels, n_labels));
	return o;
}

json_object *sv_project_to_json(const struct sv_project *p)
{
	struct out_ctx c = {.escape = !p->no_interpolate};
	json_object *doc = json_object_new_object();
	json_object_object_add(doc, "name", json_object_new_string(p->name));
	json_object *services = json_object_new_object();
	for (size_t i = 0; i < p->n_services; i++)
		json_object_object_add(services, p->services[i].name,
				       service_json(&c, p, &p->services[i]));
	json_object_object_add(doc, "services", services);
	if (p->n_networks) {
		json_object *n = json_object_new_object();
		for (size_t i = 0; i < p->n_networks; i++) {
			const struct sv_network *x = &p->networks[i];
			json_object_object_add(n, x->key,
					       resource_json(&c, x->name, x->external, x->driver,
							     x->labels, x->n_labels));
		}
		json_object_object_add(doc, "networks", n);
	}
	if (p->n_volumes) {
		json_object *v = json_object_new_object();
		for (size_t i = 0; i < p->n_volumes; i++) {
			const struct sv_volume *x = &p->volumes[i];
			json_object_object_add(v, x->key,
					       resource_json(&c, x->name, x->external, x->driver,
							     x->labels, x->n_labels));
		}
		json_object_object_add(doc, "volumes", v);
	}
	return doc;
}

/* ---- sorted keys ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of `o` in print order: sorted, except the top level, which keeps
 * Compose's name, services, networks, volumes. */
static const char **sorted_keys(json_object *o, int top, size_t *n)
{
	*n = (size_t)json_object_object_length(o);
	const char **keys = gk_malloc0((*n + 1) * sizeof(char *));
	size_t i = 0;
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		keys[i++] = k;
	}
	if (!top) {
		qsort(keys, *n, sizeof(char *), cmp_str);
	}
	return keys;
}

static void text_add(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Pretty JSON as Go's json.MarshalIndent writes it (two spaces, "key": value,
 * [] and {} when empty); scalars are json-c's own serialisation. */
static void json_text(json_object *o, int top, int depth, char **buf, size_t *len, size_t *cap)
{
	static const char spaces[] =
	    "                                                                ";
	int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
	size_t pad = (size_t)(depth + 1) * 2 > sizeof(spaces) - 1 ? sizeof(spaces) - 1
								  : (size_t)(depth + 1) * 2;
	if (json_object_is_type(o, json_type_object) && json_object_object_length(o) > 0) {
		size_t n;
		_cleanup_free_ const char **keys = sorted_keys(o, top, &n);
		text_add(buf, len, cap, "{\n", 2);
		for (size_t i = 0; i < n; i++) {
			_cleanup_json_ json_object *k = json_object_new_string(keys[i]);
			const char *ks = json_object_to_json_string_ext(k, flags);
			text_add(buf, len, cap, spaces, pad);
			text_add(buf, len, cap, ks, strlen(ks));
			text_add(buf, len, cap, ": ", 2);
			json_text(json_object_object_get(o, keys[i]), 0, depth + 1, buf, len, cap);
			text_add(buf, len, cap, i + 1 < n ? ",\n" : "\n", i + 1 < n ? 2 : 1);
		}
		text_add(buf, len, cap, spaces, pad - 2);
		text_add(buf, len, cap, "}", 1);
	} else if (json_object_is_type(o, json_type_array) && json_object_array_length(o) > 0) {
		size_t n = json_object_array_length(o);
		text_add(buf, len, cap, "[\n", 2);
		for (size_t i = 0; i < n; i++) {
			text_add(buf, len, cap, spaces, pad);
			json_text(json_object_array_get_idx(o, i), 0, depth + 1, buf, len, cap);
			text_add(buf, len, cap, i + 1 < n ? ",\n" : "\n", i + 1 < n ? 2 : 1);
		}
		text_add(buf, len, cap, spaces, pad - 2);
		text_add(buf, len, cap, "]", 1);
	} else {
		const char *t = json_object_is_type(o, json_type_object) ? "{}"
				: json_object_is_type(o, json_type_array)
				    ? "[]"
				    : json_object_to_json_string_ext(o, flags);
		text_add(buf, len, cap, t, strlen(t));
	}
}

char *sv_json_to_text(json_object *doc)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	json_text(doc, 1, 0, &buf, &len, &cap);
	text_add(&buf, &len, &cap, "\n", 1);
	return buf;
}

/* ---- YAML ---- */

/* A string that a YAML 1.1 reader would take for a bool, null or number is
 * quoted, so the document reads back as the same strings. */
static int needs_quotes(const char *s)
{
	static const char *const words[] = {"y",    "n",     "yes",   "no",   "on",
					    "off",  "true",  "false", "null", "~",
					    ".inf", "-.inf", "+.inf", ".nan"};
	if (!*s)
		return 1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	/* number-like: digits and the characters of YAML 1.1 ints, floats,
	 * hex, octal and sexagesimal ("8080", "1e3", "0x1f", "1:30") */
	int digit_start = isdigit((unsigned char)s[0]) ||
			  (strchr("-+.", s[0]) && (isdigit((unsigned char)s[1]) || s[1] == '.'));
	if (digit_start && strspn(s, "0123456789+-._:eExXoObBaAcCdDfF") == strlen(s))
		return 1;
	if (isspace((unsigned char)s[0]) || isspace((unsigned char)s[strlen(s) - 1]))
		return 1;
	return 0;
}

struct emit {
	yaml_emitter_t em;
	char *buf;
	size_t len, cap;
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct emit *e = data;
	if (e->len + size + 1 > e->cap) {
		e->cap = (e->len + size + 1) * 2;
		e->buf = realloc(e->buf, e->cap);
		if (!e->buf)
			abort();
	}
	memcpy(e->buf + e->len, buffer, size);
	e->len += size;
	e->buf[e->len] = '\0';
	return 1;
}

static int emit_scalar(struct emit *e, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     style);
	return yaml_emitter_emit(&e->em, &ev) ? 0 : -1;
}

static int emit_value(struct emit *e, json_object *o, int top)
{
	yaml_event_t ev;
	switch (json_object_get_type(o)) {
	case json_type_null:
		return emit_scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
	case json_type_boolean:
		return emit_scalar(e, json_object_get_boolean(o) ? "true" : "false",
				   YAML_PLAIN_SCALAR_STYLE);
	case json_type_int:
	case json_type_double:
		return emit_scalar(e, json_object_to_json_string(o), YAML_PLAIN_SCALAR_STYLE);
	case json_type_string: {
		const char *s = json_object_get_string(o);
		return emit_scalar(e, s,
				   needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						   : YAML_ANY_SCALAR_STYLE);
	}
	case json_type_array: {
		size_t n = json_object_array_length(o);
		yaml_sequence_start_event_initialize(
		    &ev, NULL, NULL, 1, n ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(&e->em, &ev))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (emit_value(e, json_object_array_get_idx(o, i), 0) < 0)
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(&e->em, &ev) ? 0 : -1;
	}
	case json_type_object: {
		size_t n;
		_cleanup_free_ const char **keys = sorted_keys(o, top, &n);
		yaml_mapping_start_event_initialize(
		    &ev, NULL, NULL, 1, n ? YAML_BLOCK_MAPPING_STYLE : YAML_FLOW_MAPPING_STYLE);
		if (!yaml_emitter_emit(&e->em, &ev))
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (emit_scalar(e, keys[i],
					needs_quotes(keys[i]) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
							      : YAML_ANY_SCALAR_STYLE) < 0 ||
			    emit_value(e, json_object_object_get(o, keys[i]), 0) < 0)
				return -1;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(&e->em, &ev) ? 0 : -1;
	}
	}
	return -1;
}

int sv_json_to_yaml(json_object *doc, char **out, struct gk_err *err)
{
	struct emit e = {0};
	yaml_event_t ev;
	if (!yaml_emitter_initialize(&e.em))
		abort();
	yaml_emitter_set_output(&e.em, write_handler, &e);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, -1);
	yaml_emitter_set_indent(&e.em, 2);
	int ok = 1;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = ok && yaml_emitter_emit(&e.em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&e.em, &ev);
	ok = ok && emit_value(&e, doc, 1) == 0;
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e.em, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e.em, &ev);
	ok = ok && yaml_emitter_flush(&e.em);
	if (!ok) {
		const char *problem = e.em.problem ? e.em.problem : "unknown error";
		gk_err_set(err, 0, "emit YAML: %s", problem);
		yaml_emitter_delete(&e.em);
		free(e.buf);
		return -1;
	}
	yaml_emitter_delete(&e.em);
	*out = e.buf ? e.buf : gk_strdup("");
	return 0;
}
