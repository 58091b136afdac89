#include "core/facts.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void read_field(const char *path, const char *key, char *out, size_t n)
{
	FILE *f = fopen(path, "re");
	char line[512];
	out[0] = '\0';
	if (!f)
		return;
	size_t kl = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) != 0)
			continue;
		char *p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\n")] = '\0';
		snprintf(out, n, "%s", p);
		break;
	}
	fclose(f);
}

json_t *facts_collect(void)
{
	struct utsname u;
	char model[256], mem[64];
	long long mem_kib = 0;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	read_field("/proc/cpuinfo", "model name", model, sizeof(model));
	read_field("/proc/meminfo", "MemTotal", mem, sizeof(mem));
	sscanf(mem, "%lld", &mem_kib);
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "hostname", u.nodename, "kernel",
			 u.release, "arch", u.machine, "cpu_model", model, "cores",
			 (json_int_t)sysconf(_SC_NPROCESSORS_ONLN), "mem_total_mib",
			 (json_int_t)(mem_kib / 1024), "pid", (json_int_t)getpid());
}
