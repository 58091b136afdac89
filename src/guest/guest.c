/* guest_build(): kernel + module closure + agent -> a cache entry
 *
 *   CACHE/guest-HASH/vmlinux      (or bzImage: what -kernel gets)
 *   CACHE/guest-HASH/initrd.cpio
 *
 * HASH is FNV-1a 128 over everything that ends up in the entry (the kernel
 * file, each module's path and bytes, the agent binary) plus the PVH wish
 * and a format tag, so a rebuilt agent or an updated kernel package gives
 * a new entry and an unchanged one costs only the hashing (about 15 MB of
 * reading). An entry is built in a temporary directory and renamed into
 * place: a crash leaves no half entry, and two concurrent builds of the
 * same entry both succeed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/guest.h"
#include "targets/target.h"
#include "util/err.h"
#include "util/hostio.h"

/* Bump when the layout of an entry or of the initramfs changes. */
#define GUEST_FORMAT "vmbench-guest-2"

const char *const guest_default_modules[] = {
    "virtio_mmio", "virtio_pci", "virtio_console", "virtio_blk", "virtio_scsi", "sd_mod",
    "nvme",	   "ata_piix",	 "ahci",	   "virtio_net", "e1000", NULL,
};

void guest_cache_dir(char *buf, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		snprintf(buf, n, "%s/vmbench", xdg);
	else if (home && *home)
		snprintf(buf, n, "%s/.cache/vmbench", home);
	else
		snprintf(buf, n, "/var/tmp/vmbench-cache-%u", (unsigned)getuid());
}

/* --- FNV-1a 128 ----------------------------------------------------------- */

__extension__ typedef unsigned __int128 u128;

struct fnv {
	u128 h;
};

static void fnv_init(struct fnv *f)
{
	f->h = ((u128)0x6c62272e07bb0142ULL << 64) | 0x62b821756295c58dULL;
}

static void fnv_add(struct fnv *f, const void *data, size_t n)
{
	const unsigned char *p = data;
	u128 h = f->h;
	/* the prime is 2^88 + 0x13b: a shift and a small multiply */
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h = (h << 88) + h * 0x13b;
	}
	f->h = h;
}

/* A length first, so that ("ab","c") and ("a","bc") differ. */
static void fnv_add_field(struct fnv *f, const void *data, size_t n)
{
	uint64_t len = n;
	fnv_add(f, &len, sizeof(len));
	fnv_add(f, data, n);
}

static void fnv_hex(const struct fnv *f, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)(f->h >> 64),
		 (unsigned long long)f->h);
}

static int fnv_add_file(struct fnv *f, const char *path)
{
	unsigned char *b;
	size_t n;
	int r = guest_read_file(path, &b, &n);
	if (r < 0)
		return r;
	fnv_add_field(f, b, n);
	free(b);
	return 0;
}

/* --- the entry ------------------------------------------------------------ */

static int write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return vb_err(-errno, "cannot create '%s': %s", path, strerror(errno));
	const unsigned char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int e = errno;
			close(fd);
			return vb_err(-e, "cannot write '%s': %s", path, strerror(e));
		}
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) < 0)
		return vb_err(-errno, "cannot write '%s': %s", path, strerror(errno));
	return 0;
}

static void rm_entry(const char *dir)
{
	static const char *const names[] = {"vmlinux", "bzImage", "initrd.cpio"};
	char p[PATH_MAX * 2];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Fills the paths from an entry; 0 when it is complete, -ENOENT if not. */
static int entry_lookup(const char *dir, struct guest_image *out)
{
	snprintf(out->initrd, sizeof(out->initrd), "%s/initrd.cpio", dir);
	if (file_size(out->initrd) <= 0)
		return -ENOENT;
	snprintf(out->kernel, sizeof(out->kernel), "%s/vmlinux", dir);
	out->pvh = 1;
	if (file_size(out->kernel) <= 0) {
		snprintf(out->kernel, sizeof(out->kernel), "%s/bzImage", dir);
		out->pvh = 0;
		if (file_size(out->kernel) <= 0)
			return -ENOENT;
	}
	out->kernel_size = file_size(out->kernel);
	out->initrd_size = file_size(out->initrd);
	return 0;
}

/* The kernel file of the entry: an extracted vmlinux when PVH is wanted and
 * possible, else a copy of the bzImage. */
static int entry_kernel(const char *tmp, const struct guest_kernel *k, int want_pvh)
{
	unsigned char *b, *vm = NULL;
	size_t len, vmlen;
	char path[PATH_MAX * 2];
	int r = guest_read_file(k->path, &b, &len);
	if (r < 0)
		return r;
	if (k->is_elf) {
		int pvh = guest_elf_pvh(b, len, NULL);
		if (pvh <= 0)
			r = vb_err(-ENOTSUP, "'%s' is an ELF vmlinux %s; pass its bzImage instead",
				   k->path,
				   pvh == 0 ? "without a PVH entry note"
					    : "that vmbench cannot read");
		else {
			snprintf(path, sizeof(path), "%s/vmlinux", tmp);
			r = write_file(path, b, len);
		}
		free(b);
		return r;
	}
	if (want_pvh) {
		struct guest_bzimage h;
		enum guest_comp comp = GUEST_COMP_NONE;
		if ((r = guest_bzimage_parse(b, len, &h)) == 0)
			comp = guest_comp_detect(b + h.payload_offset, h.payload_length);
		if (r == 0 && (comp == GUEST_COMP_NONE || comp == GUEST_COMP_BZIP2 ||
			       comp == GUEST_COMP_LZ4 || comp == GUEST_COMP_LZO)) {
			vb_warn(
			    "the payload of '%s' is %s-compressed, which vmbench cannot unpack: "
			    "booting the bzImage (no PVH)",
			    k->path, guest_comp_name(comp));
		} else if (r == 0 && (r = guest_vmlinux_extract(b, len, &vm, &vmlen)) == 0) {
			if (guest_elf_pvh(vm, vmlen, NULL) == 1) {
				snprintf(path, sizeof(path), "%s/vmlinux", tmp);
				r = write_file(path, vm, vmlen);
				free(vm);
				free(b);
				return r;
			}
			vb_warn("kernel %s has no PVH entry (CONFIG_PVH): booting the bzImage",
				k->version);
		}
		free(vm);
		if (r < 0) {
			free(b);
			return r;
		}
	}
	snprintf(path, sizeof(path), "%s/bzImage", tmp);
	r = write_file(path, b, len);
	free(b);
	return r;
}

int guest_build(const char *kernel, const char *const *modules, int want_pvh, const char *cache_dir,
		struct guest_image *out)
{
	struct guest_kernel k;
	struct guest_modules mods = {0};
	char agent[PATH_MAX], cache[PATH_MAX], dir[PATH_MAX + 64], tmp[PATH_MAX + 64];
	memset(out, 0, sizeof(*out));
	int r = guest_kernel_find(kernel, &k);
	if (r < 0)
		return r;
	if ((r = target_agent_path(agent, sizeof(agent))) < 0)
		return r;
	if (!modules)
		modules = guest_default_modules;
	if (!k.modules_dir[0] && modules[0])
		vb_warn("no /lib/modules/%s for the kernel '%s': building the guest without "
			"modules (its drivers must be built in)",
			k.version, k.path);
	else if ((r = guest_modules_resolve(k.modules_dir, modules, &mods)) < 0)
		return r;

	struct fnv f;
	fnv_init(&f);
	fnv_add_field(&f, GUEST_FORMAT, sizeof(GUEST_FORMAT));
	fnv_add_field(&f, &want_pvh, sizeof(want_pvh));
	fnv_add_field(&f, k.version, strlen(k.version));
	if ((r = fnv_add_file(&f, k.path)) < 0 || (r = fnv_add_file(&f, agent)) < 0)
		goto out;
	size_t used = 0;
	for (int i = 0; i < mods.n; i++) {
		char mp[PATH_MAX * 2];
		snprintf(mp, sizeof(mp), "%s/%s", k.modules_dir, mods.path[i]);
		fnv_add_field(&f, mods.path[i], strlen(mods.path[i]));
		if ((r = fnv_add_file(&f, mp)) < 0)
			goto out;
		if (used < sizeof(out->modules))
			used += (size_t)snprintf(out->modules + used, sizeof(out->modules) - used,
						 "%s%s", i ? "," : "", mods.name[i]);
	}
	fnv_hex(&f, out->hash);
	out->nmodules = mods.n;
	snprintf(out->kernel_version, sizeof(out->kernel_version), "%s", k.version);
	snprintf(out->source, sizeof(out->source), "%s", k.path);

	if (cache_dir && *cache_dir)
		snprintf(cache, sizeof(cache), "%s", cache_dir);
	else
		guest_cache_dir(cache, sizeof(cache));
	snprintf(dir, sizeof(dir), "%s/guest-%s", cache, out->hash);
	if (entry_lookup(dir, out) == 0) {
		out->from_cache = 1;
		goto out;
	}
	if ((r = hostio_mkdir_p(cache, 0755)) < 0) {
		r = vb_err(r, "cannot create '%s': %s", hostio_failed_path(), strerror(-r));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/.build-%s-XXXXXX", cache, out->hash);
	if (!mkdtemp(tmp)) {
		r = vb_err(-errno, "cannot create a directory in '%s': %s", cache, strerror(errno));
		goto out;
	}
	char initrd[PATH_MAX * 2];
	snprintf(initrd, sizeof(initrd), "%s/initrd.cpio", tmp);
	if ((r = entry_kernel(tmp, &k, want_pvh)) < 0 ||
	    (r = guest_initramfs_write(initrd, agent, k.version, k.modules_dir, &mods)) < 0) {
		rm_entry(tmp);
		goto out;
	}
	if (rename(tmp, dir) < 0) {
		int e = errno;
		rm_entry(tmp);
		/* someone else built the same entry meanwhile: theirs is as good */
		if ((e != EEXIST && e != ENOTEMPTY) || entry_lookup(dir, out) < 0) {
			r = vb_err(-e, "cannot move the guest into '%s': %s", dir, strerror(e));
			goto out;
		}
	}
	r = entry_lookup(dir, out);
	if (r < 0)
		r = vb_err(r, "the guest in '%s' vanished right after it was built", dir);
out:
	guest_modules_free(&mods);
	return r;
}
