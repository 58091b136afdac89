/* qemu/argv: the QEMU command line of each knob and combination against
 * golden files (tests/golden/qemu/NAME.args, one cmd_render() line each),
 * and every combination qemu_check() refuses, with its message.
 *
 *   VB_REGEN_GOLDEN=1 build/tests/test_qemu_argv    rewrites the golden files;
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
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "qemu/qemu.h"
#include "telemetry/telemetry.h"
#include "util/err.h"
#include "util/timeutil.h"

#define HP_2M (2ull << 20)

static char golden_dir[PATH_MAX];

static void find_golden_dir(void)
{
	golden_find_dir(golden_dir, sizeof(golden_dir), __FILE__, "qemu", NULL);
}

static int regen(void)
{
	return golden_regen();
}

/* Options as a plan would give them: the table's defaults, then "k=v,...",
 * or "k=v|k=v" when a value holds commas (a CPU list). */
static void opts_from(struct qemu_opts *o, const char *set)
{
	memset(o, 0, sizeof(*o));
	assert_int_equal(opt_defaults(qemu_options, o), 0);
	if (!set || !*set)
		return;
	if (!strchr(set, '|')) {
		assert_int_equal(opt_set_list(qemu_options, o, "test", set), 0);
		return;
	}
	char copy[256], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", set);
	for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(t, '=');
		assert_non_null(eq);
		*eq = '\0';
		assert_int_equal(opt_set(qemu_options, o, "test", t, eq + 1), 0);
	}
}

/* The runtime a variant named "v" gets in /var/tmp/vmbench/qemu-v under TCG
 * with a PVH guest (microvm) or a bzImage (pc, q35). */
static struct qemu_runtime rt_for(const struct qemu_opts *o)
{
	int pvh = qemu_wants_pvh(o);
	struct qemu_runtime rt = {
	    .name = "v",
	    .accel = QEMU_ACCEL_TCG,
	    .kernel = pvh ? "/root/.cache/vmbench/guest-0123/vmlinux"
			  : "/root/.cache/vmbench/guest-4567/bzImage",
	    .initrd = pvh ? "/root/.cache/vmbench/guest-0123/initrd.cpio"
			  : "/root/.cache/vmbench/guest-4567/initrd.cpio",
	    .pvh = pvh,
	    .agent_socket = "/var/tmp/vmbench/qemu-v/agent.sock",
	    .qmp_socket = "/var/tmp/vmbench/qemu-v/qmp.sock",
	    .console_log = "/var/tmp/vmbench/qemu-v/console.log",
	    .tsc_khz = pvh ? 2600000 : 0,
	};
	if (o->disk.kind != DISK_NONE) {
		rt.disk_path = o->disk.kind == DISK_BLOCKDEV ? "/dev/loop7"
			       : o->disk.format == DISK_FMT_QCOW2
				   ? "/var/tmp/vmbench/qemu-v/disk.qcow2"
				   : "/var/tmp/vmbench/qemu-v/disk.raw";
		rt.disk_format = disk_format_names[o->disk.format];
		rt.disk_is_blockdev = o->disk.kind == DISK_BLOCKDEV;
	}
	if (o->hugepages)
		rt.hugepage_dir = "/var/tmp/vmbench/qemu-v/hugetlbfs.Ab12Cd";
	if (o->guest == QEMU_GUEST_CLOUD) {
		rt.kernel = rt.initrd = NULL;
		rt.root_path = "/var/tmp/vmbench/qemu-v/vbroot.qcow2";
		rt.seed_path = "/var/tmp/vmbench/qemu-v/seed.iso";
		if (o->firmware == QEMU_FW_UEFI) {
			rt.ovmf_code = QEMU_OVMF_CODE;
			rt.ovmf_vars = "/var/tmp/vmbench/qemu-v/ovmf-vars.fd";
		}
	}
	return rt;
}

struct gcase {
	const char *name;
	const char *set;
	int kvm;
	const char *cpus; /* resolved pinning */
};

static const struct gcase cases[] = {
    {"microvm-default", "", 0, NULL},
    {"microvm-disk-raw", "disk=file,format=raw,size=256M", 0, NULL},
    {"pc-bzimage", "machine=pc,disk=file", 0, NULL},
    {"q35", "machine=q35,disk=file", 0, NULL},
    {"kvm", "accel=kvm,disk=file", 1, NULL},
    {"kvm-q35-cpu-model", "machine=q35,accel=kvm,cpu=Skylake-Server", 1, NULL},
    {"smp-mem", "smp=2,mem=2G", 0, NULL},
    {"bus-virtio-blk", "disk=file,bus=virtio-blk", 0, NULL},
    {"bus-virtio-scsi", "disk=file,bus=virtio-scsi", 0, NULL},
    {"bus-virtio-scsi-q35", "machine=q35,disk=file,bus=virtio-scsi", 0, NULL},
    {"bus-nvme", "disk=file,bus=nvme", 0, NULL},
    {"bus-nvme-q35", "machine=q35,disk=file,bus=nvme", 0, NULL},
    {"bus-ide-pc", "machine=pc,disk=file,bus=ide", 0, NULL},
    {"bus-ide-q35", "machine=q35,disk=file,bus=ide", 0, NULL},
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
    {"iothread-poll-max-ns", "machine=q35,disk=file,iothread=on,iothread-poll-max-ns=0", 0,
     NULL},
    {"qcow2-cluster-l2", "machine=q35,disk=file,format=qcow2,cluster-size=2M,l2-cache-size=8M",
     0, NULL},
    {"scheduler-kyber", "machine=q35,disk=file,scheduler=kyber", 0, NULL},
    {"scheduler-none-serial", "disk=file,serial=data-1,scheduler=none", 0, NULL},
    {"nvme-num-queues", "machine=q35,disk=file,bus=nvme,num-queues=4", 0, NULL},
    {"qcow2-l2-cache-size", "disk=file,format=qcow2,l2-cache-size=4M", 0, NULL},
    {"blockdev", "disk=blockdev,device=/dev/loop7,cache=none,aio=native", 0, NULL},
    {"serial", "disk=file,serial=data-1", 0, NULL},
    {"hugepages", "mem=1G,hugepages=on", 0, NULL},
    {"hugepages-prealloc", "mem=1G,hugepages=on,mem-prealloc=on", 0, NULL},
    {"mem-prealloc", "mem-prealloc=on", 0, NULL},
    {"numa-node", "numa-node=0", 0, "0-1"},
    {"pinning", "smp=2|cpus=2-3,5", 0, "2-3,5"},
    {"pinning-kvm", "smp=2,cpus=0-1,accel=kvm", 1, "0-1"},
    {"extra", "", 0, NULL}, /* extra-device / extra-object: set below */
};

static char *build_case(const struct gcase *gc)
{
	struct qemu_opts o;
	opts_from(&o, gc->set);
	if (strcmp(gc->name, "extra") == 0) {
		/* commas inside the values: not expressible in a k=v,... list */
		assert_int_equal(opt_set(qemu_options, &o, "test", "extra-object",
					 "rng-random,id=rng0,filename=/dev/urandom"),
				 0);
		assert_int_equal(opt_set(qemu_options, &o, "test", "extra-device",
					 "virtio-rng-device,rng=rng0; virtio-balloon-device"),
				 0);
	}
	assert_int_equal(qemu_check(&o, HP_2M), 0);
	struct qemu_runtime rt = rt_for(&o);
	if (gc->kvm) {
		rt.accel = QEMU_ACCEL_KVM;
		rt.tsc_khz = 0;
	}
	rt.cpus = gc->cpus;
	struct cmd *c = qemu_cmd_new(&rt);
	qemu_build(&o, &rt, c);
	char *s = cmd_render(c);
	cmd_free(c);
	assert_non_null(s);
	return s;
}

/* The guest's network: every netdev / nic / vhost / queues / mtu knob. */
static const struct gcase net_cases[] = {
    {"net-user", "netdev=user", 0, NULL},
    {"net-user-hostfwd", "netdev=user|hostfwd=5201,8080,9000", 0, NULL},
    {"net-tap", "netdev=tap", 0, NULL},
    {"net-tap-q35", "machine=q35,netdev=tap", 0, NULL},
    {"net-tap-vhost", "netdev=tap,vhost=on", 0, NULL},
    {"net-tap-queues", "machine=q35,smp=2,netdev=tap,vhost=on,queues=2", 0, NULL},
    {"net-tap-queues-microvm", "smp=2,netdev=tap,queues=2", 0, NULL},
    {"net-tap-mtu", "netdev=tap,mtu=9000", 0, NULL},
    {"net-e1000-pc", "machine=pc,netdev=tap,nic=e1000", 0, NULL},
    {"net-e1000-user-q35", "machine=q35,netdev=user,nic=e1000", 0, NULL},
};

/* guest=cloud: firmware, the root overlay with the disk knobs, the seed. */
#define CLOUD "guest=cloud,cloud-image=/img/debian.qcow2,"
static const struct gcase cloud_cases[] = {
    {"cloud-bios-q35", CLOUD "machine=q35", 0, NULL},
    {"cloud-uefi-q35", CLOUD "machine=q35,firmware=uefi", 0, NULL},
    {"cloud-bios-pc-data-disk", CLOUD "machine=pc,disk=file,format=qcow2", 0, NULL},
    {"cloud-uefi-pc", CLOUD "machine=pc,firmware=uefi,smp=2,mem=1G", 0, NULL},
    {"cloud-virtio-scsi-iothread", CLOUD "machine=q35,bus=virtio-scsi,iothread=on,disk=file", 0,
     NULL},
    {"cloud-nvme-cache-none", CLOUD "machine=q35,bus=nvme,cache=none,aio=native", 0, NULL},
    {"cloud-ide-q35", CLOUD "machine=q35,bus=ide,disk=file", 0, NULL},
    {"cloud-kvm", CLOUD "machine=q35,accel=kvm", 1, NULL},
    /* the network knobs as with the built-in guest: the same -netdev and
     * NIC (the agent gets the address through the seed, not -append) */
    {"cloud-net-tap-q35", CLOUD "machine=q35,smp=2,netdev=tap,queues=2,mtu=9000", 0, NULL},
    {"cloud-net-user-e1000-pc", CLOUD "machine=pc,netdev=user,nic=e1000", 0, NULL},
};

static int golden_cases(const struct gcase *cs, size_t ncases)
{
	int bad = 0;
	for (size_t i = 0; i < ncases; i++) {
		const struct gcase *cases = cs;
		char *got = build_case(&cases[i]);
		char path[PATH_MAX + 64];
		snprintf(path, sizeof(path), "%s/%s.args", golden_dir, cases[i].name);
		if (regen()) {
			FILE *f = fopen(path, "w");
			assert_non_null(f);
			fprintf(f, "%s\n", got);
			fclose(f);
			free(got);
			continue;
		}
		char want[8192] = "";
		FILE *f = fopen(path, "r");
		if (f) {
			size_t n = fread(want, 1, sizeof(want) - 1, f);
			want[n] = '\0';
			fclose(f);
			want[strcspn(want, "\n")] = '\0';
		}
		if (strcmp(got, want) != 0) {
			print_error(
			    "golden %s differs (VB_REGEN_GOLDEN=1 rewrites it):\n got:  %s\n "
			    "want: %s\n",
			    path, got, f ? want : "(no such file)");
			bad++;
		}
		free(got);
	}
	return bad;
}

static void test_golden(void **state)
{
	(void)state;
	assert_int_equal(golden_cases(cases, sizeof(cases) / sizeof(cases[0])), 0);
}

static void test_cloud_golden(void **state)
{
	(void)state;
	assert_int_equal(
	    golden_cases(cloud_cases, sizeof(cloud_cases) / sizeof(cloud_cases[0])), 0);
	/* what a careless regeneration could lose: no -kernel, the root disk
	 * boots first, the seed is read-only, UEFI's variables are the copy */
	char *s = build_case(&cloud_cases[1]);
	assert_null(strstr(s, "-kernel"));
	assert_non_null(strstr(s, "bootindex=1"));
	assert_non_null(strstr(s, "filename=/var/tmp/vmbench/qemu-v/seed.iso,read-only=on"));
	assert_non_null(strstr(s, "if=pflash,format=raw,unit=0,readonly=on,file=" QEMU_OVMF_CODE));
	assert_non_null(strstr(s, "unit=1,file=/var/tmp/vmbench/qemu-v/ovmf-vars.fd"));
	free(s);
	s = build_case(&cloud_cases[2]); /* both disks: their own names */
	assert_non_null(strstr(s, "node-name=vbroot,"));
	assert_non_null(strstr(s, "node-name=vbdisk,"));
	assert_null(strstr(s, "pflash"));
	free(s);
}

static void test_net_golden(void **state)
{
	(void)state;
	assert_int_equal(golden_cases(net_cases, sizeof(net_cases) / sizeof(net_cases[0])), 0);
	/* what the files show and a careless regeneration could lose */
	char *s = build_case(&net_cases[4]); /* tap, vhost */
	assert_non_null(strstr(s, "-netdev tap,id=vbnet0,ifname=vbtap0,script=no,downscript=no,"
				  "vhost=on"));
	assert_non_null(strstr(s, "-device virtio-net-device,netdev=vbnet0"));
	assert_non_null(strstr(s, "vmbench.net=10.77.0.2/24"));
	free(s);
	s = build_case(&net_cases[1]); /* user: each port TCP and UDP, nothing routed out */
	assert_non_null(strstr(s, "restrict=on"));
	assert_non_null(strstr(s, "hostfwd=tcp:127.0.0.1:9000-10.0.2.15:9000"));
	assert_non_null(strstr(s, "hostfwd=udp:127.0.0.1:9000-10.0.2.15:9000"));
	assert_non_null(strstr(s, "vmbench.net=10.0.2.15/24"));
	free(s);
	s = build_case(&net_cases[5]); /* queues: MSI-X vectors 2N+2 */
	assert_non_null(strstr(s, "queues=2"));
	assert_non_null(strstr(s, "virtio-net-pci,netdev=vbnet0,mac=52:54:00:76:62:01,mq=on,"
				  "vectors=6"));
	free(s);
	s = build_case(&net_cases[7]); /* mtu: the NIC is told, the guest sets it */
	assert_non_null(strstr(s, "host_mtu=9000"));
	assert_non_null(strstr(s, "vmbench.net=10.77.0.2/24,mac=52:54:00:76:62:01,mtu=9000"));
	free(s);
	/* a cloud guest: the same NIC, no -append (its agent gets the spec
	 * through the seed's user-data, tests/unit/test_cloud.c) */
	s = build_case(&cloud_cases[sizeof(cloud_cases) / sizeof(cloud_cases[0]) - 2]);
	assert_non_null(strstr(s, "virtio-net-pci,netdev=vbnet0,mac=52:54:00:76:62:01,mq=on"));
	assert_null(strstr(s, "-append"));
	free(s);
	struct qemu_opts o;
	char spec[96];
	opts_from(&o, CLOUD "machine=q35,netdev=tap,mtu=9000");
	qemu_net_spec(&o, spec, sizeof(spec));
	assert_string_equal(spec, "10.77.0.2/24,mac=52:54:00:76:62:01,mtu=9000");
	opts_from(&o, CLOUD "machine=q35,netdev=user");
	qemu_net_spec(&o, spec, sizeof(spec));
	assert_string_equal(spec, "10.0.2.15/24,mac=52:54:00:76:62:01");
	opts_from(&o, CLOUD "machine=q35");
	assert_int_equal(qemu_net_spec(&o, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "");
	s = build_case(&cases[0]); /* netdev=none: no NIC, no address */
	assert_null(strstr(s, "-netdev"));
	assert_null(strstr(s, "vmbench.net"));
	free(s);
}

/* Properties of the argv that the golden files show but a regeneration
 * could silently lose. */
static void test_argv_facts(void **state)
{
	(void)state;
	struct gcase def = {"x", "disk=file", 0, NULL};
	char *s = build_case(&def);
	assert_non_null(strstr(s, "-machine microvm "));
	assert_non_null(strstr(s, "virtio-serial-device"));
	assert_non_null(strstr(s, "name=org.vmbench.agent"));
	assert_non_null(strstr(s, "tsc_early_khz=2600000"));
	assert_non_null(strstr(s, " tsc=reliable")); /* else TCG guests fall back to jiffies */
	assert_non_null(strstr(s, "debug-threads=on"));
	assert_non_null(strstr(s, "serial=vbdata"));
	assert_non_null(strstr(s, "server=on,wait=off"));
	free(s);
	struct gcase kvm = {"x", "accel=kvm", 1, NULL};
	s = build_case(&kvm);
	assert_non_null(strstr(s, "-accel kvm -cpu host "));
	assert_null(strstr(s, "tsc_early_khz"));
	assert_null(strstr(s, "tsc=reliable"));
	free(s);
	struct gcase pc = {"x", "machine=pc", 0, NULL};
	s = build_case(&pc);
	assert_non_null(strstr(s, "virtio-serial-pci"));
	assert_non_null(strstr(s, "/bzImage "));
	free(s);
}

static void test_escape_commas(void **state)
{
	(void)state;
	struct qemu_opts o;
	opts_from(&o, "disk=file");
	struct qemu_runtime rt = rt_for(&o);
	rt.disk_path = "/tmp/a,b/disk.raw";
	rt.console_log = "/tmp/a,b/console.log";
	struct cmd *c = qemu_cmd_new(&rt);
	qemu_build(&o, &rt, c);
	char *s = cmd_render(c);
	cmd_free(c);
	assert_non_null(strstr(s, "filename=/tmp/a,,b/disk.raw,"));
	assert_non_null(strstr(s, "path=/tmp/a,,b/console.log "));
	free(s);
}

struct bad {
	const char *set;
	uint64_t hp;
	const char *want; /* a part of the message */
};

static const struct bad bads[] = {
    {"disk=file,aio=native", HP_2M,
     "aio=native needs cache=none or cache=directsync, not cache=writeback (QEMU: "
     "aio=native was specified, but it requires cache.direct=on, which was not "
     "specified.)"},
    {"disk=file,aio=native,cache=writethrough", HP_2M, "not cache=writethrough"},
    {"disk=file,aio=native,cache=unsafe", HP_2M, "requires cache.direct=on"},
    {"machine=q35,disk=file,bus=nvme,iothread=on", HP_2M,
     "iothread=on needs bus=virtio-blk or bus=virtio-scsi, not bus=nvme (QEMU: Property "
     "'nvme.iothread' not found)"},
    {"machine=pc,disk=file,bus=ide,iothread=on", HP_2M, "Property 'ide-hd.iothread' not found"},
    {"machine=pc,disk=file,bus=ide,num-queues=2", HP_2M,
     "num-queues needs bus=virtio-blk, virtio-scsi or nvme"},
    {"disk=file,bus=ide", HP_2M,
     "bus=ide needs machine=pc (PIIX IDE) or machine=q35 (AHCI); microvm has no IDE "
     "controller (QEMU: Bus 'ide.0' not found)"},
    {"disk=file,format=raw,l2-cache-size=1M", HP_2M,
     "l2-cache-size applies to qcow2 images only, this disk is raw (QEMU: Parameter "
     "'l2-cache-size' is unexpected)"},
    {"l2-cache-size=1M", HP_2M, "l2-cache-size needs a qcow2 data disk"},
    {"disk=file,iothread-poll-max-ns=0", HP_2M, "iothread-poll-max-ns applies to an IOThread"},
    {"scheduler=bfq", HP_2M, "scheduler=bfq applies to the data disk; this variant has disk=none"},
    {"disk=file,serial=a:b,scheduler=kyber", HP_2M, "may not hold ' ' or ':'"},
    {"hugepages=on,mem=513M", HP_2M,
     "hugepages=on needs mem to be a multiple of the huge page size 2M; mem=513M is not"},
    {"hugepages=on,mem=1G", 1ull << 30, NULL}, /* 1G pages: fine */
    {"hugepages=on,mem=1536M", 1ull << 30, "multiple of the huge page size 1G"},
    {"hugepages=on", 0, "this kernel offers no huge pages"},
    {"cpus=3-1", HP_2M, "cpus='3-1' is not a CPU list"},
    {"cpus=0-", HP_2M, "is not a CPU list"},
    {"cpus=a", HP_2M, "is not a CPU list"},
    {"cpus=0,,1|smp=1", HP_2M, "is not a CPU list"},
    {"cpus=0-1,4|smp=2", HP_2M, NULL},
    {"disk=file,cache=none,aio=native", HP_2M, NULL},
    {"disk=file,cache=directsync,aio=native", HP_2M, NULL},
    {"aio=native", HP_2M, NULL}, /* no disk: nothing to refuse */
    {"netdev=tap,nic=e1000", HP_2M, "nic=e1000 is a PCI card: it needs machine=q35 or pc"},
    {"netdev=user,vhost=on", HP_2M, "vhost=on needs netdev=tap"},
    {"machine=q35,netdev=tap,nic=e1000,vhost=on", HP_2M, "vhost=on needs nic=virtio-net"},
    {"netdev=user,queues=2", HP_2M, "queues=2 needs netdev=tap and nic=virtio-net"},
    {"machine=pc,netdev=tap,nic=e1000,queues=2", HP_2M, "queues=2 needs netdev=tap"},
    {"netdev=user,mtu=9000", HP_2M, "mtu=9000 needs netdev=tap"},
    {"netdev=tap,mtu=60", HP_2M, "mtu=60: between 68"},
    {"netdev=tap,mtu=65535", HP_2M, "65521 (the largest a tap takes)"},
    {"vhost=on", HP_2M, "vhost=on needs a network: netdev=tap"},
    {"mtu=1400", HP_2M, "mtu needs a network"},
    {"netdev=user,hostfwd=http", HP_2M, "hostfwd='http': the ports to forward"},
    {"netdev=user,hostfwd=70000", HP_2M, "hostfwd='70000'"},
    {"netdev=user|hostfwd=5201,8080,5201", HP_2M, "lists port 5201 twice"},
    {"netdev=tap,vhost=on,queues=4,mtu=9000", HP_2M, NULL},
    {"guest=cloud", HP_2M, "guest=cloud needs machine=q35 or machine=pc"},
    {"guest=cloud,machine=q35", HP_2M, "guest=cloud needs cloud-image=PATH"},
    {"firmware=uefi", HP_2M, "firmware=uefi needs guest=cloud"},
    {"cloud-image=/x.qcow2", HP_2M, "cloud-image=/x.qcow2 needs guest=cloud"},
    {CLOUD "machine=q35,kernel=/boot/vmlinuz", HP_2M, "a cloud image boots its own kernel"},
    {CLOUD "machine=q35,netdev=user", HP_2M, NULL},
    {CLOUD "machine=q35,netdev=tap,nic=e1000,vhost=on", HP_2M, "vhost=on needs nic=virtio-net"},
    {CLOUD "machine=pc,firmware=uefi", HP_2M, NULL},
};

static void test_rejections(void **state)
{
	(void)state;
	vb_err_set_quiet(1);
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct qemu_opts o;
		opts_from(&o, bads[i].set);
		vb_errclear();
		int r = qemu_check(&o, bads[i].hp);
		if (!bads[i].want) {
			if (r != 0)
				print_error("'%s' was refused: %s\n", bads[i].set, vb_errmsg());
			assert_int_equal(r, 0);
			continue;
		}
		if (r != -EINVAL || !strstr(vb_errmsg(), bads[i].want))
			print_error("'%s': got %d '%s', want -EINVAL with '%s'\n", bads[i].set, r,
				    vb_errmsg(), bads[i].want);
		assert_int_equal(r, -EINVAL);
		assert_non_null(strstr(vb_errmsg(), bads[i].want));
	}
	vb_err_set_quiet(0);
}

static void test_modules(void **state)
{
	(void)state;
	static const struct {
		const char *set;
		const char *want;
	} m[] = {
	    {"", "virtio_mmio virtio_console pvpanic_mmio"},
	    {"disk=file", "virtio_mmio virtio_console pvpanic_mmio virtio_blk"},
	    {"machine=q35,disk=file", "virtio_pci virtio_console pvpanic_mmio virtio_blk"},
	    {"disk=file,bus=virtio-scsi",
	     "virtio_mmio virtio_console pvpanic_mmio virtio_scsi sd_mod"},
	    {"disk=file,bus=nvme", "virtio_mmio virtio_console pvpanic_mmio nvme"},
	    {"machine=pc,disk=file,bus=ide",
	     "virtio_pci virtio_console pvpanic_mmio ata_piix sd_mod"},
	    {"machine=q35,disk=file,bus=ide", "virtio_pci virtio_console pvpanic_mmio ahci sd_mod"},
	    {"netdev=user", "virtio_mmio virtio_console pvpanic_mmio virtio_net"},
	    {"machine=pc,netdev=tap,nic=e1000", "virtio_pci virtio_console pvpanic_mmio e1000"},
	    {"machine=q35,disk=file,netdev=tap",
	     "virtio_pci virtio_console pvpanic_mmio virtio_blk virtio_net"},
	    {"disk=file,scheduler=kyber", "virtio_mmio virtio_console pvpanic_mmio virtio_blk kyber-iosched"},
	    {"disk=file,scheduler=bfq", "virtio_mmio virtio_console pvpanic_mmio virtio_blk bfq"},
	    {"disk=file,scheduler=mq-deadline",
	     "virtio_mmio virtio_console pvpanic_mmio virtio_blk mq-deadline"},
	    {"disk=file,scheduler=none", "virtio_mmio virtio_console pvpanic_mmio virtio_blk"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct qemu_opts o;
		opts_from(&o, m[i].set);
		const char *mods[9];
		int n = qemu_guest_modules(&o, mods, 9);
		char got[256] = "";
		for (int k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "",
				 mods[k]);
		assert_null(mods[n]);
		assert_string_equal(got, m[i].want);
	}
}

static void test_cpulist(void **state)
{
	(void)state;
	unsigned char mask[64];
	int n = 0;
	assert_int_equal(qemu_cpulist_parse("0-2,5,7-7", mask, 64, &n), 0);
	assert_int_equal(n, 5);
	assert_true(mask[0] && mask[1] && mask[2] && !mask[3] && mask[5] && mask[7]);
	vb_err_set_quiet(1);
	assert_int_equal(qemu_cpulist_parse("64", mask, 64, &n), -EINVAL);
	assert_int_equal(qemu_cpulist_parse("", mask, 64, &n), -EINVAL);
	assert_int_equal(qemu_cpulist_parse("1,", mask, 64, &n), -EINVAL);
	vb_err_set_quiet(0);
}

static void test_thread_roles(void **state)
{
	(void)state;
	assert_int_equal(telemetry_qemu_role("CPU 0/TCG", 0), TEL_QEMU_VCPU);
	assert_int_equal(telemetry_qemu_role("CPU 11/KVM", 0), TEL_QEMU_VCPU);
	assert_int_equal(telemetry_qemu_role("IO vbio0", 0), TEL_QEMU_IOTHREAD);
	assert_int_equal(telemetry_qemu_role("qemu-system-x86", 1), TEL_QEMU_MAIN);
	assert_int_equal(telemetry_qemu_role("worker", 0), TEL_QEMU_OTHER);
	assert_int_equal(telemetry_qemu_role("call_rcu", 0), TEL_QEMU_OTHER);
	assert_int_equal(telemetry_qemu_role("CPUfreq", 0), TEL_QEMU_OTHER);
	/* this process is not a QEMU */
	uint64_t ticks[TEL_QEMU__ROLES];
	assert_int_equal(telemetry_qemu_threads(getpid(), ticks), 0);
}

static void test_file_tail(void **state)
{
	(void)state;
	char path[] = "/tmp/vb-tail-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	for (int i = 1; i <= 20; i++)
		fprintf(f, "line %d\r\n", i);
	fclose(f);
	char buf[256];
	qemu_file_tail(path, 3, buf, sizeof(buf));
	assert_string_equal(buf, "line 18 | line 19 | line 20");
	qemu_file_tail("/nonexistent/x", 3, buf, sizeof(buf));
	assert_string_equal(buf, "");
	unlink(path);
}

/* qemu_vm_wait_hello against stand-ins for QEMU (sh), without a guest. */
static int64_t vm_case(const char *script, int64_t wait_ms, int64_t console_ms, int want,
		       const char *want_why)
{
	char dir[] = "/tmp/vb-vm-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct qemu_vm vm;
	assert_int_equal(qemu_vm_init(&vm, dir), 0);
	struct cmd *c = cmd_new("sh");
	cmd_args(c, "-c", script, NULL);
	assert_int_equal(qemu_vm_spawn(&vm, c), 0);
	cmd_free(c);
	char why[600];
	int64_t t0 = vm.t_spawn;
	int r = qemu_vm_wait_hello(&vm, t0 + wait_ms * 1000000,
				   console_ms ? t0 + console_ms * 1000000 : 0, why, sizeof(why));
	int64_t took_ms = (vb_now_ns() - t0) / 1000000;
	if (r != want || !strstr(why, want_why))
		print_error("got %d '%s', want %d with '%s'\n", r, why, want, want_why);
	assert_int_equal(r, want);
	assert_non_null(strstr(why, want_why));
	pid_t pid = vm.proc.pid;
	qemu_vm_stop(&vm, 0);
	if (pid > 0) /* stopped: killed and reaped */
		assert_int_equal(kill(pid, 0), -1);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/qemu.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/console.log", dir);
	unlink(path);
	rmdir(dir);
	return took_ms;
}

static void test_vm_waits(void **state)
{
	(void)state;
	/* a KVM internal error pauses QEMU for good: noticed at once, not at the
	 * deadline */
	int64_t ms =
	    vm_case("printf 'KVM internal error. Suberror: 1\\nemulation failure\\n' >&2;"
		    " exec sleep 30",
		    20000, 0, -EFAULT,
		    "QEMU stopped the guest with 'KVM internal error. Suberror: 1' "
		    "(emulation failure)");
	assert_true(ms < 5000);
	/* QEMU refusing its command line */
	ms = vm_case("echo \"qemu-system-x86_64: -device nvme: No 'PCI' bus found\" >&2; exit 1",
		     20000, 0, -ECHILD,
		     "QEMU exited with code 1 before the agent said hello: qemu-system-x86_64: "
		     "-device nvme: No 'PCI' bus found");
	assert_true(ms < 5000);
	/* a silent console ends the wait at its own deadline */
	ms = vm_case("exec sleep 30", 20000, 300, -ETIMEDOUT,
		     "the guest printed nothing on its console within 300ms");
	assert_true(ms >= 300 && ms < 5000);
	/* the overall deadline */
	ms = vm_case("exec sleep 30", 400, 0, -ETIMEDOUT,
		     "the agent did not say hello within 400ms (the console stayed silent)");
	assert_true(ms >= 400 && ms < 5000);
}

int main(void)
{
	find_golden_dir();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_net_golden),	  cmocka_unit_test(test_cloud_golden),	  cmocka_unit_test(test_argv_facts),
	    cmocka_unit_test(test_escape_commas), cmocka_unit_test(test_rejections),
	    cmocka_unit_test(test_modules),	  cmocka_unit_test(test_cpulist),
	    cmocka_unit_test(test_thread_roles),  cmocka_unit_test(test_file_tail),
	    cmocka_unit_test(test_vm_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
