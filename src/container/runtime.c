/* The runtimes' registry (runtime_list.h) and what their hooks share. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "container/runtime.h"

#define CT_RUNTIME(n) extern const struct ct_runtime_ops ct_rt_##n;
#define CT_PLANNED(n) const char *ct_rt_##n##_probe(void);
#include "container/runtime_list.h"
#undef CT_RUNTIME
#undef CT_PLANNED

const char *const ct_runtime_names[] = {
#define CT_RUNTIME(n) #n,
#define CT_PLANNED(n) #n,
#include "container/runtime_list.h"
#undef CT_RUNTIME
#undef CT_PLANNED
    NULL,
};

/* In the order of the names: ops, or a probe alone. */
static const struct {
	const struct ct_runtime_ops *ops;
	const char *(*probe)(void);
} all[] = {
#define CT_RUNTIME(n) {&ct_rt_##n, NULL},
#define CT_PLANNED(n) {NULL, ct_rt_##n##_probe},
#include "container/runtime_list.h"
#undef CT_RUNTIME
#undef CT_PLANNED
};

int ct_runtime_count(void) { return (int)(sizeof(all) / sizeof(all[0])); }

const struct ct_runtime_ops *ct_runtime_get(int i)
{
	return i >= 0 && i < ct_runtime_count() ? all[i].ops : NULL;
}

const char *ct_runtime_why(int i)
{
	if (i < 0 || i >= ct_runtime_count())
		return "no such runtime";
	return all[i].ops ? all[i].ops->probe() : all[i].probe();
}

int ct_runtime_index(const char *name)
{
	for (int i = 0; ct_runtime_names[i]; i++)
		if (strcmp(ct_runtime_names[i], name) == 0)
			return i;
	return -1;
}

void ct_stop(struct cmd_proc *agent, int natural_ms, int grace_ms)
{
	if (agent->pid > 0) {
		if (agent->in_fd >= 0) {
			close(agent->in_fd);
			agent->in_fd = -1;
		}
		if (cmd_proc_wait(agent, natural_ms, NULL) < 0) {
			kill(agent->pid, SIGTERM);
			cmd_proc_wait(agent, grace_ms, NULL);
		}
	}
	/* PID 1 gone: the kernel killed the rest of its namespace */
	cmd_proc_kill(agent);
}
