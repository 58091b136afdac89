/* The built-in guest: a distro kernel plus an initramfs that vmbench writes
 * itself (libarchive, newc cpio): the static agent as /init and the kernel
 * modules the chosen devices need, resolved from modules.dep and loaded in
 * dependency order by the agent. Cached by content hash.
 *
 * Inside the guest the agent (running as PID 1, src/agent/init.c) mounts
 * /proc, /sys, /dev and /tmp, loads /etc/vmbench/modules in order with
 * finit_module, finds the virtio-serial port named GUEST_PORT_NAME under
 * /sys/class/virtio-ports/, says hello on it (with the guest's boot timing
 * in facts.boot) and serves the host; on "bye" or end of stream it syncs and
 * powers the VM off. A workload file name "serial:SERIAL" is the guest disk
 * with that serial (src/workloads/registry.c).
 *
 * The pieces (kernel.c, modules.c, initramfs.c, unpack.c) are exposed below
 * so that the CLI can describe them and the unit tests can check them on
 * synthetic input; guest.c ties them together. */
#ifndef VB_GUEST_GUEST_H
#define VB_GUEST_GUEST_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_PORT_NAME "org.vmbench.agent"
/* Where the module load order goes inside the initramfs. */
#define GUEST_MODULES_LIST "etc/vmbench/modules"

/* What guest_build() drives when given no module list: every bus the qemu
 * target can attach a disk to, the agent's port and the network. */
extern const char *const guest_default_modules[];

struct guest_image {
	char kernel[PATH_MAX];   /* what -kernel gets (a copy in the cache entry) */
	char initrd[PATH_MAX];
	int pvh;                 /* kernel is an uncompressed vmlinux with a PVH entry note */
	char kernel_version[128];
	char hash[33];           /* of kernel + modules + agent: names the cache entry */
	/* Added for `vmbench guest build` and provenance. */
	char source[PATH_MAX];   /* the kernel it came from (e.g. /boot/vmlinuz-...) */
	char modules[2048];      /* module names in load order, comma separated ("" none) */
	int nmodules;
	long long kernel_size, initrd_size; /* bytes */
	int from_cache;          /* 1: found ready in the cache, nothing was built */
};

/* Builds (or finds in cache_dir) the guest for a kernel (NULL or "": the
 * newest /boot/vmlinuz-*) with the given modules (NULL-terminated names such
 * as "virtio_blk", '-' and '_' alike; their dependencies are added; NULL:
 * guest_default_modules). want_pvh: extract an uncompressed vmlinux from the
 * bzImage so that -M microvm can boot it through its PVH entry; when the
 * kernel has no PVH entry (or its payload cannot be unpacked) the bzImage is
 * used, with a warning, and out->pvh says 0. cache_dir NULL or "": the
 * default. A second call with the same inputs returns at once. */
int guest_build(const char *kernel, const char *const *modules, int want_pvh,
		const char *cache_dir, struct guest_image *out);
/* Default cache: $XDG_CACHE_HOME/vmbench or ~/.cache/vmbench. */
void guest_cache_dir(char *buf, size_t n);

/* --- kernel.c: discovery, bzImage header, vmlinux extraction ------------- */

struct guest_kernel {
	char path[PATH_MAX];        /* the kernel file (bzImage or ELF vmlinux) */
	char version[128];          /* "6.1.0-56-amd64" */
	char modules_dir[PATH_MAX]; /* /lib/modules/VERSION ("" if it does not exist) */
	int is_elf;                 /* the file is already an uncompressed vmlinux */
};

/* path NULL or "": the newest readable /boot/vmlinuz-* by version order.
 * The version comes from the bzImage header's version string (or an ELF's
 * "Linux version" banner), else from the file name after "vmlinuz-". */
int guest_kernel_find(const char *path, struct guest_kernel *k);

struct guest_bzimage {
	unsigned protocol;     /* boot protocol, e.g. 0x20f for 2.15 */
	size_t setup_size;     /* (setup_sects + 1) * 512: start of the 32/64-bit code */
	size_t payload_offset; /* of the compressed vmlinux, from the start of the file */
	size_t payload_length;
	char version[128];     /* first word of the header's kernel_version ("" if none) */
};

/* Parses the x86 boot protocol header of a bzImage in buf. */
int guest_bzimage_parse(const unsigned char *buf, size_t len, struct guest_bzimage *out);
/* 1 when buf is an ELF64 image with a Xen ELFNOTE PHYS32_ENTRY (type 18),
 * the PVH entry point (stored in *entry if non-NULL); 0 when it is an ELF
 * without one; negative when it is not a well-formed ELF64. */
int guest_elf_pvh(const unsigned char *buf, size_t len, uint32_t *entry);
/* Unpacks the payload of a bzImage into a malloc'd uncompressed vmlinux and
 * checks that it is an ELF. */
int guest_vmlinux_extract(const unsigned char *bz, size_t len, unsigned char **out,
			  size_t *outlen);

/* --- unpack.c: the compressions of kernels and modules ----------------- */

enum guest_comp { GUEST_COMP_NONE, GUEST_COMP_GZIP, GUEST_COMP_XZ, GUEST_COMP_LZMA,
		  GUEST_COMP_ZSTD, GUEST_COMP_BZIP2, GUEST_COMP_LZ4, GUEST_COMP_LZO };

/* By magic number; GUEST_COMP_NONE when none is recognised. */
enum guest_comp guest_comp_detect(const unsigned char *buf, size_t len);
const char *guest_comp_name(enum guest_comp c);
/* Decompresses the first stream in buf (trailing bytes are ignored) into a
 * malloc'd buffer; size_hint (0: unknown) sizes the first allocation; what
 * names the data in messages. bzip2, lz4 and lzo are recognised but not
 * supported. */
int guest_decompress(enum guest_comp c, const unsigned char *buf, size_t len, size_t size_hint,
		     const char *what, unsigned char **out, size_t *outlen);
/* Reads a whole file into a malloc'd buffer. */
int guest_read_file(const char *path, unsigned char **out, size_t *len);

/* --- modules.c: closure over modules.dep --------------------------------- */

struct guest_modules {
	int n;
	char **path;    /* as in modules.dep, relative to the modules dir, load order */
	char **name;    /* normalised ('-' -> '_'), same order */
	int nbuiltin;
	char **builtin; /* requested names that are built into the kernel */
};

/* Resolves names (NULL-terminated) against moddir/modules.dep and
 * moddir/modules.builtin into the full list of modules to load,
 * dependencies first, each once. A built-in module needs nothing. A name
 * that is neither is an error naming it and the kernel. */
int guest_modules_resolve(const char *moddir, const char *const *names,
			  struct guest_modules *out);
void guest_modules_free(struct guest_modules *m);
/* "virtio-blk" -> "virtio_blk" into buf. */
void guest_module_normalise(const char *name, char *buf, size_t n);

/* --- initramfs.c: the newc cpio ------------------------------------------ */

/* Writes the initramfs to out: /init = agent, /dev/console, /proc /sys /dev
 * /tmp /mnt, the modules (decompressed to plain .ko under
 * /lib/modules/VERSION/) and /etc/vmbench/modules listing their paths in
 * load order. moddir may be NULL when mods is empty. Uncompressed: the
 * kernel unpacks it faster than any compressed one (docs/guest.md). */
int guest_initramfs_write(const char *out, const char *agent, const char *version,
			  const char *moddir, const struct guest_modules *mods);

#endif
