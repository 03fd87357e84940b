/* Helpers shared by the test_compose_*.c files: load a compose document from
 * a string with a fixed environment, expect success or a given error. */
#ifndef COMPOSE_TEST_H
#define COMPOSE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "supervisor/compose.h"

static char *const test_environ[] = {
    "HOME=/home/test", "FOO=foo", "EMPTY=", "PORT=8080", "TAG=1.36", NULL};

static inline int load_files(const char *const *docs, size_t n, char *const *env,
			     struct sv_project **p, struct gk_err *err)
{
	char *files[8] = {0};
	size_t lens[8];
	for (size_t i = 0; i < n && i < 7; i++) {
		files[i] = i == 0 ? "stack.yml" : "override.yml";
		lens[i] = strlen(docs[i]);
	}
	struct sv_load_opts o = {.files = files,
				 .buffers = docs,
				 .buffer_lens = lens,
				 .environ = env ? env : test_environ,
				 .project_name = "proj"};
	return sv_project_load(&o, p, err);
}

static inline struct sv_project *load_ok(const char *yaml)
{
	struct gk_err err = {0};
	struct sv_project *p = NULL;
	const char *docs[] = {yaml};
	if (load_files(docs, 1, NULL, &p, &err) < 0)
		fail_msg("load failed: %s\n---\n%s", err.msg, yaml);
	return p;
}

/* Expect failure with `want` as a substring of the message. */
static inline void load_err(const char *yaml, const char *want)
{
	struct gk_err err = {0};
	struct sv_project *p = NULL;
	const char *docs[] = {yaml};
	if (load_files(docs, 1, NULL, &p, &err) == 0) {
		sv_project_free(p);
		fail_msg("expected error \"%s\" for:\n%s", want, yaml);
	}
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err.msg, want);
}

static inline const struct sv_service *svc(const struct sv_project *p, const char *name)
{
	const struct sv_service *s = sv_project_service(p, name);
	if (!s)
		fail_msg("no service %s", name);
	return s;
}

static inline const char *env_of(const struct sv_service *s, const char *key)
{
	for (size_t i = 0; i < s->n_environment; i++)
		if (!strcmp(s->environment[i].key, key))
			return s->environment[i].value;
	return "<absent>";
}

static inline int has_warning(const struct sv_project *p, const char *want)
{
	for (char **w = p->warnings; w && *w; w++)
		if (strstr(*w, want))
			return 1;
	return 0;
}

#endif
