/* runtime=docker: the agent in a Docker container, run by the Docker engine
 * (dockerd) that the docker client reaches (docker-host=, else $DOCKER_HOST,
 * else /var/run/docker.sock).
 *
 * No registry and no Dockerfile: prepare() writes a tar holding the static
 * agent, /work and /tmp (libarchive), and `docker import`s it as the image
 * vmbench-agent:ID; start() runs it with `docker run --rm -i --init
 * --network=none`, the limits as Docker's flags (cpus -> --cpus, cpuset ->
 * --cpuset-cpus, mem -> --memory and --memory-swap) and the workdir bind
 * mounted at /work. The client is vmbench's child with PR_SET_PDEATHSIG: when
 * vmbench dies the client dies, the agent reads EOF and ends, and the engine
 * removes the container (--rm). What outlives that (the image, a container
 * whose agent was busy) is in the journal (kinds docker-ctr and docker-image,
 * run/leftovers.c calls ct_docker_undo), so the next vmbench removes it.
 *
 * The container's processes are not below the client (the engine's shim is
 * their parent): pids() asks the engine for the container's PID 1, whose
 * tree the host's telemetry and density's PSS then follow.
 *
 * network=veth: the engine cannot join a namespace vmbench made, so the
 * container keeps --network=none (a namespace of its own, loopback only)
 * and, once its agent said hello, the target moves the veth end into the
 * namespace of that PID 1 (net_pid); no bridge, no iptables rule, nothing
 * of Docker's own networking is used. The pair goes when the container's
 * namespace does. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "container/runtime.h"
#include "util/err.h"
#include "util/hostio.h"

#define DOCKER_IMAGE_REPO "vmbench-agent"
#define DOCKER_START_HINT                                                                  \
	"start the engine with `dockerd --iptables=false --bridge=none &` (or `systemctl "  \
	"start docker`), or point docker-host= at one that runs"

/* docker's global options: the engine to talk to */
static struct cmd *docker_cmd(const char *host)
{
	struct cmd *c = cmd_new("docker");
	if (host && *host)
		cmd_argf(c, "--host=%s", host);
	return c;
}

void ct_docker_image(const struct ct_spec *s, char *buf, size_t n)
{
	snprintf(buf, n, DOCKER_IMAGE_REPO ":%s", s->id);
}

struct cmd *ct_docker_command(const struct ct_spec *s)
{
	struct cmd *c = docker_cmd(s->docker_host);
	char image[256];
	cmd_args(c, "run", "--rm", "--interactive", "--init", "--network=none",
		 "--log-driver=none", NULL);
	cmd_argf(c, "--name=%s", s->id);
	cmd_argf(c, "--hostname=%s", s->hostname);
	if (s->mem) {
		cmd_argf(c, "--memory=%" PRIu64, s->mem);
		cmd_argf(c, "--memory-swap=%" PRIu64, s->mem); /* no swap beyond the limit */
	}
	if (s->cpus > 0)
		cmd_argf(c, "--cpus=%g", s->cpus);
	if (s->cpuset && *s->cpuset)
		cmd_argf(c, "--cpuset-cpus=%s", s->cpuset);
	cmd_argf(c, "--volume=%s:%s", s->workdir, CT_WORK_PATH);
	cmd_argf(c, "--workdir=%s", CT_WORK_PATH);
	ct_docker_image(s, image, sizeof(image));
	cmd_args(c, image, CT_AGENT_PATH, "--workdir", CT_WORK_PATH, NULL);
	return c;
}

/* Can a client connect to the engine at host (a unix:// socket; other
 * schemes are left to the client)? Why not, into why. */
static int engine_reachable(const char *host, char *why, size_t n)
{
	const char *sock = "/var/run/docker.sock";
	if (!host || !*host)
		host = getenv("DOCKER_HOST");
	if (host && strncmp(host, "unix://", 7) == 0)
		sock = host + 7;
	else if (host && *host)
		return 1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	int e = errno;
	if (fd >= 0)
		close(fd);
	if (!ok)
		snprintf(why, n, "no Docker engine answers at %s (%s): %s", sock, strerror(e),
			 e == EACCES ? "run vmbench as root or in the docker group"
				     : DOCKER_START_HINT);
	return ok;
}

const char *ct_docker_why(const char *host)
{
	static char why[512];
	char path[PATH_MAX];
	if (!ct_in_path("docker", path, sizeof(path))) {
		snprintf(why, sizeof(why), "docker is not installed (apt-get install docker.io)");
		return why;
	}
	return engine_reachable(host, why, sizeof(why)) ? NULL : why;
}

/* Is the engine at host (docker-host=, else $DOCKER_HOST) on this host? */
static int docker_local(const char *host)
{
	if (!host || !*host)
		host = getenv("DOCKER_HOST");
	return !host || !*host || strncmp(host, "unix://", 7) == 0;
}

static const char *docker_probe(void) { return ct_docker_why(NULL); }

static int docker_quiet(struct cmd *c, char **out)
{
	int q = vb_err_set_quiet(1);
	int r = cmd_run(c, out);
	vb_err_set_quiet(q);
	return r;
}

/* Removes a container or an image of the engine at host; 1 removed, 0 not
 * there, < 0 failed (said says why). */
static int docker_remove(const char *host, int image, const char *what, char *said, size_t n)
{
	struct cmd *c = docker_cmd(host);
	char *out = NULL;
	if (image)
		cmd_args(c, "rmi", "--force", what, NULL);
	else
		cmd_args(c, "rm", "--force", "--volumes", what, NULL);
	int r = docker_quiet(c, &out);
	cmd_free(c);
	if (r == 0) {
		free(out);
		snprintf(said, n, "removed the Docker %s %s", image ? "image" : "container", what);
		return 1;
	}
	int gone = out && (strstr(out, "No such") || strstr(out, "no such"));
	if (!gone)
		snprintf(said, n, "cannot remove the Docker %s %s: %s",
			 image ? "image" : "container", what, vb_errmsg());
	free(out);
	return gone ? 0 : -EIO;
}

int ct_docker_undo(const struct journal_rec *r, char *said, size_t n)
{
	char why[512];
	if (!engine_reachable(r->undo, why, sizeof(why)))
		return -EAGAIN; /* the engine is down: what it holds waits for it */
	return docker_remove(r->undo, strcmp(r->kind, "docker-image") == 0, r->what, said, n);
}

/* Containers vmbench-PID-* and images vmbench-agent:vmbench-PID-* whose
 * vmbench is gone, for those the journal does not know (another state dir). */
static void docker_cleanup_stale(void)
{
	static const char *const list[2][4] = {
	    {"ps", "--all", "--filter=name=^vmbench-", "--format={{.Names}}"},
	    {"images", "--filter=reference=" DOCKER_IMAGE_REPO, "--format={{.Tag}}", NULL},
	};
	for (int img = 0; img < 2; img++) {
		struct cmd *c = docker_cmd(NULL);
		char *out = NULL, said[512];
		for (int i = 0; i < 4 && list[img][i]; i++)
			cmd_arg(c, list[img][i]);
		if (docker_quiet(c, &out) == 0 && out)
			for (char *save = NULL, *t = strtok_r(out, "\n", &save); t;
			     t = strtok_r(NULL, "\n", &save)) {
				char ref[300];
				if (strncmp(t, "vmbench-", 8) != 0 || !ct_id_is_stale(t))
					continue;
				snprintf(ref, sizeof(ref), img ? DOCKER_IMAGE_REPO ":%s" : "%s", t);
				if (docker_remove(NULL, img, ref, said, sizeof(said)) < 0)
					vb_warn("%s (left by a vmbench that is gone)", said);
			}
		free(out);
		cmd_free(c);
	}
}

/* --- the image ------------------------------------------------------------ */

static int tar_entry(struct archive *a, const char *name, mode_t mode, const char *src)
{
	struct archive_entry *e = archive_entry_new();
	int fd = -1, r = 0;
	struct stat st = {0};
	if (src && ((fd = open(src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)) {
		r = vb_err(-errno, "cannot read '%s': %s", src, strerror(errno));
		goto out;
	}
	archive_entry_set_pathname(e, name);
	archive_entry_set_mode(e, mode);
	archive_entry_set_size(e, src ? st.st_size : 0);
	archive_entry_set_mtime(e, time(NULL), 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		r = vb_err(-EIO, "cannot write the image's tar: %s", archive_error_string(a));
		goto out;
	}
	char buf[65536];
	for (ssize_t got; src && (got = read(fd, buf, sizeof(buf))) != 0;) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || archive_write_data(a, buf, (size_t)got) != got) {
			r = vb_err(-EIO, "cannot copy '%s' into the image's tar", src);
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(e);
	return r;
}

/* The image's root filesystem: the static agent and the mount points. */
int ct_docker_write_tar(const char *agent, const char *path)
{
	struct archive *a = archive_write_new();
	int r = 0;
	if (!a)
		return -ENOMEM;
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		r = vb_err(-EIO, "cannot create '%s': %s", path, archive_error_string(a));
		archive_write_free(a);
		return r;
	}
	if ((r = tar_entry(a, "vmbench-agent", S_IFREG | 0755, agent)) == 0 &&
	    (r = tar_entry(a, "work/", S_IFDIR | 0755, NULL)) == 0)
		r = tar_entry(a, "tmp/", S_IFDIR | 01777, NULL);
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = vb_err(-EIO, "cannot write '%s': %s", path, archive_error_string(a));
	archive_write_free(a);
	return r;
}

/* The engine's version and storage, once per process: stored as facts. */
static json_t *engine_facts(const char *host)
{
	struct cmd *c = docker_cmd(host);
	char *out = NULL;
	cmd_args(c, "info", "--format",
		 "{{.ServerVersion}} {{.Driver}} {{.CgroupDriver}} {{.CgroupVersion}}", NULL);
	json_t *f = json_object();
	if (docker_quiet(c, &out) == 0 && out) {
		char v[64] = "", d[64] = "", cd[64] = "", cv[16] = "";
		sscanf(out, "%63s %63s %63s %15s", v, d, cd, cv);
		json_object_set_new(f, "server_version", json_string(v));
		json_object_set_new(f, "storage_driver", json_string(d));
		json_object_set_new(f, "cgroup_driver", json_string(cd));
		json_object_set_new(f, "cgroup_version", json_string(cv));
	}
	free(out);
	cmd_free(c);
	return f;
}

static int docker_prepare(struct ct_instance *ci)
{
	const struct ct_spec *s = ci->spec;
	char image[256], tar[PATH_MAX + 16];
	const char *why;
	int r;
	if (s->storage != CT_STORAGE_BIND)
		return vb_err(-EINVAL, "runtime=docker: storage=overlay is not supported (the "
				       "image's root is already overlay2); use storage=bind");
	if (s->userns)
		return vb_err(-EINVAL, "runtime=docker: userns=on is the engine's setting "
				       "(dockerd --userns-remap), not a container's; use userns=off");
	if (s->netns && !docker_local(s->docker_host))
		return vb_err(-EINVAL,
			      "runtime=docker: network=veth needs the engine on this host (a "
			      "unix:// socket): the veth end is moved into the container's namespace "
			      "by its PID, which an engine at %s does not share; use network=none "
			      "there, or a local engine",
			      s->docker_host && *s->docker_host ? s->docker_host : getenv("DOCKER_HOST"));
	if (!cmd_dry_run() && (why = ct_docker_why(s->docker_host)))
		return vb_err(-ENOTSUP, "runtime=docker: %s", why);
	ct_docker_image(s, image, sizeof(image));
	snprintf(tar, sizeof(tar), "%s/rootfs.tar", s->bundle);

	ci->have_bundle = 1;
	journal_add("dir", s->bundle, NULL, ci->journal_bundle);
	if (ct_sys_mkdir(CT_OCI_RUNDIR, 0755) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create '%s': %s", CT_OCI_RUNDIR, strerror(errno));
	if (ct_sys_mkdir(s->bundle, 0700) < 0 && errno != EEXIST)
		return vb_err(-errno, "cannot create '%s': %s", s->bundle, strerror(errno));
	if (cmd_dry_run())
		cmd_dry_note("tar -cf %s -C ROOT vmbench-agent work tmp  # %s at /vmbench-agent",
			     tar, s->agent);
	else if ((r = ct_docker_write_tar(s->agent, tar)) < 0)
		return r;

	journal_add("docker-image", image, s->docker_host ? s->docker_host : "",
		    ci->journal_rt[0]);
	ci->have_rt[0] = 1;
	struct cmd *c = docker_cmd(s->docker_host);
	cmd_args(c, "import", "--change", "WORKDIR " CT_WORK_PATH, tar, image, NULL);
	r = cmd_run(c, NULL);
	cmd_free(c);
	if (r < 0)
		return r;
	if (!cmd_dry_run())
		unlink(tar); /* the engine has it now */

	c = ct_docker_command(s);
	free(ci->provenance);
	ci->provenance = cmd_render(c);
	cmd_free(c);
	json_t *lim = json_object();
	if (s->mem)
		json_object_set_new(lim, "memory", json_integer((json_int_t)s->mem));
	if (s->cpus > 0)
		json_object_set_new(lim, "cpus", json_real(s->cpus));
	if (s->cpuset && *s->cpuset)
		json_object_set_new(lim, "cpuset", json_string(s->cpuset));
	json_object_set_new(ci->facts, "cgroup",
			    json_pack("{s:s,s:o}", "managed_by", "docker", "limits", lim));
	json_object_set_new(ci->facts, "image", json_string(image));
	if (!cmd_dry_run())
		json_object_set_new(ci->facts, "docker", engine_facts(s->docker_host));
	return 0;
}

static int docker_start(struct ct_instance *ci, struct cmd_proc *agent)
{
	struct cmd *c = ct_docker_command(ci->spec);
	journal_add("docker-ctr", ci->spec->id, ci->spec->docker_host ? ci->spec->docker_host : "",
		    ci->journal_rt[1]);
	ci->have_rt[1] = 1;
	ci->rt_pid = 0;
	int r;
	if (cmd_dry_run()) { /* nothing started: the command line printed */
		agent->pid = -1;
		agent->in_fd = agent->out_fd = -1;
		r = cmd_run(c, NULL);
	} else {
		r = cmd_spawn(c, CMD_PIPE_STDIN | CMD_PIPE_STDOUT | CMD_NEW_PGRP | CMD_DIE_WITH_US,
			      ci->log_fd, agent);
	}
	cmd_free(c);
	return r;
}

/* The client ends when the agent does; the engine then removes the
 * container (--rm), which release() makes sure of. */
static void docker_stop(struct ct_instance *ci, struct cmd_proc *agent)
{
	(void)ci;
	ct_stop(agent, 5000, 5000);
}

static void docker_release(struct ct_instance *ci)
{
	const struct ct_spec *s = ci->spec;
	char said[600], image[256];
	if (ci->have_rt[1]) {
		if (cmd_dry_run() || docker_remove(s->docker_host, 0, s->id, said, sizeof(said)) >= 0)
			journal_done(ci->journal_rt[1]);
		else
			vb_warn("%s", said);
		ci->have_rt[1] = 0;
	}
	if (ci->have_rt[0]) {
		ct_docker_image(s, image, sizeof(image));
		if (cmd_dry_run()) {
			struct cmd *c = docker_cmd(s->docker_host);
			cmd_args(c, "rmi", "--force", image, NULL);
			cmd_run(c, NULL);
			cmd_free(c);
		} else if (docker_remove(s->docker_host, 1, image, said, sizeof(said)) >= 0) {
			journal_done(ci->journal_rt[0]);
		} else {
			vb_warn("%s", said);
		}
		ci->have_rt[0] = 0;
	}
	ci->rt_pid = 0;
	ct_oci_release(ci);
}

/* The container's PID 1 (docker-init), asked once per start; 0 unknown. */
static pid_t docker_pid1(struct ct_instance *ci)
{
	if (ci->rt_pid <= 0) {
		struct cmd *c = docker_cmd(ci->spec->docker_host);
		char *out = NULL;
		cmd_args(c, "inspect", "--format={{.State.Pid}}", ci->spec->id, NULL);
		if (docker_quiet(c, &out) == 0 && out)
			ci->rt_pid = (pid_t)atoi(out);
		free(out);
		cmd_free(c);
	}
	return ci->rt_pid > 0 ? ci->rt_pid : 0;
}

static int docker_pids(struct ct_instance *ci, pid_t *pids, int max)
{
	if (max < 1 || (pids[0] = docker_pid1(ci)) <= 0)
		return 0;
	return 1;
}

/* network=veth: the engine made the container's namespace (--network=none:
 * loopback only); the target moves the veth end into its PID 1's. */
static pid_t docker_net_pid(struct ct_instance *ci, struct cmd_proc *agent)
{
	(void)agent;
	pid_t pid = docker_pid1(ci); /* a dry run prints the inspect */
	char path[64], comm[64] = "";
	if (cmd_dry_run())
		return pid;
	/* --init: the container's PID 1 is docker-init; anything else is not
	 * this host's process (an engine in another PID namespace) */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (pid > 0 && (hostio_read_line(path, comm, sizeof(comm)) < 0 ||
			strcmp(comm, "docker-init") != 0))
		return vb_err(-ESRCH,
			      "runtime=docker: the engine says container %s is PID %d, which on "
			      "this host is %s, not its docker-init: is the engine in another PID "
			      "namespace (rootless, or a different host)? network=veth needs a "
			      "rootful engine on this host; use network=none otherwise",
			      ci->spec->id, (int)pid, comm[0] ? comm : "no process");
	if (pid > 0)
		return pid;
	return vb_err(-ESRCH,
		      "runtime=docker: the engine did not say the PID of container %s (docker "
		      "inspect --format={{.State.Pid}}), so its network namespace cannot be "
		      "found for network=veth; is the engine healthy? (`docker inspect %s`)",
		      ci->spec->id, ci->spec->id);
}

const struct ct_runtime_ops ct_rt_docker = {
    .name = "docker",
    .summary = "an image of the agent run by the Docker engine",
    .probe = docker_probe,
    .cleanup_stale = docker_cleanup_stale,
    .prepare = docker_prepare,
    .start = docker_start,
    .stop = docker_stop,
    .release = docker_release,
    .pids = docker_pids,
    .net_pid = docker_net_pid,
};
