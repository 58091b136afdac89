/* The guest's kernel: which one (the newest /boot/vmlinuz-* or a given
 * file), its version (hence its modules), and the uncompressed vmlinux
 * inside a bzImage, which -M microvm boots through its PVH entry without
 * firmware or a decompressor: the fastest way to "agent ready" under TCG.
 *
 * The bzImage layout is the x86 boot protocol (Documentation/x86/boot.rst):
 * setup_sects at 0x1f1, "HdrS" at 0x202, the protocol version at 0x206, a
 * pointer to the version string at 0x20e (+0x200), and, since 2.08,
 * payload_offset/payload_length at 0x248/0x24c, relative to the end of the
 * setup code. The payload is the compressed vmlinux (an ELF), followed by
 * its uncompressed size as a little-endian 32-bit word. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/guest.h"
#include "util/err.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Copies the first word of a printable string of at most max bytes. */
static void first_word(const unsigned char *s, size_t max, char *buf, size_t n)
{
	size_t i = 0;
	while (i < max && i + 1 < n && s[i] > ' ' && s[i] < 0x7f) {
		buf[i] = (char)s[i];
		i++;
	}
	buf[i] = '\0';
}

int guest_bzimage_parse(const unsigned char *b, size_t len, struct guest_bzimage *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 0x250 || memcmp(b + 0x202, "HdrS", 4) != 0)
		return vb_err(-EINVAL, "not a bzImage (no 'HdrS' boot header signature)");
	out->protocol = le16(b + 0x206);
	unsigned sects = b[0x1f1] ? b[0x1f1] : 4; /* 0 means 4, says the protocol */
	out->setup_size = ((size_t)sects + 1) * 512;
	uint32_t ver = le16(b + 0x20e);
	if (ver && (size_t)ver + 0x200 < len)
		first_word(b + ver + 0x200, len - ver - 0x200, out->version, sizeof(out->version));
	if (out->protocol < 0x208)
		return vb_err(
		    -ENOTSUP,
		    "boot protocol %u.%02u is too old to locate the kernel payload (2.08+)",
		    out->protocol >> 8, out->protocol & 0xff);
	out->payload_offset = out->setup_size + le32(b + 0x248);
	out->payload_length = le32(b + 0x24c);
	if (out->payload_length < 16 || out->payload_offset > len ||
	    out->payload_length > len - out->payload_offset)
		return vb_err(
		    -EINVAL,
		    "bzImage payload (offset %zu, length %zu) lies outside the %zu-byte file",
		    out->payload_offset, out->payload_length, len);
	return 0;
}

/* Walks the notes in [p, p+n) looking for Xen's PHYS32_ENTRY. */
static int elf_notes_pvh(const unsigned char *p, size_t n, uint32_t *entry)
{
	size_t off = 0;
	while (n - off >= 12) {
		uint32_t namesz = le32(p + off), descsz = le32(p + off + 4),
			 type = le32(p + off + 8);
		size_t name_at = off + 12;
		size_t desc_at = name_at + (((size_t)namesz + 3) & ~(size_t)3);
		size_t next = desc_at + (((size_t)descsz + 3) & ~(size_t)3);
		if (namesz > n || descsz > n || next > n || next <= off)
			return 0;
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == 4 &&
		    !memcmp(p + name_at, "Xen", 4) && descsz >= 4) {
			if (entry)
				*entry = le32(p + desc_at);
			return 1;
		}
		off = next;
	}
	return 0;
}

int guest_elf_pvh(const unsigned char *b, size_t len, uint32_t *entry)
{
	if (len < 64 || memcmp(b,
			       "\x7f"
			       "ELF",
			       4) != 0)
		return -EINVAL;
	if (b[4] != 2 || b[5] != 1) /* ELFCLASS64, little-endian */
		return -ENOTSUP;
	uint64_t phoff = le64(b + 32), shoff = le64(b + 40);
	uint32_t phentsize = le16(b + 54), phnum = le16(b + 56);
	uint32_t shentsize = le16(b + 58), shnum = le16(b + 60);
	if (phnum && (phentsize < 56 || phoff > len || (uint64_t)phnum * phentsize > len - phoff))
		return -EINVAL;
	for (uint32_t i = 0; i < phnum; i++) {
		const unsigned char *ph = b + phoff + (uint64_t)i * phentsize;
		uint64_t off = le64(ph + 8), sz = le64(ph + 32);
		if (le32(ph) != 4 /* PT_NOTE */ || off > len || sz > len - off)
			continue;
		if (elf_notes_pvh(b + off, (size_t)sz, entry))
			return 1;
	}
	/* a stripped image may keep the note only as a section */
	if (shnum && shentsize >= 64 && shoff <= len &&
	    (uint64_t)shnum * shentsize <= len - shoff) {
		for (uint32_t i = 0; i < shnum; i++) {
			const unsigned char *sh = b + shoff + (uint64_t)i * shentsize;
			uint64_t off = le64(sh + 24), sz = le64(sh + 32);
			if (le32(sh + 4) != 7 /* SHT_NOTE */ || off > len || sz > len - off)
				continue;
			if (elf_notes_pvh(b + off, (size_t)sz, entry))
				return 1;
		}
	}
	return 0;
}

/* Where an ELF64's last header, segment or section ends (0: cannot tell). */
static size_t elf_end(const unsigned char *b, size_t len)
{
	if (len < 64 || b[4] != 2)
		return 0;
	uint64_t phoff = le64(b + 32), shoff = le64(b + 40), end = 64;
	uint32_t phentsize = le16(b + 54), phnum = le16(b + 56);
	uint32_t shentsize = le16(b + 58), shnum = le16(b + 60);
	if (phoff > len || (uint64_t)phnum * phentsize > len - phoff || shoff > len ||
	    (uint64_t)shnum * shentsize > len - shoff || (phnum && phentsize < 56) ||
	    (shnum && shentsize < 64))
		return 0;
	end = phoff + (uint64_t)phnum * phentsize > end ? phoff + (uint64_t)phnum * phentsize : end;
	end = shoff + (uint64_t)shnum * shentsize > end ? shoff + (uint64_t)shnum * shentsize : end;
	for (uint32_t i = 0; i < phnum; i++) {
		const unsigned char *ph = b + phoff + (uint64_t)i * phentsize;
		uint64_t e = le64(ph + 8) + le64(ph + 32);
		end = e > end ? e : end;
	}
	for (uint32_t i = 0; i < shnum; i++) {
		const unsigned char *sh = b + shoff + (uint64_t)i * shentsize;
		if (le32(sh + 4) == 8 /* SHT_NOBITS */)
			continue;
		uint64_t e = le64(sh + 24) + le64(sh + 32);
		end = e > end ? e : end;
	}
	return end <= len ? (size_t)end : 0;
}

int guest_vmlinux_extract(const unsigned char *bz, size_t len, unsigned char **out, size_t *outlen)
{
	struct guest_bzimage h;
	int r = guest_bzimage_parse(bz, len, &h);
	if (r < 0)
		return r;
	const unsigned char *p = bz + h.payload_offset;
	enum guest_comp c = guest_comp_detect(p, h.payload_length);
	if (c == GUEST_COMP_NONE)
		return vb_err(
		    -ENOTSUP,
		    "the bzImage payload has no known compression magic (%02x %02x %02x %02x)",
		    p[0], p[1], p[2], p[3]);
	/* the build appends the uncompressed size: a good first allocation */
	size_t hint = le32(p + h.payload_length - 4);
	if (hint > (size_t)1 << 30)
		hint = 0;
	r = guest_decompress(c, p, h.payload_length, hint, "the bzImage payload", out, outlen);
	if (r < 0)
		return r;
	if (*outlen < 64 || memcmp(*out,
				   "\x7f"
				   "ELF",
				   4) != 0) {
		free(*out);
		*out = NULL;
		return vb_err(-EINVAL, "the unpacked kernel payload is not an ELF vmlinux");
	}
	/* the relocations for KASLR follow the ELF: a loader has no use for them */
	size_t end = elf_end(*out, *outlen);
	if (end && end < *outlen)
		*outlen = end;
	return 0;
}

/* The release from an ELF vmlinux's banner "Linux version 6.1.0-56-amd64 (...". */
static void elf_version(const unsigned char *b, size_t len, char *buf, size_t n)
{
	static const char banner[] = "Linux version ";
	const size_t bl = sizeof(banner) - 1;
	buf[0] = '\0';
	for (const unsigned char *p = b; len >= bl && p <= b + len - bl;) {
		p = memchr(p, 'L', (size_t)(b + len - p));
		if (!p || (size_t)(b + len - p) < bl)
			break;
		if (!memcmp(p, banner, bl) && isdigit(p[bl])) {
			first_word(p + bl, (size_t)(b + len - p) - bl, buf, n);
			return;
		}
		p++;
	}
}

static int version_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* The newest /boot/vmlinuz-VERSION by version order. */
static int kernel_newest(char *buf, size_t n)
{
	DIR *d = opendir("/boot");
	if (!d)
		return vb_err(-errno, "cannot list /boot: %s; pass a kernel with --kernel",
			      strerror(errno));
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "vmlinuz-", 8) != 0 || !e->d_name[8])
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		names[count++] = strdup(e->d_name + 8);
	}
	closedir(d);
	int r = 0;
	if (!count)
		r = vb_err(-ENOENT,
			   "no kernel /boot/vmlinuz-* on this host; install one "
			   "(Debian: apt-get install linux-image-amd64) or pass --kernel PATH");
	else {
		qsort(names, count, sizeof(*names), version_cmp);
		snprintf(buf, n, "/boot/vmlinuz-%s", names[count - 1]);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return r;
}

int guest_kernel_find(const char *path, struct guest_kernel *k)
{
	memset(k, 0, sizeof(*k));
	int r;
	if (path && *path)
		snprintf(k->path, sizeof(k->path), "%s", path);
	else if ((r = kernel_newest(k->path, sizeof(k->path))) < 0)
		return r;
	if (access(k->path, R_OK) < 0) {
		int e = errno;
		if (e == EACCES)
			return vb_err(
			    -e,
			    "cannot read the kernel '%s': permission denied (some "
			    "distributions make kernels root-only: 'sudo chmod 0644 %s', or "
			    "pass a readable copy with --kernel)",
			    k->path, k->path);
		return vb_err(-e, "cannot read the kernel '%s': %s", k->path, strerror(e));
	}
	unsigned char *b;
	size_t len;
	if ((r = guest_read_file(k->path, &b, &len)) < 0)
		return r;
	struct guest_bzimage h;
	if (len >= 4 && !memcmp(b,
				"\x7f"
				"ELF",
				4)) {
		k->is_elf = 1;
		elf_version(b, len, k->version, sizeof(k->version));
	} else if (len < 0x250 || memcmp(b + 0x202, "HdrS", 4) != 0) {
		free(b);
		return vb_err(-EINVAL, "'%s' is neither a bzImage nor an ELF vmlinux", k->path);
	} else if ((r = guest_bzimage_parse(b, len, &h)) < 0) {
		free(b);
		return r;
	} else {
		snprintf(k->version, sizeof(k->version), "%s", h.version);
	}
	free(b);
	if (!k->version[0]) {
		const char *base = strrchr(k->path, '/');
		base = base ? base + 1 : k->path;
		if (!strncmp(base, "vmlinuz-", 8) || !strncmp(base, "vmlinux-", 8))
			snprintf(k->version, sizeof(k->version), "%s", base + 8);
	}
	if (!k->version[0])
		return vb_err(-EINVAL,
			      "cannot tell the version of the kernel '%s' (no version "
			      "string, and its name is not vmlinuz-VERSION)",
			      k->path);
	char dir[PATH_MAX];
	struct stat st;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", k->version);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		snprintf(k->modules_dir, sizeof(k->modules_dir), "%s", dir);
	return 0;
}
