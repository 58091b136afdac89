/* The options of a density experiment and density plan files: a plan
 * file's [experiment] and [variant NAME] sections as `vmbench run` reads
 * them (run/plan.c), plus a [density] section read here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ini.h"
#include "density/density.h"
#include "util/err.h"

const char *const density_ksm_names[] = {"off", "on", "both", NULL};

const struct opt_def density_options[] = {
    OPT_INT("count", struct density_opts, count, "20", 1, 10000, "instances to launch at most"),
    OPT_INT("first", struct density_opts, first, "10", 0, 10000,
	    "instances launched and measured one by one before the groups of 'step'"),
    OPT_INT("step", struct density_opts, step, "10", 1, 10000,
	    "instances per step after the first ones"),
    OPT_SIZE("reserve", struct density_opts, reserve, "0", 0, 0,
	     "stop before MemAvailable falls under this (0: 10% of MemTotal or 1G, "
	     "whichever is larger)"),
    OPT_ENUM("ksm", struct density_opts, ksm, "off", density_ksm_names,
	     "KSM during the ramp: off, on (aggressive scanning, settings restored "
	     "afterwards), both (the whole ramp twice: off, then on)"),
    OPT_INT("ksm-pages-to-scan", struct density_opts, ksm_pages_to_scan, "5000", 1, 1e7,
	    "KSM's pages_to_scan while the ramp runs with KSM on"),
    OPT_INT("ksm-sleep-millisecs", struct density_opts, ksm_sleep_ms, "20", 0, 60000,
	    "KSM's sleep_millisecs while the ramp runs with KSM on"),
    OPT_DOUBLE("ksm-change-pct", struct density_opts, ksm_change_pct, "5", 0, 100,
	       "KSM has converged when pages_sharing changes by less than this between "
	       "two full scans"),
    OPT_DURATION("ksm-timeout", struct density_opts, ksm_timeout_ns, "300s", 1e9, 86400e9,
		 "how long a step waits for KSM to converge"),
    OPT_BOOL("merge-any", struct density_opts, merge_any, "off",
	     "with KSM on, mark all of the instances' memory mergeable (prctl "
	     "PR_SET_MEMORY_MERGE; Linux 6.4+); else KSM merges only what they madvise, "
	     "as QEMU does with guest RAM"),
    OPT_DOUBLE("settle-pct", struct density_opts, settle_pct, "1", 0.001, 100,
	       "memory is stable when host used changes by less than this percentage "
	       "between consecutive samples"),
    OPT_DURATION("settle-interval", struct density_opts, settle_interval_ns, "1s", 1e8, 60e9,
		 "time between two memory samples"),
    OPT_INT("settle-samples", struct density_opts, settle_samples, "2", 1, 100,
	    "consecutive stable intervals that make a step stable"),
    OPT_DURATION("settle-timeout", struct density_opts, settle_timeout_ns, "60s", 1e9, 3600e9,
		 "how long a step waits for stable figures (then it is measured and "
		 "marked unstable)"),
    OPT_END,
};

void density_opts_init(struct density_opts *o)
{
	memset(o, 0, sizeof(*o));
	opt_defaults(density_options, o);
}

int density_plan_load_string(const char *text, const char *source, struct plan *p,
			     struct density_opts *o)
{
	struct ini_doc doc;
	char *rest = strdup(text);
	int r = 0;
	if (!rest || ini_parse(text, &doc) < 0) {
		free(rest);
		return vb_err(-ENOMEM, "out of memory reading plan '%s'", source);
	}
	/* the line where each line of text starts, to blank [density] out of
	 * what the plan parser reads (so that its line numbers stay right) */
	int nlines = 1;
	for (const char *c = rest; *c; c++)
		nlines += *c == '\n';
	char **line = calloc((size_t)nlines + 1, sizeof(*line));
	if (!line) {
		ini_free(&doc);
		free(rest);
		return -ENOMEM;
	}
	line[1] = rest;
	for (int i = 2, k = 0; rest[k]; k++)
		if (rest[k] == '\n' && i <= nlines)
			line[i++] = rest + k + 1;

	int ndensity = 0;
	for (int si = 0; si < doc.n && r == 0; si++) {
		const struct ini_section *sec = &doc.s[si];
		char kind[32] = "", extra[2] = "";
		if (sscanf(sec->header, "%31s %1s", kind, extra) < 1)
			continue;
		if (!strcmp(kind, "workload")) {
			r = vb_err(-EINVAL,
				   "%s:%d: a density plan launches idle instances: it has no "
				   "[workload] sections (run workloads with 'vmbench run')",
				   source, sec->line);
			break;
		}
		if (strcmp(kind, "density"))
			continue;
		if (extra[0] || ndensity++) {
			r = vb_err(-EINVAL, "%s:%d: one [density] section, without a name", source,
				   sec->line);
			break;
		}
		for (int k = 0; k < sec->n && r == 0; k++) {
			char ctx[300];
			snprintf(ctx, sizeof(ctx), "%s:%d: [density]", source, sec->e[k].line);
			r = opt_set(density_options, o, ctx, sec->e[k].key, sec->e[k].value);
		}
		/* blank the section: from its header to the next section */
		int end = si + 1 < doc.n ? doc.s[si + 1].line : nlines + 1;
		for (int l = sec->line; l < end && l <= nlines; l++)
			for (char *c = line[l]; *c && *c != '\n'; c++)
				*c = ' ';
	}
	if (r == 0)
		r = plan_load_string(p, rest, source);
	if (r == 0) {
		free(p->text); /* the stored plan is the whole file */
		p->text = strdup(text);
	}
	if (r == 0 && p->nv == 0)
		r = vb_err(-EINVAL,
			   "%s: no [variant NAME] section: say which target to launch "
			   "(e.g. [variant vm] with target = qemu)",
			   source);
	free(line);
	ini_free(&doc);
	free(rest);
	return r;
}

int density_plan_load(const char *path, struct plan *p, struct density_opts *o)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return vb_err(-errno, "cannot open plan '%s': %s", path, strerror(errno));
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while (mem && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	if (!mem)
		return -ENOMEM;
	fclose(mem);
	int r = density_plan_load_string(buf, path, p, o);
	free(buf);
	return r;
}

char *density_plan_to_ini(const struct plan *p, const struct density_opts *o, const char *comment)
{
	char *base = plan_to_ini(p, comment), *text = NULL;
	size_t len = 0;
	if (!base)
		return NULL;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		free(base);
		return NULL;
	}
	fputs(base, f);
	fputs("\n[density]\n", f);
	for (const struct opt_def *d = density_options; d->name; d++) {
		char buf[256];
		opt_fmt(d, o, buf, sizeof(buf));
		fprintf(f, "%s = %s\n", d->name, buf);
	}
	fclose(f);
	free(base);
	return text;
}
