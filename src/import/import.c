/* The plan an importer builds, and its INI text (import.h). */
#include "import/import.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "run/plan.h"
#include "util/err.h"

void import_init(struct import_doc *d, const char *peer, const char *name, const char *source)
{
	memset(d, 0, sizeof(*d));
	d->peer = peer;
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->source, sizeof(d->source), "%s", source);
}

void import_free(struct import_doc *d)
{
	for (int i = 0; i < d->nw; i++) {
		for (int k = 0; k < d->w[i].n; k++)
			free(d->w[i].val[k]);
		free(d->w[i].opts);
	}
	for (int i = 0; i < d->nnotes; i++)
		free(d->note[i]);
	d->nw = d->nnotes = 0;
}

struct import_workload *import_workload(struct import_doc *d, const char *name, const char *type)
{
	const struct workload_ops *ops = workload_find(type);
	if (!ops) {
		vb_err(-EINVAL, "import: no workload '%s'", type);
		return NULL;
	}
	if (d->nw == IMPORT_MAX_WORKLOADS) {
		vb_err(-E2BIG, "import: more than %d jobs", IMPORT_MAX_WORKLOADS);
		return NULL;
	}
	if (plan_valid_name("workload", name) < 0)
		return NULL;
	struct import_workload *w = &d->w[d->nw];
	memset(w, 0, sizeof(*w));
	w->opts = calloc(1, ops->opts_size);
	if (!w->opts) {
		vb_err(-ENOMEM, "import: out of memory");
		return NULL;
	}
	opt_defaults(ops->options, w->opts);
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->ops = ops;
	d->nw++;
	return w;
}

int import_set(struct import_doc *d, struct import_workload *w, const char *key,
	       const char *value, const char *where)
{
	const struct opt_def *def = opt_find(w->ops->options, key);
	if (!def)
		return 1;
	char ctx[512];
	snprintf(ctx, sizeof(ctx), "%s: %s option '%s' of job '%s'", where, d->peer, key, w->name);
	int r = opt_set(w->ops->options, w->opts, ctx, key, value);
	if (r < 0)
		return r;
	char buf[4096];
	opt_fmt(def, w->opts, buf, sizeof(buf));
	int k = 0;
	while (k < w->n && strcmp(w->key[k], def->name))
		k++;
	if (k == w->n) {
		if (w->n == IMPORT_MAX_KEYS)
			return vb_err(-E2BIG, "import: too many options in job '%s'", w->name);
		w->key[w->n++] = def->name;
	} else {
		free(w->val[k]);
	}
	w->val[k] = strdup(buf);
	return w->val[k] ? 0 : -ENOMEM;
}

void import_note(struct import_doc *d, const char *fmt, ...)
{
	if (d->nnotes == IMPORT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&d->note[d->nnotes], fmt, ap) >= 0)
		d->nnotes++;
	va_end(ap);
}

/* The position of an option in its table, so that the plan lists a job's
 * options in the order `vmbench list` shows them. */
static int table_pos(const struct workload_ops *ops, const char *key)
{
	int i = 0;
	for (const struct opt_def *o = ops->options; o && o->name; o++, i++)
		if (o->name == key)
			return i;
	return i;
}

int import_emit(const struct import_doc *d, char **text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "; imported by 'vmbench import' from %s\n", d->source);
	if (d->nnotes) {
		fprintf(f, "; notes (an option without a vmbench equivalent is left out):\n");
		for (int i = 0; i < d->nnotes; i++)
			fprintf(f, ";   %s\n", d->note[i]);
	}
	fprintf(f, "\n[experiment]\nname = %s\n"
		   "; %s runs once; vmbench repeats each job for its interval\nrepeat = 3\n",
		d->name, d->peer);
	fprintf(f, "\n[variant native]\ntarget = native\n");
	if (d->workdir[0])
		fprintf(f, "workdir = %s\n", d->workdir);
	for (int i = 0; i < d->nw; i++) {
		const struct import_workload *w = &d->w[i];
		fprintf(f, "\n[workload %s]\ntype = %s\n", w->name, w->ops->name);
		int done[IMPORT_MAX_KEYS] = {0};
		for (int k = 0; k < w->n; k++) {
			int best = -1;
			for (int j = 0; j < w->n; j++)
				if (!done[j] && (best < 0 || table_pos(w->ops, w->key[j]) <
								table_pos(w->ops, w->key[best])))
					best = j;
			done[best] = 1;
			fprintf(f, "%s = %s\n", w->key[best], w->val[best]);
		}
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	/* the text must load as a plan, with the workloads' own checks */
	struct plan p;
	plan_init(&p);
	int r = plan_load_string(&p, buf, "the imported plan");
	if (r == 0)
		r = plan_validate(&p);
	plan_free(&p);
	if (r < 0) {
		free(buf);
		return r;
	}
	*text = buf;
	return 0;
}
