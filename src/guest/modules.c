/* Module closure: the kernel modules a set of drivers needs, in an order
 * in which each can be loaded (dependencies first), as modprobe would load
 * them, from depmod's own files:
 *
 *   modules.dep      "kernel/drivers/block/virtio_blk.ko: kernel/.../virtio.ko ..."
 *                    (every line lists all that module's dependencies)
 *   modules.builtin  "kernel/drivers/virtio/virtio.ko" per built-in module
 *
 * Soft dependencies (modules.softdep) are left out: the drivers work without
 * them (e.g. crc-t10dif falls back to its generic table). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/guest.h"
#include "util/err.h"

struct dep_entry {
	char *path; /* into the file's buffer */
	char *deps; /* space-separated paths, into the buffer */
	char name[64];
	int state; /* 0 unseen, 1 being visited, 2 placed */
};

struct dep_table {
	unsigned char *buf;
	struct dep_entry *e;
	size_t n;
};

void guest_module_normalise(const char *name, char *buf, size_t n)
{
	size_t i = 0;
	for (; name[i] && i + 1 < n; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	buf[i] = '\0';
}

/* "kernel/drivers/block/virtio-blk.ko.xz" -> "virtio_blk" */
static void name_of_path(const char *path, char *buf, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strstr(base, ".ko");
	size_t len = dot ? (size_t)(dot - base) : strlen(base);
	char tmp[256];
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, base, len);
	tmp[len] = '\0';
	guest_module_normalise(tmp, buf, n);
}

static int dep_load(const char *moddir, struct dep_table *t)
{
	char path[PATH_MAX];
	size_t len;
	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/modules.dep", moddir);
	if (access(path, R_OK) < 0)
		return vb_err(-errno, "cannot read '%s': %s (has depmod run for this kernel?)",
			      path, strerror(errno));
	int r = guest_read_file(path, &t->buf, &len);
	if (r < 0)
		return r;
	unsigned char *nb = realloc(t->buf, len + 1);
	if (!nb) {
		free(t->buf);
		return vb_err(-ENOMEM, "out of memory");
	}
	t->buf = nb;
	t->buf[len] = '\0';
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += t->buf[i] == '\n';
	if (!(t->e = calloc(lines, sizeof(*t->e)))) {
		free(t->buf);
		return vb_err(-ENOMEM, "out of memory");
	}
	char *save = NULL;
	for (char *l = strtok_r((char *)t->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':');
		if (!colon)
			continue;
		*colon = '\0';
		struct dep_entry *e = &t->e[t->n++];
		e->path = l;
		e->deps = colon + 1;
		name_of_path(l, e->name, sizeof(e->name));
	}
	return 0;
}

static void dep_free(struct dep_table *t)
{
	free(t->e);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

static struct dep_entry *dep_by_name(struct dep_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].name, name))
			return &t->e[i];
	return NULL;
}

static struct dep_entry *dep_by_path(struct dep_table *t, const char *path, size_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strncmp(t->e[i].path, path, len) && t->e[i].path[len] == '\0')
			return &t->e[i];
	return NULL;
}

/* Is name (normalised) listed in modules.builtin? A kernel without the file
 * has no built-in modules as far as we can tell. */
static int is_builtin(const char *moddir, const char *name)
{
	char path[PATH_MAX], line[PATH_MAX], n[64];
	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		name_of_path(line, n, sizeof(n));
		found = !strcmp(n, name);
	}
	fclose(f);
	return found;
}

static int list_add(char ***v, int *n, const char *s)
{
	char **nv = realloc(*v, (size_t)(*n + 1) * sizeof(**v));
	if (!nv)
		return vb_err(-ENOMEM, "out of memory");
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return vb_err(-ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

/* Depth first, dependencies before the module. modules.dep lists them with
 * the ones loaded last first (modprobe walks the list backwards), so this
 * walks them backwards too: the same order as modprobe where it matters. */
static int visit(struct dep_table *t, struct dep_entry *e, struct guest_modules *out,
		 const char *moddir)
{
	if (e->state == 2)
		return 0;
	if (e->state == 1)
		return vb_err(-ELOOP, "dependency cycle through module '%s' in %s/modules.dep",
			      e->name, moddir);
	e->state = 1;
	const char *end = e->deps + strlen(e->deps);
	while (end > e->deps) {
		while (end > e->deps && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		const char *start = end;
		while (start > e->deps && start[-1] != ' ' && start[-1] != '\t')
			start--;
		if (start == end)
			break;
		struct dep_entry *d = dep_by_path(t, start, (size_t)(end - start));
		if (!d)
			return vb_err(-ENOENT,
				      "module '%s' depends on '%.*s', which %s/modules.dep "
				      "does not list",
				      e->name, (int)(end - start), start, moddir);
		int r = visit(t, d, out, moddir);
		if (r < 0)
			return r;
		end = start;
	}
	e->state = 2;
	char **np = realloc(out->path, (size_t)(out->n + 1) * sizeof(char *));
	if (np)
		out->path = np;
	char **nn = realloc(out->name, (size_t)(out->n + 1) * sizeof(char *));
	if (nn)
		out->name = nn;
	if (!np || !nn)
		return vb_err(-ENOMEM, "out of memory");
	out->path[out->n] = strdup(e->path);
	out->name[out->n] = strdup(e->name);
	out->n++;
	if (!out->path[out->n - 1] || !out->name[out->n - 1])
		return vb_err(-ENOMEM, "out of memory");
	return 0;
}

int guest_modules_resolve(const char *moddir, const char *const *names, struct guest_modules *out)
{
	memset(out, 0, sizeof(*out));
	if (!names || !names[0])
		return 0;
	struct dep_table t;
	int r = dep_load(moddir, &t);
	if (r < 0)
		return r;
	for (int i = 0; names[i] && r == 0; i++) {
		char name[64];
		guest_module_normalise(names[i], name, sizeof(name));
		if (!name[0])
			continue;
		struct dep_entry *e = dep_by_name(&t, name);
		if (e) {
			r = visit(&t, e, out, moddir);
			continue;
		}
		if (!is_builtin(moddir, name)) {
			r = vb_err(-ENOENT,
				   "module '%s' is neither in %s/modules.dep nor built into "
				   "that kernel",
				   names[i], moddir);
			break;
		}
		int dup = 0;
		for (int j = 0; j < out->nbuiltin; j++)
			dup |= !strcmp(out->builtin[j], name);
		if (!dup)
			r = list_add(&out->builtin, &out->nbuiltin, name);
	}
	dep_free(&t);
	if (r < 0)
		guest_modules_free(out);
	return r;
}

void guest_modules_free(struct guest_modules *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->path[i]);
		free(m->name[i]);
	}
	for (int i = 0; i < m->nbuiltin; i++)
		free(m->builtin[i]);
	free(m->path);
	free(m->name);
	free(m->builtin);
	memset(m, 0, sizeof(*m));
}
