/* The dependency graph: start order by levels (independent services of one
 * level may start in parallel), reverse for stop, and cycles named. */
#include "supervisor/compose.h"

#include "common/cleanup.h"
#include "common/fs.h"

#include <stdlib.h>
#include <string.h>

static size_t index_of(const struct sv_project *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++)
		if (!strcmp(p->services[i].name, name))
			return i;
	return SIZE_MAX;
}

/* DFS colours: 0 new, 1 on the stack, 2 done. On a back edge, the stack from
 * the repeated service onwards is the cycle. */
static int visit(const struct sv_project *p, size_t i, int *colour, size_t *stack, size_t depth,
		 int *level, struct gk_err *err)
{
	const struct sv_service *s = &p->services[i];
	if (depth > 1000)
		return sv_err_at(err, &s->loc,
				 "dependency chain too long (more than 1000 services)");
	colour[i] = 1;
	stack[depth] = i;
	int lvl = 0;
	for (size_t d = 0; d < s->n_depends_on; d++) {
		size_t j = index_of(p, s->depends_on[d].service);
		if (j == SIZE_MAX)
			return sv_err_at(err, &s->depends_on[d].loc,
					 "services.%s.depends_on: depends on undefined service "
					 "\"%s\"",
					 s->name, s->depends_on[d].service);
		if (colour[j] == 1) {
			char msg[GK_ERR_MSG_MAX] = "cycle found: ";
			size_t from = 0;
			while (stack[from] != j)
				from++;
			for (size_t k = from; k <= depth; k++) {
				strncat(msg, p->services[stack[k]].name,
					sizeof(msg) - strlen(msg) - 1);
				strncat(msg, " -> ", sizeof(msg) - strlen(msg) - 1);
			}
			strncat(msg, p->services[j].name, sizeof(msg) - strlen(msg) - 1);
			return sv_err_at(err, &p->services[j].loc, "%s", msg);
		}
		if (colour[j] == 0 && visit(p, j, colour, stack, depth + 1, level, err) < 0)
			return -1;
		if (level[j] + 1 > lvl)
			lvl = level[j] + 1;
	}
	colour[i] = 2;
	level[i] = lvl;
	return 0;
}

struct entry {
	const char *name;
	int level;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->level != y->level)
		return x->level - y->level;
	return strcmp(x->name, y->name);
}

int sv_graph_build(const struct sv_project *p, struct sv_graph *g, struct gk_err *err)
{
	memset(g, 0, sizeof(*g));
	size_t n = p->n_services;
	_cleanup_free_ int *colour = gk_malloc0((n + 1) * sizeof(int));
	_cleanup_free_ int *level = gk_malloc0((n + 1) * sizeof(int));
	_cleanup_free_ size_t *stack = gk_malloc0((n + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		if (colour[i] == 0 && visit(p, i, colour, stack, 0, level, err) < 0)
			return -1;
	_cleanup_free_ struct entry *e = gk_malloc0((n + 1) * sizeof(*e));
	for (size_t i = 0; i < n; i++)
		e[i] = (struct entry){p->services[i].name, level[i]};
	qsort(e, n, sizeof(*e), cmp_entry);
	g->n = n;
	g->order = gk_malloc0((n + 1) * sizeof(char *));
	g->level = gk_malloc0((n + 1) * sizeof(int));
	for (size_t i = 0; i < n; i++) {
		g->order[i] = gk_strdup(e[i].name);
		g->level[i] = e[i].level;
		if (e[i].level + 1 > g->n_levels)
			g->n_levels = e[i].level + 1;
	}
	return 0;
}

void sv_graph_free(struct sv_graph *g)
{
	gk_strv_free(g->order);
	free(g->level);
	memset(g, 0, sizeof(*g));
}

size_t sv_graph_level(const struct sv_graph *g, int level, size_t *first)
{
	size_t i = 0, n = 0;
	while (i < g->n && g->level[i] < level)
		i++;
	*first = i;
	while (i + n < g->n && g->level[i + n] == level)
		n++;
	return n;
}

char **sv_graph_dependents(const struct sv_project *p, const char *name)
{
	char **v = gk_malloc0(sizeof(char *));
	for (size_t i = 0; i < p->n_services; i++) /* services are sorted by name */
		for (size_t d = 0; d < p->services[i].n_depends_on; d++)
			if (!strcmp(p->services[i].depends_on[d].service, name))
				gk_strv_push(&v, p->services[i].name);
	return v;
}
