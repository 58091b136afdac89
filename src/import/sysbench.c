/* A sysbench command line as a plan of one cpu, memory or fileio workload
 * (each follows sysbench: their options carry sysbench's names as peers).
 *
 *   sysbench [OPTIONS] TEST [OPTIONS] [prepare|run|cleanup]
 *
 * Options are --name=value or a bare --flag (on); sysbench's older names
 * (--num-threads, --max-time, --max-requests) are its newer ones'. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "util/err.h"

static const struct {
	const char *old, *now;
} renamed[] = {
    {"num-threads", "threads"},
    {"max-time", "time"},
    {"max-requests", "events"},
};

/* sysbench's general options that change only its own report or its
 * pacing, which vmbench does otherwise or not at all. */
static const char *const general[] = {
    "report-interval", "histogram", "percentile", "rate", "warmup-time", "rand-type",
    "rand-seed", "forced-shutdown", "debug", "validate", "verbosity", "luajit-cmd",
    "thread-init-timeout", "thread-stack-size", "tx-rate", "rand-spec-pct", NULL,
};

static int set_opt(struct import_doc *d, struct import_workload *w, const char *key,
		   const char *value)
{
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(key, renamed[i].old))
			key = renamed[i].now;
	/* the one I/O mode blkio and fileio share with sysbench: synchronous */
	if (!strcmp(key, "file-io-mode") && !strcmp(value, "sync"))
		return 0;
	int r = import_set(d, w, key, value, "the command line");
	if (r != 1)
		return r;
	for (int i = 0; general[i]; i++)
		if (!strcmp(key, general[i])) {
			import_note(d, "--%s=%s: sysbench's reporting or pacing", key, value);
			return 0;
		}
	import_note(d, "--%s=%s", key, value);
	return 0;
}

int import_sysbench(int argc, char **argv, struct import_doc *d)
{
	const char *test = NULL, *command = NULL;
	const char *keys[128], *vals[128];
	char *owned[128];
	int nk = 0, r = 0, i = 0;
	if (argc > 0 && (!strcmp(argv[0], "sysbench") || strstr(argv[0], "/sysbench")))
		i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "--", 2)) {
			if (nk == 128)
				return vb_err(-E2BIG, "import: too many sysbench options");
			const char *eq = strchr(a, '=');
			if (eq) {
				owned[nk] = strndup(a + 2, (size_t)(eq - a - 2));
				vals[nk] = eq + 1;
			} else {
				owned[nk] = strdup(a + 2);
				vals[nk] = "on"; /* sysbench: a bare --flag is on */
			}
			keys[nk] = owned[nk];
			nk++;
		} else if (!test) {
			test = a;
		} else if (!command) {
			command = a;
		} else {
			r = vb_err(-EINVAL, "import: sysbench takes one test and one command, not '%s'",
				   a);
			goto out;
		}
	}
	if (!test) {
		r = vb_err(-EINVAL, "import: no sysbench test in the command line (e.g. vmbench "
				    "import -- sysbench fileio --file-test-mode=rndrw run)");
		goto out;
	}
	const struct workload_ops *ops = workload_find(test);
	if (!ops || !ops->peer || strncmp(ops->peer, "sysbench", 8)) {
		r = vb_err(-EINVAL,
			   "import: no vmbench workload follows sysbench's '%s' test (these do: cpu, "
			   "memory, fileio)",
			   test);
		goto out;
	}
	if (command && strcmp(command, "run")) {
		if (strcmp(command, "prepare") && strcmp(command, "cleanup")) {
			r = vb_err(-EINVAL, "import: '%s' is not a sysbench command (prepare, run, "
					    "cleanup)",
				   command);
			goto out;
		}
		import_note(d, "command '%s': vmbench's %s prepares and removes what it needs "
			       "around every run",
			    command, test);
	}
	struct import_workload *w = import_workload(d, test, test);
	if (!w) {
		r = -EINVAL;
		goto out;
	}
	for (int k = 0; k < nk && r == 0; k++)
		r = set_opt(d, w, keys[k], vals[k]);
out:
	for (int k = 0; k < nk; k++)
		free(owned[k]);
	return r;
}
