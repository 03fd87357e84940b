/* gocker images (image ls): one row per name, like Docker. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/units.h"
#include "runtime/commands.h"
#include "runtime/reference.h"
#include "runtime/store.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct row {
	char *repo, *tag, *id, *digest, *created_since, *created_at, *size;
	time_t created;
};

static void row_free(struct row *r)
{
	free(r->repo);
	free(r->tag);
	free(r->id);
	free(r->digest);
	free(r->created_since);
	free(r->created_at);
	free(r->size);
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	int c = strcmp(x->repo, y->repo);
	return c ? c : strcmp(x->tag, y->tag);
}

/* "busybox:latest" -> "busybox", "latest" (the ':' after the last '/'). */
static void split_tag(const char *name, char **repo, char **tag)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	if (!colon) {
		*repo = gk_strdup(name);
		*tag = gk_strdup("<none>");
		return;
	}
	*repo = strndup(name, (size_t)(colon - name));
	*tag = gk_strdup(colon + 1);
}

static void fill_common(struct row *r, const struct rt_image_summary *s, int no_trunc)
{
	r->id = no_trunc ? gk_strdup(s->id) : strndup(s->id + 7, 12);
	struct timespec ts = {0};
	char buf[64];
	if (s->created && gk_parse_time(s->created, &ts) == 0) {
		r->created = ts.tv_sec;
		gk_human_duration((int64_t)(time(NULL) - ts.tv_sec), buf, sizeof(buf));
		r->created_since = gk_strdup_printf("%s ago", buf);
		gk_format_time_cli(ts.tv_sec, buf, sizeof(buf));
		r->created_at = gk_strdup(buf);
	} else {
		r->created_since = gk_strdup("N/A");
		r->created_at = gk_strdup("N/A");
	}
	gk_human_size((double)s->size, 3, buf, sizeof(buf));
	r->size = gk_strdup(buf);
	const char *at = s->repo_digests[0] ? strchr(s->repo_digests[0], '@') : NULL;
	r->digest = gk_strdup(at ? at + 1 : "<none>");
}

struct filters {
	const char *repo;  /* `images REPOSITORY[:TAG]` */
	int dangling;	   /* -f dangling=true|false; -1: either */
	char **references; /* -f reference=PATTERN (fnmatch on repo:tag and repo) */
};

static int repo_matches(const struct row *r, const char *arg)
{
	struct rt_ref ref;
	struct gk_err err;
	if (rt_ref_parse(arg, &ref, &err) < 0)
		return 0;
	_cleanup_free_ char *repo = rt_ref_familiar_repository(&ref);
	const char *slash = strrchr(arg, '/');
	int has_tag = strchr(slash ? slash : arg, ':') != NULL;
	int ok = strcmp(repo, r->repo) == 0 && (!has_tag || strcmp(ref.tag, r->tag) == 0);
	rt_ref_free(&ref);
	return ok;
}

static int row_matches(const struct row *r, const struct filters *f)
{
	if (f->repo && !repo_matches(r, f->repo))
		return 0;
	int dangling = strcmp(r->repo, "<none>") == 0;
	if (f->dangling >= 0 && dangling != f->dangling)
		return 0;
	if (f->references && f->references[0]) {
		if (dangling)
			return 0;
		_cleanup_free_ char *full = gk_strdup_printf("%s:%s", r->repo, r->tag);
		int any = 0;
		for (char **p = f->references; *p && !any; p++)
			any = fnmatch(*p, full, FNM_PATHNAME) == 0 ||
			      fnmatch(*p, r->repo, FNM_PATHNAME) == 0;
		if (!any)
			return 0;
	}
	return 1;
}

static int add_filter(struct filters *f, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq)
		return -1;
	if (strncmp(arg, "dangling=", 9) == 0) {
		if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "1") == 0)
			f->dangling = 1;
		else if (strcmp(eq + 1, "false") == 0 || strcmp(eq + 1, "0") == 0)
			f->dangling = 0;
		else
			return -1;
		return 0;
	}
	if (strncmp(arg, "reference=", 10) == 0) {
		gk_strv_push(&f->references, eq + 1);
		return 0;
	}
	return -1;
}

/* text/tabwriter with Docker's settings: minwidth 10, padding 3. */
static void print_table(char ***cells, size_t nrows, size_t ncols)
{
	size_t *w = gk_malloc0(ncols * sizeof(size_t));
	for (size_t i = 0; i < nrows; i++)
		for (size_t j = 0; j + 1 < ncols; j++) {
			size_t len = strlen(cells[i][j]) + 3;
			if (len < 10)
				len = 10;
			if (len > w[j])
				w[j] = len;
		}
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			if (j + 1 < ncols)
				printf("%-*s", (int)w[j], cells[i][j]);
			else
				printf("%s\n", cells[i][j]);
		}
	}
	free(w);
}

static const char *row_field(const struct row *r, const char *name)
{
	if (strcmp(name, "ID") == 0)
		return r->id;
	if (strcmp(name, "Repository") == 0)
		return r->repo;
	if (strcmp(name, "Tag") == 0)
		return r->tag;
	if (strcmp(name, "Digest") == 0)
		return r->digest;
	if (strcmp(name, "CreatedSince") == 0)
		return r->created_since;
	if (strcmp(name, "CreatedAt") == 0)
		return r->created_at;
	if (strcmp(name, "Size") == 0 || strcmp(name, "VirtualSize") == 0)
		return r->size;
	if (strcmp(name, "Containers") == 0 || strcmp(name, "SharedSize") == 0 ||
	    strcmp(name, "UniqueSize") == 0)
		return "N/A";
	return NULL;
}

static void print_json(const struct row *r)
{
	static const char *const fields[] = {"Containers", "CreatedAt",	 "CreatedSince", "Digest",
					     "ID",	   "Repository", "SharedSize",	 "Size",
					     "Tag",	   "UniqueSize", "VirtualSize"};
	_cleanup_json_ json_object *o = json_object_new_object();
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		json_object_object_add(o, fields[i],
				       json_object_new_string(row_field(r, fields[i])));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* A Go template limited to literal text and {{.Field}}; NULL on an unknown field. */
static char *expand(const char *tmpl, const struct row *r, const char **bad)
{
	char *out = gk_strdup("");
	const char *p = tmpl;
	while (*p) {
		const char *open = strstr(p, "{{");
		const char *lit_end = open ? open : p + strlen(p);
		char *lit = strndup(p, (size_t)(lit_end - p));
		char *n = gk_strdup_printf("%s%s", out, lit);
		free(lit);
		free(out);
		out = n;
		if (!open)
			break;
		const char *close = strstr(open, "}}");
		if (!close) {
			*bad = open;
			free(out);
			return NULL;
		}
		char *field = strndup(open + 2, (size_t)(close - open - 2));
		char *f = field;
		while (*f == ' ')
			f++;
		char *e = f + strlen(f);
		while (e > f && e[-1] == ' ')
			*--e = '\0';
		const char *v = (*f == '.') ? row_field(r, f + 1) : NULL;
		if (!v) {
			*bad = open;
			free(field);
			free(out);
			return NULL;
		}
		n = gk_strdup_printf("%s%s", out, v);
		free(field);
		free(out);
		out = n;
		p = close + 2;
	}
	return out;
}

static char *unescape_tabs(const char *s)
{
	char *o = gk_strdup(s), *w = o;
	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] == 't') {
			*w++ = '\t';
			p++;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return o;
}

static int images_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},	  {"all", no_argument, NULL, 'a'},
	    {"no-trunc", no_argument, NULL, 'T'}, {"format", required_argument, NULL, 'F'},
	    {"digests", no_argument, NULL, 'D'},  {"filter", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0}};
	int quiet = 0, no_trunc = 0, digests = 0, done = 0, c;
	const char *format = NULL;
	struct filters flt = {.dangling = -1};
	_cleanup_strv_ char **refs = NULL;
	while ((c = gk_cmd_getopt(self, argc, argv, "qahf:", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'T':
			no_trunc = 1;
			break;
		case 'F':
			format = optarg;
			break;
		case 'D':
			digests = 1;
			break;
		case 'f':
			if (add_filter(&flt, optarg) < 0) {
				gk_strv_free(flt.references);
				return gk_cmd_usage_error(
				    self,
				    "invalid filter \"%s\" (dangling=true|false, "
				    "reference=PATTERN)",
				    optarg);
			}
			break;
		default: /* -a: gocker keeps no intermediate images */
			break;
		}
	}
	if (argc - optind > 1)
		return gk_cmd_usage_error(self, "requires at most 1 argument");
	refs = flt.references; /* freed on every return */
	flt.repo = optind < argc ? argv[optind] : NULL;
	struct gk_err err;
	struct rt_store *store = NULL;
	struct rt_image_summary *v = NULL;
	size_t n = 0;
	if (rt_store_open(NULL, &store, &err) < 0 ||
	    rt_store_list_images(store, &v, &n, &err) < 0) {
		rt_store_close(store);
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	rt_store_close(store);

	size_t nrows = 0;
	for (size_t i = 0; i < n; i++)
		nrows += v[i].repo_tags[0] ? gk_strv_len(v[i].repo_tags) : 1;
	struct row *rows = gk_malloc0((nrows + 1) * sizeof(*rows));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i].repo_tags[0]) {
			rows[k].repo = gk_strdup("<none>");
			rows[k].tag = gk_strdup("<none>");
			fill_common(&rows[k++], &v[i], no_trunc);
			continue;
		}
		for (char **t = v[i].repo_tags; *t; t++) {
			split_tag(*t, &rows[k].repo, &rows[k].tag);
			fill_common(&rows[k++], &v[i], no_trunc);
		}
	}
	rt_image_summaries_free(v, n);
	qsort(rows, nrows, sizeof(*rows), row_cmp);

	int rc = 0;
	if (quiet) {
		for (size_t i = 0; i < nrows; i++)
			if (row_matches(&rows[i], &flt))
				printf("%s\n", rows[i].id);
	} else if (format && strcmp(format, "json") == 0) {
		for (size_t i = 0; i < nrows; i++)
			if (row_matches(&rows[i], &flt))
				print_json(&rows[i]);
	} else if (format && strcmp(format, "table") != 0) {
		_cleanup_free_ char *tmpl = unescape_tabs(format);
		for (size_t i = 0; i < nrows && rc == 0; i++) {
			if (!row_matches(&rows[i], &flt))
				continue;
			const char *bad = NULL;
			_cleanup_free_ char *line = expand(tmpl, &rows[i], &bad);
			if (!line) {
				fprintf(stderr, "gocker: unsupported --format at \"%s\"\n", bad);
				rc = GK_EXIT_FAILURE;
				break;
			}
			printf("%s\n", line);
		}
	} else {
		size_t ncols = digests ? 6 : 5;
		char ***cells = gk_malloc0((nrows + 1) * sizeof(char **));
		size_t m = 0;
		cells[m] = gk_malloc0(ncols * sizeof(char *));
		const char *head[] = {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"};
		for (size_t j = 0, h = 0; j < ncols; j++, h++) {
			if (!digests && h == 2)
				h++;
			cells[m][j] = (char *)head[h];
		}
		m++;
		for (size_t i = 0; i < nrows; i++) {
			if (!row_matches(&rows[i], &flt))
				continue;
			struct row *r = &rows[i];
			cells[m] = gk_malloc0(ncols * sizeof(char *));
			size_t j = 0;
			cells[m][j++] = r->repo;
			cells[m][j++] = r->tag;
			if (digests)
				cells[m][j++] = r->digest;
			cells[m][j++] = r->id;
			cells[m][j++] = r->created_since;
			cells[m][j++] = r->size;
			m++;
		}
		print_table(cells, m, ncols);
		for (size_t i = 0; i < m; i++)
			free(cells[i]);
		free(cells);
	}
	for (size_t i = 0; i < nrows; i++)
		row_free(&rows[i]);
	free(rows);
	return rc;
}

#define IMAGES_HELP                                                                                \
	"  -a, --all           show all images (gocker keeps no intermediate ones)\n"              \
	"      --digests       show digests\n"                                                     \
	"  -f, --filter F      dangling=true|false, reference=PATTERN (repeatable)\n"              \
	"      --format FMT    \"json\", \"table\", or a template of {{.ID}}, {{.Repository}},\n"  \
	"                      {{.Tag}}, {{.Digest}}, {{.CreatedSince}}, {{.CreatedAt}},\n"        \
	"                      {{.Size}}\n"                                                        \
	"      --no-trunc      do not truncate the image id\n"                                     \
	"  -q, --quiet         only show image ids\n"

const struct gk_cmd gk_cmd_images = {
    .name = "images",
    .usage = "[OPTIONS] [REPOSITORY[:TAG]]",
    .summary = "List images",
    .help = IMAGES_HELP,
    .exec = images_exec,
};

const struct gk_cmd gk_cmd_image_ls = {
    .name = "image ls",
    .usage = "[OPTIONS] [REPOSITORY[:TAG]]",
    .summary = "List images",
    .help = IMAGES_HELP,
    .exec = images_exec,
};
