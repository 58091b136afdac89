/* qemu/domxml: the libvirt domain XML of each knob against golden files
 * (tests/golden/libvirt/NAME.xml), each golden checked by virt-xml-validate
 * (libvirt's own schema) when it is installed, and every knob the renderer
 * refuses, with its reason.
 *
 *   VB_REGEN_GOLDEN=1 build/tests/test_domxml    rewrites the golden files;
 *   review them with git diff before committing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "golden.h"
#include "qemu/domxml.h"
#include "util/err.h"

static char golden_dir[PATH_MAX];

static void find_golden_dir(void)
{
	golden_find_dir(golden_dir, sizeof(golden_dir), __FILE__, "libvirt", NULL);
}

static int regen(void)
{
	return golden_regen();
}

/* The table's defaults with machine=q35 (libvirt has no microvm), then
 * "k=v,..." or "k=v|k=v" when a value holds commas. */
static void opts_from(struct qemu_opts *o, const char *set)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(opt_defaults(qemu_options, o), 0);
	o->machine = QEMU_MACHINE_Q35;
	if (!set || !*set)
		return;
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", set);
	for (char *t = strtok_r(copy, strchr(set, '|') ? "|" : ",", &save); t;
	     t = strtok_r(NULL, strchr(set, '|') ? "|" : ",", &save)) {
		char *eq = strchr(t, '=');
		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(opt_set(qemu_options, o, "test", t, eq + 1), 0);
	}
}

struct gcase {
	const char *name;
	const char *set;
	int kvm;
	const char *cpus; /* resolved pinning */
};

#define CLOUD_IMG "/var/cache/vmbench/debian-bookworm-cloud.qcow2"

/* The knobs of the qemu target that libvirt can express, one golden each. */
static const struct gcase cases[] = {
    {"q35-default", "", 0, NULL},
    {"pc", "machine=pc,disk=file", 0, NULL},
    {"q35-disk-raw", "disk=file,format=raw,size=256M", 0, NULL},
    {"kvm", "accel=kvm,disk=file", 1, NULL},
    {"kvm-cpu-model", "accel=kvm,cpu=Skylake-Server", 1, NULL},
    {"smp-mem", "smp=2,mem=2G", 0, NULL},
    {"bus-virtio-blk", "disk=file,bus=virtio-blk", 0, NULL},
    {"bus-virtio-scsi", "disk=file,bus=virtio-scsi", 0, NULL},
    {"bus-ide-pc", "machine=pc,disk=file,bus=ide", 0, NULL},
    {"bus-ide-q35", "disk=file,bus=ide", 0, NULL},
    {"cache-none", "disk=file,cache=none", 0, NULL},
    {"cache-writeback", "disk=file,cache=writeback", 0, NULL},
    {"cache-writethrough", "disk=file,cache=writethrough", 0, NULL},
    {"cache-directsync", "disk=file,cache=directsync", 0, NULL},
    {"cache-unsafe", "disk=file,cache=unsafe", 0, NULL},
    {"aio-threads", "disk=file,aio=threads", 0, NULL},
    {"aio-native", "disk=file,cache=none,aio=native", 0, NULL},
    {"aio-io_uring", "disk=file,cache=none,aio=io_uring", 0, NULL},
    {"iothread-num-queues", "smp=2,disk=file,iothread=on,num-queues=2", 0, NULL},
    {"iothread-virtio-scsi", "disk=file,bus=virtio-scsi,iothread=on,num-queues=2", 0, NULL},
    {"qcow2-l2-cache-size", "disk=file,format=qcow2,l2-cache-size=4M", 0, NULL},
    {"blockdev", "disk=blockdev,device=/dev/loop7,cache=none,aio=native", 0, NULL},
    {"hugepages-prealloc", "mem=1G,hugepages=on,mem-prealloc=on", 0, NULL},
    {"numa-node", "numa-node=0", 0, "0-1"},
    {"pinning", "smp=2|cpus=2-3,5|disk=file|iothread=on", 0, "2-3,5"},
    {"pinning-kvm", "smp=2,cpus=0-1,accel=kvm", 1, "0-1"},
    /* guest=cloud: the firmware boots the overlay; the seed beside it */
    {"cloud-bios", "guest=cloud,cloud-image=" CLOUD_IMG, 0, NULL},
    {"cloud-uefi", "guest=cloud,cloud-image=" CLOUD_IMG ",firmware=uefi,smp=2,mem=1G", 0, NULL},
    {"cloud-virtio-scsi-data-disk",
     "guest=cloud,cloud-image=" CLOUD_IMG ",bus=virtio-scsi,iothread=on,disk=file", 0, NULL},
    {"cloud-virtio-blk-data-disk",
     "guest=cloud,cloud-image=" CLOUD_IMG ",disk=file,cache=none,aio=io_uring,iothread=on", 0,
     "0-1"},
    {"cloud-ide-pc", "guest=cloud,cloud-image=" CLOUD_IMG ",machine=pc,bus=ide,disk=file", 0, NULL},
    {"cloud-ide-q35-uefi-kvm",
     "guest=cloud,cloud-image=" CLOUD_IMG ",bus=ide,disk=file,firmware=uefi,accel=kvm", 1, NULL},
};

static char *render_case(const struct gcase *gc)
{
	struct qemu_opts o;
	opts_from(&o, gc->set);
	struct domxml_runtime rt = {
	    .name = "v",
	    .accel = gc->kvm ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG,
	    .kernel = "/root/.cache/vmbench/guest-4567/bzImage",
	    .initrd = "/root/.cache/vmbench/guest-4567/initrd.cpio",
	    .console_log = "/var/tmp/vmbench/libvirt-v/console.log",
	    .cpus = gc->cpus,
	};
	if (o.guest == QEMU_GUEST_CLOUD) {
		rt.root_path = "/var/tmp/vmbench/libvirt-v/vbroot.qcow2";
		rt.seed_path = "/var/tmp/vmbench/libvirt-v/seed.iso";
		rt.ovmf_vars = "/var/tmp/vmbench/libvirt-v/ovmf-vars.fd";
	}
	if (o.disk.kind != DISK_NONE) {
		rt.disk_path = o.disk.kind == DISK_BLOCKDEV ? "/dev/loop7"
			       : o.disk.format == DISK_FMT_QCOW2
				   ? "/var/tmp/vmbench/libvirt-v/disk.qcow2"
				   : "/var/tmp/vmbench/libvirt-v/disk.raw";
		rt.disk_format = disk_format_names[o.disk.format];
		rt.disk_is_blockdev = o.disk.kind == DISK_BLOCKDEV;
	}
	char *xml = NULL, err[512] = "";
	int r = domxml_render(&o, &rt, &xml, err, sizeof(err));
	if (r < 0)
		fail_msg("%s: %s", gc->name, err);
	return xml;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static void test_golden(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = render_case(&cases[i]);
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s/%s.xml", golden_dir, cases[i].name);
		if (regen()) {
			FILE *f = fopen(path, "w");
			assert_non_null(f);
			fputs(got, f);
			fclose(f);
		} else {
			char *want = slurp(path);
			if (!want || strcmp(want, got) != 0) {
				fprintf(stderr, "golden %s differs:\n--- want\n%s--- got\n%s", path,
					want ? want : "(missing)\n", got);
				bad++;
			}
			free(want);
		}
		free(got);
	}
	assert_int_equal(bad, 0);
}

/* libvirt's schema accepts every golden: virt-xml-validate FILE domain. */
static void test_validate(void **state)
{
	(void)state;
	if (access("/usr/bin/virt-xml-validate", X_OK) != 0)
		skip(); /* libvirt-clients is not installed */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[PATH_MAX + 64], cmd[PATH_MAX + 160];
		snprintf(path, sizeof(path), "%s/%s.xml", golden_dir, cases[i].name);
		snprintf(cmd, sizeof(cmd), "virt-xml-validate '%s' domain >/dev/null 2>&1", path);
		int st = system(cmd);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fail_msg("virt-xml-validate rejects %s (run: virt-xml-validate %s domain)",
				 path, path);
	}
}

/* The renderer's reading of the knobs, checked on the text itself (so that
 * a golden regenerated from a broken renderer does not pass unnoticed). */
static void test_knobs(void **state)
{
	(void)state;
	static const struct {
		const char *name, *needle;
	} want[] = {
	    {"kvm", "<domain type='kvm'>"},
	    {"kvm", "<cpu mode='host-passthrough' check='none'/>"},
	    {"q35-default", "<domain type='qemu'>"},
	    {"q35-default", "<cpu mode='maximum' check='none'/>"},
	    {"q35-default", "tsc=reliable"},
	    {"q35-default", "<target type='virtio' name='org.vmbench.agent'/>"},
	    {"q35-default", "<panic model='isa'/>"},
	    {"smp-mem", "<memory unit='KiB'>2097152</memory>"},
	    {"smp-mem", "<vcpu placement='static'>2</vcpu>"},
	    {"bus-virtio-scsi", "<target dev='sda' bus='scsi'/>"},
	    {"bus-ide-pc", "<target dev='hda' bus='ide'/>"},
	    {"bus-ide-q35", "<target dev='sda' bus='sata'/>"},
	    {"aio-native", "cache='none' io='native'"},
	    {"iothread-num-queues", "iothread='1' queues='2'"},
	    {"qcow2-l2-cache-size", "<max_size unit='bytes'>4194304</max_size>"},
	    {"blockdev", "<source dev='/dev/loop7'/>"},
	    {"hugepages-prealloc", "<hugepages/>"},
	    {"hugepages-prealloc", "<allocation mode='immediate'/>"},
	    {"numa-node", "<memory mode='strict' nodeset='0'/>"},
	    {"pinning", "<vcpupin vcpu='1' cpuset='3'/>"},
	    {"pinning", "<iothreadpin iothread='1' cpuset='2-3,5'/>"},
	    {"cloud-bios", "<source file='/var/tmp/vmbench/libvirt-v/vbroot.qcow2'/>"},
	    {"cloud-bios", "<driver name='qemu' type='qcow2'"},
	    {"cloud-bios", "<boot order='1'/>"},
	    {"cloud-bios", "<readonly/>\n      <serial>vbseed</serial>"},
	    {"cloud-uefi", "<loader readonly='yes' secure='no' type='pflash'>"
			   "/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"},
	    {"cloud-uefi", "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>"
			   "/var/tmp/vmbench/libvirt-v/ovmf-vars.fd</nvram>"},
	    {"cloud-virtio-scsi-data-disk", "<iothreads>2</iothreads>"},
	    {"cloud-virtio-blk-data-disk", "cache='none' io='io_uring' iothread='2'/>\n"
					   "      <source file='/var/tmp/vmbench/libvirt-v/vbroot"},
	    {"cloud-virtio-blk-data-disk", "<iothreadpin iothread='2' cpuset='0-1'/>"},
	    {"cloud-virtio-blk-data-disk", "<target dev='vdb' bus='virtio'/>\n"
					   "      <serial>vbdata</serial>"},
	    {"cloud-ide-pc", "<target dev='hdc' bus='ide'/>\n      <serial>vbroot</serial>"},
	    {"cloud-ide-pc", "<target dev='hda' bus='ide'/>\n      <serial>vbdata</serial>"},
	    {"cloud-ide-q35-uefi-kvm", "<target dev='sdb' bus='sata'/>\n      <serial>vbroot"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gcase *gc = NULL;
		for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			if (!strcmp(cases[j].name, want[i].name))
				gc = &cases[j];
		assert_non_null(gc);
		char *xml = render_case(gc);
		if (!strstr(xml, want[i].needle))
			fail_msg("%s: no \"%s\" in\n%s", gc->name, want[i].needle, xml);
		free(xml);
	}
	/* a cloud guest boots through its firmware: no direct kernel boot */
	for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
		if (strncmp(cases[j].name, "cloud-", 6) != 0)
			continue;
		char *xml = render_case(&cases[j]);
		if (strstr(xml, "<kernel>") || strstr(xml, "<cmdline>") || strstr(xml, "<initrd>"))
			fail_msg("%s: a direct kernel boot in\n%s", cases[j].name, xml);
		free(xml);
	}
}

/* What libvirt cannot express, or vmbench does not render yet: refused,
 * naming the knob and the way out. */
static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *set, *msg;
	} bad[] = {
	    {"machine=microvm", "machine=microvm cannot be expressed as a libvirt domain"},
	    {"disk=file,bus=nvme", "bus=nvme cannot be expressed"},
	    {"netdev=user", "netdev=user is not rendered to libvirt XML yet"},
	    {"netdev=tap", "netdev=tap is not rendered"},
	    {"extra-device=virtio-rng-pci", "extra-device and extra-object"},
	    {"disk=file,cache=writeback,aio=native", "aio=native needs cache=none"},
	    {"guest=cloud,cloud-image=" CLOUD_IMG ",bus=nvme",
	     "guest=cloud with bus=nvme: the root disk takes the variant's bus"},
	    {"guest=cloud", "guest=cloud needs cloud-image=PATH"},
	    {"guest=cloud,cloud-image=" CLOUD_IMG ",machine=microvm", "machine=microvm"},
	    {"firmware=uefi", "firmware=uefi needs guest=cloud"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct qemu_opts o;
		opts_from(&o, bad[i].set);
		char *xml = (char *)1, err[512] = "";
		int r = domxml_render(&o, NULL, &xml, err, sizeof(err));
		assert_int_equal(r, -EINVAL);
		assert_null(xml);
		if (!strstr(err, bad[i].msg))
			fail_msg("%s: got '%s', want '%s'", bad[i].set, err, bad[i].msg);
	}
}

/* A fragment without a host (what tune prints): placeholders, escaped names. */
static void test_fragment(void **state)
{
	(void)state;
	struct qemu_opts o;
	opts_from(&o, "disk=file,serial=a<b&c");
	char *xml = NULL, err[256];
	assert_int_equal(domxml_render(&o, NULL, &xml, err, sizeof(err)), 0);
	assert_non_null(strstr(xml, "<kernel>GUEST/bzImage</kernel>"));
	assert_non_null(strstr(xml, "<source file='DISK'/>"));
	assert_non_null(strstr(xml, "<serial>a&lt;b&amp;c</serial>"));
	free(xml);
	/* a cloud guest's: the overlay, the seed and UEFI's variables */
	opts_from(&o, "guest=cloud,cloud-image=" CLOUD_IMG ",firmware=uefi,disk=file");
	assert_int_equal(domxml_render(&o, NULL, &xml, err, sizeof(err)), 0);
	assert_non_null(strstr(xml, "<source file='ROOT'/>"));
	assert_non_null(strstr(xml, "<source file='SEED'/>"));
	assert_non_null(strstr(xml, ">VARS</nvram>"));
	assert_non_null(strstr(xml, "<source file='DISK'/>"));
	assert_null(strstr(xml, "GUEST/"));
	free(xml);
}

/* Every knob the renderer claims to know is a knob of the qemu target (a
 * knob it does not know is refused when a variant sets it). */
static void test_knob_list(void **state)
{
	(void)state;
	for (const char *const *k = domxml_knobs; *k; k++)
		if (!opt_find(qemu_options, *k))
			fail_msg("domxml_knobs names '%s', which qemu_options does not have", *k);
	/* the defaults render: no knob is refused merely by existing */
	struct qemu_opts o;
	opts_from(&o, "");
	assert_int_equal(domxml_check(&o), 0);
}

int main(void)
{
	find_golden_dir();
	vb_err_set_quiet(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),   cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_knobs),    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_fragment), cmocka_unit_test(test_knob_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
