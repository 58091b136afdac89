#include "density/ksm.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "util/hostio.h"
#include "util/journal.h"

/* The tunables, in the order they are restored: run first, so that a KSM
 * that was off stops scanning before anything else is written back;
 * advisor_mode before pages_to_scan, which the advisor would otherwise
 * overwrite. Files this kernel lacks are skipped. The rest of the directory
 * are counters. */
static const char *const tunables[] = {
    "run",
    "advisor_mode",
    "pages_to_scan",
    "sleep_millisecs",
    "merge_across_nodes",
    "max_page_sharing",
    "stable_node_chains_prune_millisecs",
    "use_zero_pages",
    "smart_scan",
    "advisor_max_cpu",
    "advisor_min_pages_to_scan",
    "advisor_max_pages_to_scan",
    "advisor_target_scan_time",
};
#define NTUNABLES (int)(sizeof(tunables) / sizeof(tunables[0]))
#define VALUE_MAX 64

struct saved {
	int present;
	int changed; /* ksm_begin() wrote it */
	char value[VALUE_MAX];
	/* for the async restore: precomputed, so that a handler only writes */
	char path[PATH_MAX + 64];
	char line[VALUE_MAX + 2];
	size_t line_len;
};

static char state_buf[PATH_MAX] = "";
static char journal_id[JOURNAL_ID_MAX];
static struct saved saved[NTUNABLES];
static volatile sig_atomic_t active;
static int atexit_done, state_written;
static int unmerge_ok; /* KSM held no pages when the settings were saved */

void ksm_set_paths(const char *dir, const char *state_file)
{
	ksm_stats_set_dir(dir);
	snprintf(state_buf, sizeof(state_buf), "%s", state_file ? state_file : "");
}

const char *ksm_dir(void)
{
	return ksm_stats_dir();
}

static const char *state_path(void)
{
	const char *env = getenv("VMBENCH_KSM_STATE");
	return state_buf[0] ? state_buf : env && *env ? env : KSM_STATE_FILE;
}

static void file_path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", ksm_dir(), name);
}

static int read_value(const char *name, char *buf, size_t n)
{
	return ksm_value_read(name, buf, n);
}

static int write_value(const char *name, const char *value)
{
	char path[PATH_MAX + 64];
	file_path(path, sizeof(path), name);
	return hostio_write_line(path, value);
}

const char *ksm_unavailable(void)
{
	static char why[PATH_MAX + 128];
	char path[PATH_MAX + 64], v[VALUE_MAX];
	file_path(path, sizeof(path), "run");
	if (read_value("run", v, sizeof(v)) < 0) {
		snprintf(why, sizeof(why), "no '%s': the kernel lacks KSM (CONFIG_KSM)", path);
		return why;
	}
	if (access(path, W_OK) < 0) {
		snprintf(why, sizeof(why), "cannot write '%s' (%s): KSM settings need root", path,
			 strerror(errno));
		return why;
	}
	return NULL;
}

static json_t *settings_json(int from_saved)
{
	json_t *j = json_object();
	for (int i = 0; i < NTUNABLES; i++) {
		char v[VALUE_MAX];
		if (from_saved) {
			if (saved[i].present)
				json_object_set_new(j, tunables[i], json_string(saved[i].value));
		} else if (read_value(tunables[i], v, sizeof(v)) == 0) {
			json_object_set_new(j, tunables[i], json_string(v));
		}
	}
	return j;
}

json_t *ksm_settings_json(void)
{
	return settings_json(0);
}

json_t *ksm_saved_json(void)
{
	return active ? settings_json(1) : NULL;
}

int ksm_active(void)
{
	return active;
}

void ksm_restore_async(void)
{
	if (!active)
		return;
	for (int i = 0; i < NTUNABLES; i++) {
		if (!saved[i].present || !saved[i].changed)
			continue;
		int fd = open(saved[i].path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t w = write(fd, saved[i].line, saved[i].line_len);
		(void)w; /* a value that cannot be written now cannot be fixed here */
		close(fd);
	}
}

/* Writes back every saved value that differs now (unchanged ones are not
 * touched: merge_across_nodes and max_page_sharing refuse any write while
 * KSM holds pages), then reads them all back. */
static int restore_saved(const char *how)
{
	char bad[1024] = "";
	size_t used = 0;
	int r = 0;
	for (int i = 0; i < NTUNABLES; i++) {
		char now[VALUE_MAX];
		if (!saved[i].present)
			continue;
		if (read_value(tunables[i], now, sizeof(now)) == 0 &&
		    strcmp(now, saved[i].value) == 0)
			continue;
		/* KSM was off with nothing merged: unmerge what it merged meanwhile
		 * (run=2), then stop it */
		if (!strcmp(tunables[i], "run") && !strcmp(saved[i].value, "0") && unmerge_ok)
			write_value("run", "2");
		int w = write_value(tunables[i], saved[i].value);
		if (w < 0 && used < sizeof(bad))
			used += (size_t)snprintf(bad + used, sizeof(bad) - used,
						 "%s%s: writing '%s' failed (%s)", used ? "; " : "",
						 tunables[i], saved[i].value, strerror(-w));
	}
	for (int i = 0; i < NTUNABLES; i++) {
		char now[VALUE_MAX];
		if (!saved[i].present)
			continue;
		int rr = read_value(tunables[i], now, sizeof(now));
		if (rr == 0 && strcmp(now, saved[i].value) == 0)
			continue;
		if (used < sizeof(bad))
			used += (size_t)snprintf(bad + used, sizeof(bad) - used,
						 "%s%s is '%s', was '%s'", used ? "; " : "",
						 tunables[i], rr == 0 ? now : strerror(-rr),
						 saved[i].value);
	}
	if (used)
		r = vb_err(
		    -EIO,
		    "KSM settings in %s were NOT restored (%s): %s; write them back by hand, "
		    "e.g. echo VALUE > %s/NAME",
		    ksm_dir(), how, bad, ksm_dir());
	return r;
}

static void on_exit_restore(void)
{
	if (active)
		ksm_end();
}

static void on_crash(int sig)
{
	ksm_restore_async();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* "pid=N\nNAME=VALUE\n..." written to a temporary file and renamed, so that
 * a reader never sees half of it. */
static int state_write(void)
{
	const char *path = state_path();
	char tmp[PATH_MAX + 32];
	int r = hostio_mkdir_parent(path, 0755);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "pid=%d\n", (int)getpid());
	for (int i = 0; i < NTUNABLES; i++)
		if (saved[i].present)
			fprintf(f, "%s=%s\n", tunables[i], saved[i].value);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		r = -errno;
		fclose(f);
		unlink(tmp);
		return r;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

static void set_saved(int i, const char *value)
{
	char v[VALUE_MAX], line[VALUE_MAX + 2];
	snprintf(v, sizeof(v), "%s", value);
	int len = snprintf(line, sizeof(line), "%s\n", v);
	saved[i].present = 1;
	memcpy(saved[i].value, v, sizeof(v));
	memcpy(saved[i].line, line, sizeof(line));
	saved[i].line_len = (size_t)len;
	file_path(saved[i].path, sizeof(saved[i].path), tunables[i]);
}

int ksm_recover(void)
{
	const char *path = state_path();
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT
			   ? 0
			   : vb_err(-errno, "cannot read '%s': %s", path, strerror(errno));
	char line[256];
	int pid = 0, n = 0;
	struct saved old[NTUNABLES];
	memset(old, 0, sizeof(old));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "pid") == 0) {
			pid = atoi(eq + 1);
			continue;
		}
		for (int i = 0; i < NTUNABLES; i++)
			if (strcmp(line, tunables[i]) == 0 && strlen(eq + 1) < VALUE_MAX) {
				old[i].present = 1;
				snprintf(old[i].value, sizeof(old[i].value), "%s", eq + 1);
				n++;
			}
	}
	fclose(f);
	if (pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno == EPERM))
		return vb_err(-EBUSY,
			      "another vmbench (pid %d) has changed KSM's settings for a density "
			      "experiment (its saved values are in '%s'); wait for it to end",
			      pid, path);
	if (pid == getpid() && active)
		return 0; /* our own, in use */
	if (n == 0) {
		unlink(path);
		return 0;
	}
	/* restore through the same code as ksm_end(), from the file's values */
	struct saved keep[NTUNABLES];
	memcpy(keep, saved, sizeof(saved));
	memset(saved, 0, sizeof(saved));
	for (int i = 0; i < NTUNABLES; i++)
		if (old[i].present)
			set_saved(i, old[i].value);
	int keep_unmerge = unmerge_ok;
	unmerge_ok = 0;
	int r = restore_saved("recovering the settings a killed vmbench left");
	unmerge_ok = keep_unmerge;
	memcpy(saved, keep, sizeof(saved));
	if (r < 0)
		return r;
	unlink(path);
	vb_warn("restored the KSM settings that a vmbench (pid %d) killed during a density "
		"experiment had changed (saved in '%s')",
		pid, path);
	return 1;
}

static const char *saved_value(const char *name)
{
	for (int i = 0; i < NTUNABLES; i++)
		if (!strcmp(tunables[i], name))
			return saved[i].present ? saved[i].value : NULL;
	return NULL;
}

/* Writes a tunable, marking it for the async restore first (a signal may
 * come between the write and the mark). */
static int change(const char *name, const char *value)
{
	for (int i = 0; i < NTUNABLES; i++)
		if (!strcmp(tunables[i], name))
			saved[i].changed = 1;
	return write_value(name, value);
}

int ksm_begin(int64_t pages_to_scan, int64_t sleep_ms)
{
	const char *why;
	int r;
	if (active)
		return vb_err(-EALREADY, "KSM is already set up for this experiment");
	if ((why = ksm_unavailable()))
		return vb_err(-ENOTSUP, "KSM cannot be turned on: %s", why);
	if ((r = ksm_recover()) < 0)
		return r;
	memset(saved, 0, sizeof(saved));
	for (int i = 0; i < NTUNABLES; i++) {
		char v[VALUE_MAX];
		r = read_value(tunables[i], v, sizeof(v));
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return vb_err(r, "cannot read KSM's %s in '%s': %s", tunables[i], ksm_dir(),
				      strerror(-r));
		set_saved(i, v);
	}
	unmerge_ok = ksm_value_int("pages_shared") == 0;
	/* a SIGKILLed vmbench cannot restore: the next one does, from this */
	if ((r = state_write()) < 0)
		vb_warn("cannot write '%s' (%s): if vmbench is killed with SIGKILL, KSM's "
			"settings stay changed",
			state_path(), strerror(-r));
	state_written = r == 0;
	if (state_written) /* any next vmbench command restores from it */
		journal_add("ksm", state_path(), NULL, journal_id);
	active = 1;
	if (!atexit_done) {
		atexit(on_exit_restore);
		atexit_done = 1;
	}
	static const int crashes[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++) {
		struct sigaction sa = {.sa_handler = on_crash};
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		sigaction(crashes[i], &sa, NULL);
	}

	char v[32];
	const char *step = "";
	r = 0;
	if (saved_value("advisor_mode") && strcmp(saved_value("advisor_mode"), "none"))
		r = change(step = "advisor_mode", "none");
	snprintf(v, sizeof(v), "%lld", (long long)pages_to_scan);
	if (r == 0 && pages_to_scan > 0)
		r = change(step = "pages_to_scan", v);
	snprintf(v, sizeof(v), "%lld", (long long)sleep_ms);
	if (r == 0 && sleep_ms >= 0)
		r = change(step = "sleep_millisecs", v);
	if (r == 0)
		r = change(step = "run", "1");
	if (r < 0) {
		int e = vb_err(r, "cannot set KSM's %s in '%s': %s", step, ksm_dir(), strerror(-r));
		ksm_end();
		return e;
	}
	return 0;
}

int ksm_end(void)
{
	if (!active)
		return 0;
	int r = restore_saved("after the density experiment");
	active = 0;
	if (r == 0 && state_written) {
		unlink(state_path());
		journal_done(journal_id);
	}
	state_written = 0;
	return r;
}
