/* guest: module closure over a synthetic modules.dep (order, dedup,
 * builtins, '-' vs '_', unknown names, cycles), the bzImage header and the
 * vmlinux inside it (gzip, xz, zstd payloads; the PVH note), the initramfs
 * read back with libarchive, and the cache of guest_build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "guest/guest.h"
#include "util/err.h"

static char tmp[PATH_MAX];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/vb-test-guest.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void put_file(const char *rel, const void *data, size_t n)
{
	char p[PATH_MAX * 2], dir[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	/* parents */
	snprintf(dir, sizeof(dir), "%s", p);
	for (char *s = dir + strlen(tmp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void put_text(const char *rel, const char *text)
{
	put_file(rel, text, strlen(text));
}

/* --- module closure --------------------------------------------------- */

static const char modules_dep[] =
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko.xz: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/nvme/host/nvme-core.ko:\n"
    "kernel/drivers/nvme/host/nvme.ko: kernel/drivers/nvme/host/nvme-core.ko\n"
    "kernel/x/cyc_a.ko: kernel/x/cyc_b.ko\n"
    "kernel/x/cyc_b.ko: kernel/x/cyc_a.ko\n"
    "kernel/x/orphan.ko: kernel/x/missing.ko\n";

static void write_moddir(void)
{
	put_text("mods/modules.dep", modules_dep);
	put_text("mods/modules.builtin", "kernel/drivers/block/loop.ko\n"
					 "kernel/drivers/virtio/virtio_mmio.ko\n");
}

static int index_of(const struct guest_modules *m, const char *name)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return i;
	return -1;
}

static void test_modules_order(void **state)
{
	(void)state;
	write_moddir();
	char moddir[PATH_MAX + 8];
	snprintf(moddir, sizeof(moddir), "%s/mods", tmp);
	const char *names[] = {"virtio-pci", "virtio_blk", "nvme",	  "virtio-mmio",
			       "virtio_pci", "loop",	   "virtio_mmio", NULL};
	struct guest_modules m;
	assert_int_equal(guest_modules_resolve(moddir, names, &m), 0);
	static const char *const want[] = {
	    "virtio_ring",
	    "virtio",
	    "virtio_pci_modern_dev",
	    "virtio_pci_legacy_dev",
	    "virtio_pci",
	    "virtio_blk",
	    "nvme_core",
	    "nvme",
	};
	assert_int_equal(m.n, 8);
	for (int i = 0; i < m.n; i++)
		assert_string_equal(m.name[i], want[i]);
	/* paths stay as modules.dep spells them, compression suffix and all */
	assert_string_equal(m.path[index_of(&m, "virtio_blk")],
			    "kernel/drivers/block/virtio_blk.ko.xz");
	assert_string_equal(m.path[index_of(&m, "nvme_core")],
			    "kernel/drivers/nvme/host/nvme-core.ko");
	/* built-ins need nothing and are listed once */
	assert_int_equal(m.nbuiltin, 2);
	assert_string_equal(m.builtin[0], "virtio_mmio");
	assert_string_equal(m.builtin[1], "loop");
	guest_modules_free(&m);
	assert_int_equal(m.n, 0);
}

static void test_modules_errors(void **state)
{
	(void)state;
	write_moddir();
	char moddir[PATH_MAX + 8], nodir[PATH_MAX + 8];
	snprintf(moddir, sizeof(moddir), "%s/mods", tmp);
	snprintf(nodir, sizeof(nodir), "%s/none", tmp);
	struct guest_modules m;
	const char *unknown[] = {"virtio_blk", "no_such_driver", NULL};
	assert_int_equal(guest_modules_resolve(moddir, unknown, &m), -ENOENT);
	assert_non_null(strstr(vb_errmsg(), "no_such_driver"));
	assert_int_equal(m.n, 0); /* nothing half-resolved is left */
	const char *cyc[] = {"cyc_a", NULL};
	assert_int_equal(guest_modules_resolve(moddir, cyc, &m), -ELOOP);
	const char *orphan[] = {"orphan", NULL};
	assert_int_equal(guest_modules_resolve(moddir, orphan, &m), -ENOENT);
	assert_non_null(strstr(vb_errmsg(), "missing.ko"));
	const char *one[] = {"nvme", NULL};
	assert_true(guest_modules_resolve(nodir, one, &m) < 0);
	assert_non_null(strstr(vb_errmsg(), "modules.dep"));
	const char *none[] = {NULL};
	assert_int_equal(guest_modules_resolve(nodir, none, &m), 0);
	assert_int_equal(m.n, 0);
}

/* --- ELF, bzImage --------------------------------------------------------- */

static void le16w(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32w(unsigned char *p, uint32_t v)
{
	le16w(p, v);
	le16w(p + 2, v >> 16);
}

static void le64w(unsigned char *p, uint64_t v)
{
	le32w(p, (uint32_t)v);
	le32w(p + 4, (uint32_t)(v >> 32));
}

/* An ELF64 with one PT_NOTE segment holding a "linux" note and, if pvh,
 * Xen's PHYS32_ENTRY = 0x1000abc; followed by `junk` bytes that are not
 * part of the ELF (as the KASLR relocations follow a real one). */
static size_t make_elf(unsigned char *b, int pvh, size_t junk)
{
	memset(b, 0, 512);
	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	b[4] = 2; /* 64-bit */
	b[5] = 1; /* little-endian */
	b[6] = 1;
	le16w(b + 16, 2);  /* ET_EXEC */
	le16w(b + 18, 62); /* x86-64 */
	le64w(b + 32, 64); /* phoff */
	le16w(b + 52, 64);
	le16w(b + 54, 56); /* phentsize */
	le16w(b + 56, 1);  /* phnum */
	size_t notes = 64 + 56, off = notes;
	/* note 1: name "Xen", type 6, "linux" (not the entry) */
	le32w(b + off, 4);
	le32w(b + off + 4, 6);
	le32w(b + off + 8, 6);
	memcpy(b + off + 12, "Xen", 4);
	memcpy(b + off + 16, "linux", 6);
	off += 12 + 4 + 8;
	if (pvh) {
		le32w(b + off, 4);
		le32w(b + off + 4, 4);
		le32w(b + off + 8, 18);
		memcpy(b + off + 12, "Xen", 4);
		le32w(b + off + 16, 0x1000abc);
		off += 12 + 4 + 4;
	}
	unsigned char *ph = b + 64;
	le32w(ph, 4); /* PT_NOTE */
	le64w(ph + 8, notes);
	le64w(ph + 32, off - notes);
	le64w(ph + 40, off - notes);
	memset(b + off, 0xee, junk);
	return off + junk;
}

static void test_elf_pvh(void **state)
{
	(void)state;
	unsigned char b[512];
	uint32_t entry = 0;
	size_t n = make_elf(b, 1, 0);
	assert_int_equal(guest_elf_pvh(b, n, &entry), 1);
	assert_int_equal(entry, 0x1000abc);
	n = make_elf(b, 0, 0);
	assert_int_equal(guest_elf_pvh(b, n, NULL), 0);
	assert_true(guest_elf_pvh((const unsigned char *)"not an elf at all, just text......"
							 "................................",
				  64, NULL) < 0);
	/* a program header table beyond the end is malformed, not "no note" */
	n = make_elf(b, 1, 0);
	assert_true(guest_elf_pvh(b, 100, NULL) < 0);
}

static size_t gzip_buf(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = z.total_out;
	deflateEnd(&z);
	return len;
}

static size_t xz_buf(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t pos = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, n, out, &pos, cap),
			 LZMA_OK);
	return pos;
}

static size_t zstd_buf(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t r = ZSTD_compress(out, cap, in, n, 19);
	assert_false(ZSTD_isError(r));
	return r;
}

/* A bzImage: 3 setup sectors + the boot sector, the header, a version
 * string, and the payload (compressed ELF + its size) at payload_offset. */
static size_t make_bzimage(unsigned char *b, size_t cap, const unsigned char *payload, size_t plen,
			   unsigned protocol)
{
	memset(b, 0, cap);
	b[0x1f1] = 3;
	le16w(b + 0x1fe, 0xaa55);
	memcpy(b + 0x202, "HdrS", 4);
	le16w(b + 0x206, protocol);
	le16w(b + 0x20e, 0x100);
	strcpy((char *)b + 0x300, "6.1.0-99-test (someone@example) #1 SMP");
	size_t setup = 4 * 512, poff = 0x40;
	le32w(b + 0x248, (uint32_t)poff);
	le32w(b + 0x24c, (uint32_t)plen);
	assert_true(setup + poff + plen <= cap);
	memcpy(b + setup + poff, payload, plen);
	return setup + poff + plen + 100; /* some trailing bytes */
}

static void test_bzimage(void **state)
{
	(void)state;
	static unsigned char elf[512], packed[4096], bz[16384];
	size_t elen = make_elf(elf, 1, 37), core = elen - 37;
	size_t (*const packers[])(const unsigned char *, size_t, unsigned char *,
				  size_t) = {gzip_buf, xz_buf, zstd_buf};
	const enum guest_comp comps[] = {GUEST_COMP_GZIP, GUEST_COMP_XZ, GUEST_COMP_ZSTD};
	for (int i = 0; i < 3; i++) {
		size_t plen = packers[i](elf, elen, packed, sizeof(packed) - 4);
		le32w(packed + plen, (uint32_t)elen); /* the build appends the size */
		plen += 4;
		size_t n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
		struct guest_bzimage h;
		assert_int_equal(guest_bzimage_parse(bz, n, &h), 0);
		assert_int_equal(h.protocol, 0x20f);
		assert_int_equal(h.setup_size, 4 * 512);
		assert_int_equal(h.payload_offset, 4 * 512 + 0x40);
		assert_int_equal(h.payload_length, plen);
		assert_string_equal(h.version, "6.1.0-99-test");
		assert_int_equal(guest_comp_detect(bz + h.payload_offset, h.payload_length),
				 comps[i]);
		unsigned char *vm;
		size_t vmlen;
		assert_int_equal(guest_vmlinux_extract(bz, n, &vm, &vmlen), 0);
		/* the ELF without what follows it */
		assert_int_equal(vmlen, core);
		assert_memory_equal(vm, elf, core);
		assert_int_equal(guest_elf_pvh(vm, vmlen, NULL), 1);
		free(vm);
	}
	size_t plen = gzip_buf(elf, elen, packed, sizeof(packed));
	size_t n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
	struct guest_bzimage h;
	/* rejects */
	memcpy(bz + 0x202, "HdrX", 4);
	assert_int_equal(guest_bzimage_parse(bz, n, &h), -EINVAL);
	memcpy(bz + 0x202, "HdrS", 4);
	le16w(bz + 0x206, 0x207);
	assert_int_equal(guest_bzimage_parse(bz, n, &h), -ENOTSUP);
	le16w(bz + 0x206, 0x20f);
	le32w(bz + 0x24c, (uint32_t)n);
	assert_int_equal(guest_bzimage_parse(bz, n, &h), -EINVAL);
	assert_int_equal(guest_bzimage_parse(bz, 0x100, &h), -EINVAL);
	/* a payload that unpacks to something other than an ELF */
	static const unsigned char text[] = "no elf here, only words, words, words";
	plen = gzip_buf(text, sizeof(text), packed, sizeof(packed));
	n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
	unsigned char *vm;
	size_t vmlen;
	assert_int_equal(guest_vmlinux_extract(bz, n, &vm, &vmlen), -EINVAL);
	/* a corrupt stream */
	plen = xz_buf(elf, elen, packed, sizeof(packed));
	packed[plen / 2] ^= 0x55;
	n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
	assert_true(guest_vmlinux_extract(bz, n, &vm, &vmlen) < 0);
}

static void test_comp_detect(void **state)
{
	(void)state;
	assert_int_equal(guest_comp_detect((const unsigned char *)"\x1f\x8b\x08", 3),
			 GUEST_COMP_GZIP);
	assert_int_equal(guest_comp_detect((const unsigned char *)"\xfd"
								  "7zXZ\0",
					   6),
			 GUEST_COMP_XZ);
	assert_int_equal(guest_comp_detect((const unsigned char *)"\x28\xb5\x2f\xfd", 4),
			 GUEST_COMP_ZSTD);
	assert_int_equal(guest_comp_detect((const unsigned char *)"BZh9", 4), GUEST_COMP_BZIP2);
	assert_int_equal(guest_comp_detect((const unsigned char *)"\x7f"
								  "ELF",
					   4),
			 GUEST_COMP_NONE);
	unsigned char *out;
	size_t n;
	assert_int_equal(
	    guest_decompress(GUEST_COMP_BZIP2, (const unsigned char *)"BZh9", 4, 0, "x", &out, &n),
	    -ENOTSUP);
}

/* --- initramfs -------------------------------------------------------------- */

struct entry {
	char name[256];
	mode_t mode;
	dev_t rdev;
	char *data;
	size_t size;
};

static int read_cpio(const char *path, struct entry *e, int max)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_cpio(a);
	archive_read_support_filter_none(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	struct archive_entry *ae;
	int n = 0;
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		assert_true(n < max);
		snprintf(e[n].name, sizeof(e[n].name), "%s", archive_entry_pathname(ae));
		e[n].mode = archive_entry_mode(ae);
		e[n].rdev = archive_entry_rdev(ae);
		assert_int_equal(archive_entry_uid(ae), 0);
		e[n].size = (size_t)archive_entry_size(ae);
		e[n].data = malloc(e[n].size + 1);
		assert_int_equal(archive_read_data(a, e[n].data, e[n].size), (la_ssize_t)e[n].size);
		e[n].data[e[n].size] = '\0';
		n++;
	}
	assert_int_equal(archive_format(a), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
	archive_read_free(a);
	return n;
}

static const struct entry *find(const struct entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	fail_msg("no '%s' in the initramfs", name);
	return NULL;
}

static int pos(const struct entry *e, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return i;
	return -1;
}

static void test_initramfs(void **state)
{
	(void)state;
	write_moddir();
	static const char agent[] = "\x7f"
				    "ELF pretend this is the static agent";
	static const char ring[] = "virtio_ring module bytes", virtio[] = "virtio module bytes";
	static const char blk[] = "virtio_blk module bytes, stored xz-compressed";
	unsigned char packed[1024];
	put_file("agent", agent, sizeof(agent));
	put_text("mods/kernel/drivers/virtio/virtio_ring.ko", ring);
	put_text("mods/kernel/drivers/virtio/virtio.ko", virtio);
	put_file("mods/kernel/drivers/block/virtio_blk.ko.xz", packed,
		 xz_buf((const unsigned char *)blk, strlen(blk), packed, sizeof(packed)));
	char moddir[PATH_MAX + 8], agentp[PATH_MAX + 8], out[PATH_MAX + 16];
	snprintf(moddir, sizeof(moddir), "%s/mods", tmp);
	snprintf(agentp, sizeof(agentp), "%s/agent", tmp);
	snprintf(out, sizeof(out), "%s/initrd.cpio", tmp);
	const char *names[] = {"virtio_blk", NULL};
	struct guest_modules m;
	assert_int_equal(guest_modules_resolve(moddir, names, &m), 0);
	assert_int_equal(guest_initramfs_write(out, agentp, "6.1.0-99-test", moddir, &m), 0);
	guest_modules_free(&m);

	struct entry e[64];
	int n = read_cpio(out, e, 64);
	const struct entry *init = find(e, n, "init");
	assert_true(S_ISREG(init->mode));
	assert_int_equal(init->mode & 07777, 0755);
	assert_int_equal(init->size, sizeof(agent));
	assert_memory_equal(init->data, agent, sizeof(agent));
	const struct entry *con = find(e, n, "dev/console");
	assert_true(S_ISCHR(con->mode));
	assert_int_equal(major(con->rdev), 5);
	assert_int_equal(minor(con->rdev), 1);
	static const char *const dirs[] = {"proc", "sys", "dev", "tmp", "mnt", "etc/vmbench"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_true(S_ISDIR(find(e, n, dirs[i])->mode));
	assert_int_equal(find(e, n, "tmp")->mode & 07777, 01777);
	/* the compressed module is stored plain, under its .ko name */
	const struct entry *b =
	    find(e, n, "lib/modules/6.1.0-99-test/kernel/drivers/block/virtio_blk.ko");
	assert_string_equal(b->data, blk);
	assert_int_equal(b->mode & 07777, 0644);
	assert_int_equal(
	    pos(e, n, "lib/modules/6.1.0-99-test/kernel/drivers/block/virtio_blk.ko.xz"), -1);
	assert_string_equal(
	    find(e, n, "lib/modules/6.1.0-99-test/kernel/drivers/virtio/virtio.ko")->data, virtio);
	/* the load order, as absolute paths in the guest */
	assert_string_equal(find(e, n, "etc/vmbench/modules")->data,
			    "/lib/modules/6.1.0-99-test/kernel/drivers/virtio/virtio_ring.ko\n"
			    "/lib/modules/6.1.0-99-test/kernel/drivers/virtio/virtio.ko\n"
			    "/lib/modules/6.1.0-99-test/kernel/drivers/block/virtio_blk.ko\n");
	/* every directory comes before what it holds */
	for (int i = 0; i < n; i++) {
		char parent[256];
		snprintf(parent, sizeof(parent), "%s", e[i].name);
		char *slash = strrchr(parent, '/');
		if (!slash)
			continue;
		*slash = '\0';
		int p = pos(e, n, parent);
		assert_true(p >= 0 && p < i);
	}
	for (int i = 0; i < n; i++)
		free(e[i].data);
}

/* --- guest_build and its cache ---------------------------------------------- */

static void test_build_cache(void **state)
{
	(void)state;
	static unsigned char elf[512], packed[4096], bz[16384];
	size_t elen = make_elf(elf, 1, 0);
	size_t plen = xz_buf(elf, elen, packed, sizeof(packed));
	size_t n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
	put_file("boot/vmlinuz-6.1.0-99-test", bz, n);
	put_text("agent", "agent v1");
	char kernel[PATH_MAX + 32], agentp[PATH_MAX + 8], cache[PATH_MAX + 8];
	snprintf(kernel, sizeof(kernel), "%s/boot/vmlinuz-6.1.0-99-test", tmp);
	snprintf(agentp, sizeof(agentp), "%s/agent", tmp);
	chmod(agentp, 0755); /* target_agent_path() wants an executable */
	snprintf(cache, sizeof(cache), "%s/cache", tmp);
	setenv("VMBENCH_AGENT", agentp, 1);

	struct guest_kernel k;
	assert_int_equal(guest_kernel_find(kernel, &k), 0);
	assert_string_equal(k.version, "6.1.0-99-test");
	assert_int_equal(k.is_elf, 0);

	const char *none[] = {NULL};
	struct guest_image g, g2, g3;
	assert_int_equal(guest_build(kernel, none, 1, cache, &g), 0);
	assert_int_equal(g.from_cache, 0);
	assert_int_equal(g.pvh, 1);
	assert_non_null(strstr(g.kernel, "/vmlinux"));
	assert_int_equal(g.kernel_size, (long long)elen);
	assert_int_equal(strlen(g.hash), 32);
	assert_string_equal(g.kernel_version, "6.1.0-99-test");
	assert_int_equal(g.nmodules, 0);
	assert_true(g.initrd_size > 0);
	assert_int_equal(guest_build(kernel, none, 1, cache, &g2), 0);
	assert_int_equal(g2.from_cache, 1);
	assert_string_equal(g2.hash, g.hash);
	assert_string_equal(g2.kernel, g.kernel);
	/* no PVH wanted: the bzImage itself, in another entry */
	assert_int_equal(guest_build(kernel, none, 0, cache, &g3), 0);
	assert_int_equal(g3.pvh, 0);
	assert_non_null(strstr(g3.kernel, "/bzImage"));
	assert_int_equal(g3.kernel_size, (long long)n);
	assert_string_not_equal(g3.hash, g.hash);
	/* a new agent is a new entry */
	put_text("agent", "agent v2");
	assert_int_equal(guest_build(kernel, none, 1, cache, &g2), 0);
	assert_int_equal(g2.from_cache, 0);
	assert_string_not_equal(g2.hash, g.hash);
	/* a kernel without the PVH note falls back to the bzImage */
	elen = make_elf(elf, 0, 0);
	plen = xz_buf(elf, elen, packed, sizeof(packed));
	n = make_bzimage(bz, sizeof(bz), packed, plen, 0x20f);
	put_file("boot/vmlinuz-6.1.0-99-test", bz, n);
	assert_int_equal(guest_build(kernel, none, 1, cache, &g3), 0);
	assert_int_equal(g3.pvh, 0);
	/* not a kernel at all */
	put_text("boot/vmlinuz-6.1.0-99-test", "hello");
	assert_true(guest_build(kernel, none, 1, cache, &g3) < 0);
	assert_non_null(strstr(vb_errmsg(), "neither a bzImage nor an ELF"));
	unsetenv("VMBENCH_AGENT");
}

int main(void)
{
	vb_err_set_quiet(1); /* the rejects are expected */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_modules_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modules_errors, setup, teardown),
	    cmocka_unit_test(test_elf_pvh),
	    cmocka_unit_test(test_bzimage),
	    cmocka_unit_test(test_comp_detect),
	    cmocka_unit_test_setup_teardown(test_initramfs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_build_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
