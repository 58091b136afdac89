/* The parsers of host state (src/telemetry/) and of journal records
 * (util/journal.c) on arbitrary bytes: /proc/meminfo, /proc/stat's cpu line,
 * /proc/PID/stat, smaps_rollup, ksm_stat, a KSM sysfs value, a QEMU thread
 * name, a PSI file (/proc/pressure/io), a journal record, and /proc/self/cgroup + mountinfo (separated by a
 * blank line) as the container code reads them to find a controller's
 * directory, which must then be absolute and of cgroup version 1 or 2. Each
 * reader hands them a file's text as a C string,
 * so the input is cut at its first NUL as hostio_read_small() refuses such
 * files. Beyond "no crash, no UB": a meminfo that parses has MemTotal > 0 and
 * MemFree >= 0; a journal record that parses formats to text that parses
 * back to the same record. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "telemetry/ksm_stats.h"
#include "telemetry/meminfo.h"
#include "telemetry/series.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	if (!quiet)
		quiet = vb_err_set_quiet(1) + 1;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	struct meminfo m;
	if (meminfo_parse(text, &m) == 0 && (m.total <= 0 || m.free < 0))
		abort();
	(void)meminfo_used(&m);
	int64_t v;
	(void)meminfo_parse_value(text, "HugePages_Free", &v);
	(void)meminfo_parse_value(text, "Hugepagesize", &v);

	uint64_t cpu[8];
	(void)telemetry_cpu_parse(text, cpu);
	struct telemetry_pidstat ps;
	(void)telemetry_pidstat_parse(text, &ps);
	int64_t pss;
	(void)proc_pss_parse(text, &pss);
	struct proc_ksm k;
	proc_ksm_parse(text, &k);
	char value[64];
	(void)ksm_value_parse(text, value, sizeof(value));
	(void)telemetry_qemu_role(text, size & 1);
	long long count;
	(void)telemetry_flat_key_parse(text, "oom_kill", &count);
	uint64_t psi;
	(void)series_psi_parse(text, "some", &psi);
	(void)series_psi_parse(text, "full", &psi);

	/* /proc/self/cgroup, a blank line, /proc/self/mountinfo: where the
	 * container code finds each controller's directory */
	char *blank = strstr(text, "\n\n");
	if (blank) {
		*blank = '\0';
		const char *ctrls[] = {"memory", "cpu", "pids", "cpuset"};
		for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
			int version = 0;
			char dir[PATH_MAX];
			if (ct_cgroup_locate(text, blank + 2, ctrls[i], &version, dir, sizeof(dir)) ==
				    0 &&
			    (version < 1 || version > 2 || dir[0] != '/'))
				abort();
		}
		*blank = '\n';
	}

	struct journal_rec *r = malloc(sizeof(*r)), *r2 = malloc(sizeof(*r2));
	char *back = malloc(3 * PATH_MAX);
	if (r && r2 && back && journal_parse(text, r) == 0) {
		if (journal_format(r, back, 3 * PATH_MAX) < 0 || journal_parse(back, r2) != 0 ||
		    r->pid != r2->pid || r->start != r2->start || strcmp(r->kind, r2->kind) ||
		    strcmp(r->what, r2->what) || strcmp(r->undo, r2->undo))
			abort();
	}
	free(back);
	free(r2);
	free(r);
	free(text);
	return 0;
}
