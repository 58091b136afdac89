/* runtime=crun: `crun run --bundle DIR ID` of the bundle vmbench writes
 * (oci.c), run under our init in a mount namespace of its own. crun makes
 * the container's cgroups from config.json's linux.cgroupsPath and removes
 * them; a crun killed with vmbench leaves its state in /run/crun/ID, which
 * the next vmbench deletes (crun delete --force). */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "container/runtime.h"
#include "util/err.h"

struct cmd *ct_crun_command(const struct ct_spec *s)
{
	struct cmd *c = cmd_new("crun");
	cmd_args(c, "run", "--bundle", s->bundle, s->id, NULL);
	return c;
}

static const char *crun_probe(void)
{
	static char why[512];
	return ct_oci_unavailable("crun", why, sizeof(why)) < 0 ? why : NULL;
}

static void crun_cleanup_stale(void)
{
	DIR *d = opendir("/run/crun");
	for (struct dirent *e; d && (e = readdir(d));) {
		if (strncmp(e->d_name, "vmbench-", 8) != 0 || !ct_id_is_stale(e->d_name))
			continue;
		struct cmd *c = cmd_new("crun");
		cmd_args(c, "delete", "--force", e->d_name, NULL);
		if (ct_oci_run(c, NULL) < 0)
			vb_warn("cannot remove the container %s that a killed vmbench left "
				"(crun delete --force)",
				e->d_name);
		cmd_free(c);
	}
	if (d)
		closedir(d);
}

static int crun_prepare(struct ct_instance *ci)
{
	struct cmd *c = ct_crun_command(ci->spec);
	int r = ct_oci_prepare_bundle(ci, c);
	cmd_free(c);
	if (r < 0)
		return r;
	char cgpath[300];
	snprintf(cgpath, sizeof(cgpath), "/%s", ci->spec->id);
	json_object_set_new(json_object_get(ci->facts, "cgroup"), "path", json_string(cgpath));
	return 0;
}

static int crun_start(struct ct_instance *ci, struct cmd_proc *agent)
{
	struct cmd *c = ct_crun_command(ci->spec);
	int r = ct_oci_start(ci, c, agent);
	cmd_free(c);
	return r;
}

static void crun_stop(struct ct_instance *ci, struct cmd_proc *agent)
{
	(void)ci;
	ct_stop(agent, 200, 2000);
}

const struct ct_runtime_ops ct_rt_crun = {
    .name = "crun",
    .summary = "an OCI bundle run by crun",
    .probe = crun_probe,
    .cleanup_stale = crun_cleanup_stale,
    .prepare = crun_prepare,
    .start = crun_start,
    .stop = crun_stop,
    .release = ct_oci_release,
};
