#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "targets/target.h"
#include "util/err.h"

#define VB_TARGET(n) extern const struct target_ops n##_target;
#include "targets/target_list.h"
#undef VB_TARGET

static const struct target_ops *const all[] = {
#define VB_TARGET(n) &n##_target,
#include "targets/target_list.h"
#undef VB_TARGET
	NULL,
};

const struct target_ops *const *target_all(void) { return all; }

const struct target_ops *target_find(const char *name)
{
	for (int i = 0; all[i]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

void target_names(char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; all[i] && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", all[i]->name);
}

#ifndef VB_LIBEXECDIR
#define VB_LIBEXECDIR "/usr/local/libexec/vmbench"
#endif

int target_agent_path(char *buf, size_t n)
{
	const char *env = getenv("VMBENCH_AGENT");
	if (env && *env) {
		if (access(env, X_OK) == 0) {
			snprintf(buf, n, "%s", env);
			return 0;
		}
		return vb_err(-ENOENT,
			      "VMBENCH_AGENT='%s' is not an executable file; unset it or point it at vmbench-agent",
			      env);
	}
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char beside[PATH_MAX + 32] = "";
	if (len > 0) {
		self[len] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(beside, sizeof(beside), "%s/vmbench-agent", self);
			if (access(beside, X_OK) == 0) {
				snprintf(buf, n, "%s", beside);
				return 0;
			}
		}
	}
	const char *installed = VB_LIBEXECDIR "/vmbench-agent";
	if (access(installed, X_OK) == 0) {
		snprintf(buf, n, "%s", installed);
		return 0;
	}
	return vb_err(-ENOENT,
		      "cannot find the agent binary vmbench-agent (looked at '%s' and '%s'); "
		      "build it with 'make' or set VMBENCH_AGENT=/path/to/vmbench-agent",
		      beside, installed);
}
