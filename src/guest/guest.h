/* The built-in guest: a distro kernel plus an initramfs that vmbench writes
 * itself (libarchive, newc cpio): the static agent as /init and the kernel
 * modules the chosen devices need, resolved from modules.dep and loaded in
 * dependency order by the agent. Cached by content hash.
 *
 * Inside the guest the agent (running as PID 1) mounts /proc, /sys, /dev,
 * loads /etc/vmbench/modules in order, finds the virtio-serial port named
 * GUEST_PORT_NAME under /sys/class/virtio-ports/, serves the host on it and
 * powers the VM off on "bye". */
#ifndef VB_GUEST_GUEST_H
#define VB_GUEST_GUEST_H

#include <limits.h>

#define GUEST_PORT_NAME "org.vmbench.agent"

struct guest_image {
	char kernel[PATH_MAX];   /* what -kernel gets */
	char initrd[PATH_MAX];
	int pvh;                 /* kernel is an uncompressed vmlinux with a PVH entry note */
	char kernel_version[128];
	char hash[33];           /* of kernel + modules + agent: names the cache entry */
};

/* Builds (or finds in cache_dir) the guest for a kernel (NULL or "": the
 * newest /boot/vmlinuz-*) with the given modules (NULL-terminated names such
 * as "virtio_blk"; their dependencies are added). want_pvh: extract an
 * uncompressed vmlinux from the bzImage so that -M microvm can boot it through
 * its PVH entry. */
int guest_build(const char *kernel, const char *const *modules, int want_pvh,
		const char *cache_dir, struct guest_image *out);
/* Default cache: $XDG_CACHE_HOME/vmbench or ~/.cache/vmbench. */
void guest_cache_dir(char *buf, size_t n);

#endif
