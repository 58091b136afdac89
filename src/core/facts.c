#include "core/facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "telemetry/meminfo.h"
#include "util/hostio.h"

/* The value of the first "key<spaces>: value" line of /proc/cpuinfo. */
static void cpuinfo_field(const char *key, char *out, size_t n)
{
	char *text = hostio_read_alloc("/proc/cpuinfo", 4 << 20, NULL);
	out[0] = '\0';
	if (!text)
		return;
	size_t kl = strlen(key);
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *p = strchr(line, ':');
		if (!strncmp(line, key, kl) && p) {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			snprintf(out, n, "%s", p);
			break;
		}
		line = next;
	}
	free(text);
}

json_t *facts_collect(void)
{
	struct utsname u;
	char model[256];
	int64_t mem_kib = 0;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	cpuinfo_field("model name", model, sizeof(model));
	if (meminfo_value("MemTotal", &mem_kib) < 0)
		mem_kib = 0;
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "hostname", u.nodename, "kernel",
			 u.release, "arch", u.machine, "cpu_model", model, "cores",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "mem_total_mib",
			 (json_int_t)(mem_kib / 1024), "pid", (json_int_t)getpid());
}
