/* guest=cloud: the image check, the NoCloud seed read back with libarchive
 * (names, contents, the agent's mode, the volume label), the user-data, the
 * console marks of a boot that stops half way, and the boot phases placed
 * on the host's clock. (QEMU's arguments: tests/unit/test_qemu_argv.c,
 * golden files tests/golden/qemu/cloud-*.args.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/cloud.h"
#include "guest/guest.h"
#include "qemu/qemu.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/units.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vb-cloud-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_image_check(void **state)
{
	(void)state;
	char path[PATH_MAX];
	const char *fmt = NULL;
	vb_err_set_quiet(1);

	snprintf(path, sizeof(path), "%s/missing.qcow2", tmpdir);
	assert_int_equal(cloud_image_check(path, &fmt), -ENOENT);
	assert_non_null(strstr(vb_errmsg(), "No such file or directory"));
	assert_non_null(strstr(vb_errmsg(), "scripts/cloud-image.sh"));

	snprintf(path, sizeof(path), "%s/notes.txt", tmpdir);
	char text[2048];
	memset(text, 'x', sizeof(text));
	write_bytes(path, text, sizeof(text));
	assert_int_equal(cloud_image_check(path, &fmt), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "is not a disk image"));
	assert_null(fmt);

	assert_int_equal(cloud_image_check(tmpdir, &fmt), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "not a file or a block device"));
	assert_int_equal(cloud_image_check("", &fmt), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "needs cloud-image=PATH"));

	unsigned char disk[1024] = {0};
	memcpy(disk, "QFI\xfb\0\0\0\3", 8);
	snprintf(path, sizeof(path), "%s/a.qcow2", tmpdir);
	write_bytes(path, disk, sizeof(disk));
	assert_int_equal(cloud_image_check(path, &fmt), 0);
	assert_string_equal(fmt, "qcow2");

	memset(disk, 0, sizeof(disk));
	disk[510] = 0x55;
	disk[511] = 0xaa;
	snprintf(path, sizeof(path), "%s/a.raw", tmpdir);
	write_bytes(path, disk, sizeof(disk));
	assert_int_equal(cloud_image_check(path, &fmt), 0);
	assert_string_equal(fmt, "raw");
	vb_err_set_quiet(0);
}

static void test_user_data(void **state)
{
	(void)state;
	char *u = cloud_user_data("/var/tmp/vmbench", NULL);
	assert_non_null(u);
	assert_int_equal(strncmp(u, "#cloud-config\n", 14), 0);
	/* the agent: off the seed by its label, started after cloud-init, on
	 * the port; no SSH, no password, no network */
	assert_non_null(strstr(u, "mount -o ro LABEL=cidata /run/vmbench/seed"));
	/* not under /run: Debian's initramfs mounts it noexec */
	assert_non_null(
	    strstr(u, "cp /run/vmbench/seed/vmbench-agent /var/lib/vmbench/vmbench-agent"));
	assert_non_null(strstr(u, "/var/lib/vmbench/vmbench-agent, --cloud-guest"));
	assert_non_null(strstr(u, "systemd-run, --no-block, --unit=vmbench-agent"));
	assert_non_null(strstr(u, "--cloud-guest, --workdir, /var/tmp/vmbench, --port, "
				  "/dev/virtio-ports/org.vmbench.agent]"));
	assert_non_null(strstr(u, "cloud_final_modules: [final_message]"));
	assert_null(strstr(u, "ssh_authorized_keys"));
	assert_null(strstr(u, "passwd"));
	assert_null(strstr(u, "--net"));
	free(u);
	/* with a test network the agent sets the NIC's address itself, the
	 * spec quoted (its colons are YAML's otherwise) */
	u = cloud_user_data("/var/tmp/vmbench", "10.77.0.2/24,mac=52:54:00:76:62:01,mtu=9000");
	assert_non_null(strstr(u, "--workdir, /var/tmp/vmbench, --net, "
				  "'10.77.0.2/24,mac=52:54:00:76:62:01,mtu=9000', --port, "
				  "/dev/virtio-ports/org.vmbench.agent]"));
	free(u);
	/* and cloud-init writes no network configuration (no DHCP fallback) */
	assert_non_null(strstr(cloud_network_config(), "\nconfig: disabled\n"));
	char *m = cloud_meta_data("v1");
	assert_string_equal(m, "instance-id: vmbench-v1\nlocal-hostname: vmbench-v1\n");
	free(m);
}

/* The seed read back: what NoCloud and the user-data need. */
static void test_seed_iso(void **state)
{
	(void)state;
	char agent[PATH_MAX], iso[PATH_MAX];
	snprintf(agent, sizeof(agent), "%s/agent", tmpdir);
	snprintf(iso, sizeof(iso), "%s/seed.iso", tmpdir);
	unsigned char bin[70000];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + 3);
	write_bytes(agent, bin, sizeof(bin));
	const char *net = "10.77.0.2/24,mac=52:54:00:76:62:01";
	assert_int_equal(cloud_seed_write(iso, "v1", "/var/tmp/vmbench", agent, net), 0);

	/* ISO 9660's primary volume descriptor at sector 16: the volume
	 * identifier (bytes 40-71, padded with spaces, d-characters: upper
	 * case) is the label; blkid reports Joliet's "cidata", and NoCloud
	 * looks for both cases */
	int fd = open(iso, O_RDONLY);
	assert_true(fd >= 0);
	char pvd[2048];
	assert_int_equal(pread(fd, pvd, sizeof(pvd), 16 * 2048), sizeof(pvd));
	close(fd);
	assert_int_equal(pvd[0], 1);
	assert_memory_equal(pvd + 1, "CD001", 5);
	assert_memory_equal(pvd + 40, "CIDATA ", 7);

	struct archive *a = archive_read_new();
	archive_read_support_format_iso9660(a);
	assert_int_equal(archive_read_open_filename(a, iso, 10240), ARCHIVE_OK);
	struct archive_entry *e;
	int seen = 0;
	char *want_user = cloud_user_data("/var/tmp/vmbench", net);
	char *want_meta = cloud_meta_data("v1");
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		size_t size = (size_t)archive_entry_size(e);
		char *data = malloc(size + 1);
		assert_int_equal(archive_read_data(a, data, size), (la_ssize_t)size);
		data[size] = '\0';
		if (!strcmp(name, "user-data")) {
			assert_string_equal(data, want_user);
			seen |= 1;
		} else if (!strcmp(name, "meta-data")) {
			assert_string_equal(data, want_meta);
			seen |= 2;
		} else if (!strcmp(name, "vmbench-agent")) {
			assert_int_equal(size, sizeof(bin));
			assert_memory_equal(data, bin, sizeof(bin));
			assert_int_equal(archive_entry_perm(e) & 0777, 0755);
			seen |= 4;
		} else if (!strcmp(name, "network-config")) {
			assert_string_equal(data, cloud_network_config());
			seen |= 8;
		}
		free(data);
	}
	archive_read_free(a);
	free(want_user);
	free(want_meta);
	assert_int_equal(seen, 15);

	/* an agent that cannot be read leaves no half-written seed */
	vb_err_set_quiet(1);
	snprintf(agent, sizeof(agent), "%s/no-agent", tmpdir);
	assert_true(cloud_seed_write(iso, "v1", "/var/tmp/vmbench", agent, NULL) < 0);
	vb_err_set_quiet(0);
}

/* A "QEMU" that runs script (sh, the console log as $1) in the cloud
 * guest's VM directory tmpdir/sub, waited for up to wait_ms. */
static int fake_boot(struct qemu_vm *vm, const char *sub, const char *script, int64_t wait_ms,
		     char *why, size_t n)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, sub);
	assert_int_equal(qemu_vm_init(vm, dir), 0);
	struct qemu_opts o;
	memset(&o, 0, sizeof(o));
	qemu_cloud_marks(&o, vm);
	struct cmd *c = cmd_new("sh");
	cmd_args(c, "-c", script, "sh", vm->console, NULL);
	assert_int_equal(qemu_vm_spawn(vm, c), 0);
	cmd_free(c);
	return qemu_vm_wait_hello(vm, vm->t_spawn + wait_ms * 1000000LL, 0, why, n);
}

/* A boot that reaches systemd and stops: the timeout names the phase. */
static void test_marks_timeout(void **state)
{
	(void)state;
	struct qemu_vm vm;
	char why[800];
	int r =
	    fake_boot(&vm, "vm",
		      "printf 'SYSLINUX 6.04 Copyright\\n' >>$1; sleep 0.1;"
		      "printf '[    0.000000] Linux version 6.1.0-57-cloud-amd64\\n' >>$1;"
		      "sleep 0.1;"
		      "printf '\\033[1mWelcome to \\033[1;31mDebian GNU/Linux 12\\033[0m!\\r\\n'"
		      " >>$1; printf 'Cloud-init v. 22.4.2 running modules:final at x' >>$1;"
		      "exec sleep 30",
		      1500, why, sizeof(why));
	assert_int_equal(r, -ETIMEDOUT);
	if (!strstr(why, "the last boot phase seen on the console: userspace at "))
		print_error("why: %s\n", why);
	assert_non_null(strstr(why, "the last boot phase seen on the console: userspace at "));
	assert_non_null(strstr(why, "Welcome to"));
	const struct qemu_vm_mark *m = qemu_vm_last_mark(&vm);
	assert_non_null(m);
	assert_string_equal(m->phase, "userspace");
	/* an unfinished line is not a finished cloud-init */
	json_t *boot = json_object();
	qemu_cloud_phases(&vm, boot);
	json_t *con = json_object_get(boot, "console_s");
	assert_true(json_is_number(json_object_get(con, "bootloader")));
	assert_true(json_is_number(json_object_get(con, "kernel")));
	assert_true(json_number_value(json_object_get(con, "kernel")) >=
		    json_number_value(json_object_get(con, "bootloader")));
	assert_true(json_is_null(json_object_get(con, "cloud-init")));
	json_decref(boot);
	qemu_vm_stop(&vm, 0);
}

/* A kernel that panics in early boot (before its pvpanic driver loads)
 * ends the wait at once, with its line. */
static void test_marks_panic(void **state)
{
	(void)state;
	struct qemu_vm vm;
	char why[800];
	int r = fake_boot(&vm, "vmp",
			  "printf '[    0.000000] Linux version 6.1\\n' >>$1;"
			  "printf '[    0.064000] Kernel panic - not syncing: IO-APIC + timer "
			  "does not work\\n' >>$1; exec sleep 30",
			  20000, why, sizeof(why));
	if (r != -EFAULT)
		print_error("got %d: %s\n", r, why);
	assert_int_equal(r, -EFAULT);
	assert_true(vb_now_ns() - vm.t_spawn < 10 * VB_NSEC_PER_SEC);
	assert_non_null(strstr(why, "the guest's kernel panicked at "));
	assert_non_null(strstr(why, "IO-APIC + timer does not work"));
	assert_string_equal(qemu_vm_last_mark(&vm)->phase, "kernel");
	qemu_vm_stop(&vm, 0);
}

/* The guest's clock placed on the host's by the hello where the console
 * showed nothing; the console's lines where it did. */
static void test_phases(void **state)
{
	(void)state;
	struct qemu_vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.t_spawn = 1000 * VB_NSEC_PER_SEC;
	vm.t_hello = vm.t_spawn + 100 * VB_NSEC_PER_SEC; /* agent ready at 100 s */
	qemu_vm_mark(&vm, "bootloader", "*SYSLINUX*");
	vm.marks[0].t = vm.t_spawn + 2 * VB_NSEC_PER_SEC;
	vm.hello = json_pack("{s:s,s:{s:s,s:{s:s,s:s},s:{s:f,s:f,s:f,s:f}}}", "type", "hello",
			     "facts", "kernel", "6.1.0-57-cloud-amd64", "os", "distro",
			     "Debian GNU/Linux 12 (bookworm)", "cloud_init", "22.4.2", "boot",
			     "kernel_done_s", 10.0, "userspace_s", 20.0, "cloud_init_s", 80.0,
			     "hello_s", 95.0);
	json_t *boot = json_object();
	qemu_cloud_phases(&vm, boot);
	json_t *ph = json_object_get(boot, "phases");
	/* the kernel started at 100 - 95 = 5 s after QEMU */
	assert_float_equal(json_number_value(json_object_get(ph, "firmware_s")), 2.0, 1e-9);
	assert_float_equal(json_number_value(json_object_get(ph, "kernel_s")), 5.0, 1e-9);
	assert_float_equal(json_number_value(json_object_get(ph, "userspace_s")), 25.0, 1e-9);
	assert_float_equal(json_number_value(json_object_get(ph, "cloud_init_s")), 85.0, 1e-9);
	assert_float_equal(json_number_value(json_object_get(ph, "agent_s")), 100.0, 1e-9);
	json_t *os = qemu_cloud_guest_facts(&vm);
	assert_string_equal(json_string_value(json_object_get(os, "kernel")),
			    "6.1.0-57-cloud-amd64");
	assert_string_equal(json_string_value(json_object_get(os, "cloud_init")), "22.4.2");
	json_decref(os);
	json_decref(boot);
	/* a line the console showed wins over the guest's (drifting) clock */
	qemu_vm_mark(&vm, "userspace", "*Welcome to *");
	vm.marks[1].t = vm.t_spawn + 30 * VB_NSEC_PER_SEC;
	boot = json_object();
	qemu_cloud_phases(&vm, boot);
	ph = json_object_get(boot, "phases");
	assert_float_equal(json_number_value(json_object_get(ph, "userspace_s")), 30.0, 1e-9);
	assert_float_equal(json_number_value(json_object_get(ph, "kernel_s")), 5.0, 1e-9);
	json_decref(boot);
	json_decref(vm.hello);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_image_check), cmocka_unit_test(test_user_data),
	    cmocka_unit_test(test_seed_iso),	cmocka_unit_test(test_marks_timeout),
	    cmocka_unit_test(test_marks_panic), cmocka_unit_test(test_phases),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
