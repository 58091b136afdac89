/* A fio job file as a plan of blkio workloads (blkio follows fio: its
 * options carry fio's names as peers, see src/workloads/blkio.c).
 *
 * fio's format: "[global]" and one section per job; "key=value" or a bare
 * "key" (a flag); comments start with ';' or '#'. [global] applies to every
 * job after it. What fio spells differently from blkio's table is
 * translated here; the rest goes through the table (import_set). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "util/err.h"

struct fio_kv {
	char key[64];
	char val[1024];
	int has_val;
	int line;
};

struct fio_sec {
	char name[64];
	struct fio_kv kv[128];
	int n;
	int line;
};

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse(const char *text, const char *source, struct fio_sec *sec, int max, int *nsec)
{
	char *copy = strdup(text);
	int line = 0, r = 0;
	if (!copy)
		return -ENOMEM;
	*nsec = 0;
	/* strtok_r would skip empty lines and so lose line numbers */
	for (char *ln = copy, *next; ln && r == 0; ln = next) {
		next = strchr(ln, '\n');
		if (next)
			*next++ = '\0';
		line++;
		char *s = trim(ln);
		if (!*s || *s == ';' || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || end == s + 1) {
				r = vb_err(-EINVAL, "%s:%d: a section header is '[name]'", source, line);
				break;
			}
			if (*nsec == max) {
				r = vb_err(-E2BIG, "%s:%d: more than %d jobs", source, line, max - 1);
				break;
			}
			*end = '\0';
			struct fio_sec *c = &sec[(*nsec)++];
			memset(c, 0, sizeof(*c));
			snprintf(c->name, sizeof(c->name), "%s", trim(s + 1));
			c->line = line;
			continue;
		}
		if (!*nsec) {
			r = vb_err(-EINVAL, "%s:%d: '%s' is outside a section ([global] or [JOB])",
				   source, line, s);
			break;
		}
		struct fio_sec *c = &sec[*nsec - 1];
		if (c->n == (int)(sizeof(c->kv) / sizeof(c->kv[0]))) {
			r = vb_err(-E2BIG, "%s:%d: too many options in [%s]", source, line, c->name);
			break;
		}
		struct fio_kv *kv = &c->kv[c->n++];
		char *eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		snprintf(kv->key, sizeof(kv->key), "%s", trim(s));
		snprintf(kv->val, sizeof(kv->val), "%s", eq ? trim(eq + 1) : "");
		kv->has_val = eq != NULL;
		kv->line = line;
	}
	free(copy);
	return r;
}

/* fio's spellings that blkio's table does not hold as a name or a peer. */
static int job_set(struct import_doc *d, struct import_workload *w, const struct fio_kv *kv,
		   const char *source, int *time_based)
{
	const char *k = kv->key, *v = kv->val;
	char buf[64];
	static const char *const output_only[] = {
	    "name", "description", "group_reporting", "write_bw_log", "write_lat_log",
	    "write_iops_log", "log_avg_msec", "per_job_logs", "write_hist_log",
	    "percentile_list", "clat_percentiles", "lat_percentiles", "unified_rw_reporting", NULL,
	};
	for (int i = 0; output_only[i]; i++)
		if (!strcmp(k, output_only[i])) {
			import_note(d, "%s (job %s): fio's report only; vmbench reports its own way",
				    k, w->name);
			return 0;
		}
	if (!strcmp(k, "readwrite"))
		k = "rw";
	else if (!strcmp(k, "blocksize"))
		k = "bs";
	else if (!strcmp(k, "io_limit"))
		k = "io_size";
	else if (!strcmp(k, "time_based")) {
		*time_based = !kv->has_val || strcmp(v, "0");
		return 0;
	}
	if (!strcmp(k, "rw") && (!strcmp(v, "rw") || !strcmp(v, "readwrite")))
		v = "readwrite";
	if (!strcmp(k, "rwmixwrite")) {
		long x = strtol(v, NULL, 10);
		snprintf(buf, sizeof(buf), "%ld", 100 - x);
		k = "rwmixread";
		v = buf;
	}
	if (!strcmp(k, "ioengine") && !strcmp(v, "sync")) {
		import_note(d, "ioengine=sync (job %s): imported as psync (pread/pwrite instead of "
			       "lseek and read/write)", w->name);
		v = "psync";
	}
	char where[320];
	snprintf(where, sizeof(where), "%s:%d", source, kv->line);
	int r = import_set(d, w, k, kv->has_val ? v : "1", where);
	if (r == 1) {
		import_note(d, "%s%s%s (%s:%d, job %s)", kv->key, kv->has_val ? "=" : "",
			    kv->has_val ? kv->val : "", source, kv->line, w->name);
		return 0;
	}
	return r < 0 ? r : 0;
}

static int import_jobs(const struct fio_sec *sec, int nsec, const char *source,
		       struct import_doc *d);

int import_fio(const char *text, const char *source, struct import_doc *d)
{
	struct fio_sec *sec = calloc(IMPORT_MAX_WORKLOADS + 1, sizeof(*sec));
	int nsec = 0, r;
	if (!sec)
		return -ENOMEM;
	r = parse(text, source, sec, IMPORT_MAX_WORKLOADS + 1, &nsec);
	if (r == 0)
		r = import_jobs(sec, nsec, source, d);
	free(sec);
	return r;
}

/* Every job section, with [global]'s options before its own. */
static int import_jobs(const struct fio_sec *sec, int nsec, const char *source,
		       struct import_doc *d)
{
	int r;
	const struct fio_sec *global = NULL;
	int jobs = 0;
	for (int s = 0; s < nsec; s++) {
		if (!strcmp(sec[s].name, "global")) {
			global = &sec[s];
			continue;
		}
		struct import_workload *w = import_workload(d, sec[s].name, "blkio");
		if (!w)
			return vb_err(-EINVAL, "%s:%d: job [%s]: %s", source, sec[s].line, sec[s].name,
				      vb_errmsg());
		jobs++;
		int time_based = 0, has_runtime = 0, has_file = 0, clones = 0;
		const struct fio_sec *from[2] = {global, &sec[s]};
		for (int g = 0; g < 2; g++) {
			if (!from[g])
				continue;
			for (int i = 0; i < from[g]->n; i++) {
				const struct fio_kv *kv = &from[g]->kv[i];
				if (!strcmp(kv->key, "directory")) {
					if (d->workdir[0] && strcmp(d->workdir, kv->val))
						import_note(d, "directory=%s (job %s): one directory "
							       "per plan; the first is the workdir",
							    kv->val, w->name);
					else
						snprintf(d->workdir, sizeof(d->workdir), "%s",
							 kv->val);
					continue;
				}
				has_runtime |= !strcmp(kv->key, "runtime");
				has_file |= !strcmp(kv->key, "filename");
				clones |= !strcmp(kv->key, "numjobs") && strcmp(kv->val, "1");
				if ((r = job_set(d, w, kv, source, &time_based)) < 0)
					return r;
			}
		}
		/* fio: without time_based, runtime only cuts one pass short */
		if (has_runtime &&
		    (r = import_set(d, w, "time-based", time_based ? "on" : "off", source)) < 0)
			return r;
		if (!has_file && clones)
			import_note(d, "numjobs (job %s): fio gives each clone a file of its own when "
				       "there is no filename; blkio's jobs share one",
				    w->name);
		if (!has_file) {
			char fn[96];
			snprintf(fn, sizeof(fn), "%.63s.0.0", w->name);
			import_note(d, "no filename (job %s): fio's default %s, in the workdir", w->name,
				    fn);
			if ((r = import_set(d, w, "filename", fn, source)) < 0)
				return r;
		}
	}
	if (!jobs)
		return vb_err(-EINVAL, "%s: no job section (fio jobs are [NAME] sections besides "
				       "[global])",
			      source);
	return 0;
}
