/* The qemu target's pieces: its options, the argv builder (one small function
 * per knob, argv.c), the KVM probe (accel.c), booting a VM up to the agent's
 * hello and watching it after (vm.c, with the QMP client and event watch of
 * qmp.c) and huge page provisioning (hugepages.c). The target itself, which
 * ties them together, is src/targets/qemu.c.
 *
 * Adding a new QEMU knob:
 *   1. A member of struct qemu_opts and its entry in qemu_options[] (argv.c),
 *      named as QEMU names it.
 *   2. One qemu_arg_KNOB() that appends its arguments (or a line in the
 *      builder it belongs to), called from qemu_build(); every QEMU argument
 *      is built in exactly one place.
 *   3. The combinations QEMU would refuse go into qemu_check(), with QEMU's
 *      own reason, so that the variant fails before QEMU starts.
 *   4. A golden file tests/golden/qemu/NAME.args from a case in
 *      tests/unit/test_qemu_argv.c (VB_REGEN_GOLDEN=1 writes it; review the
 *      diff), and a test of each new rejection's message. */
#ifndef VB_QEMU_QEMU_H
#define VB_QEMU_QEMU_H

#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/option.h"
#include "disk/disk.h"
#include "qemu/qmp.h"
#include "util/cmd.h"
#include "util/journal.h"

#define QEMU_PROGRAM "qemu-system-x86_64"

enum { QEMU_MACHINE_MICROVM, QEMU_MACHINE_Q35, QEMU_MACHINE_PC };
enum { QEMU_ACCEL_AUTO, QEMU_ACCEL_KVM, QEMU_ACCEL_TCG };
enum { QEMU_BUS_VIRTIO_BLK, QEMU_BUS_VIRTIO_SCSI, QEMU_BUS_NVME, QEMU_BUS_IDE };
enum {
	QEMU_CACHE_NONE,
	QEMU_CACHE_WRITEBACK,
	QEMU_CACHE_WRITETHROUGH,
	QEMU_CACHE_DIRECTSYNC,
	QEMU_CACHE_UNSAFE
};
enum { QEMU_AIO_THREADS, QEMU_AIO_NATIVE, QEMU_AIO_IO_URING };

extern const char *const qemu_machine_names[]; /* microvm q35 pc */
extern const char *const qemu_accel_names[];   /* auto kvm tcg */
extern const char *const qemu_bus_names[];     /* virtio-blk virtio-scsi nvme ide */
extern const char *const qemu_cache_names[];   /* none writeback writethrough directsync unsafe */
extern const char *const qemu_aio_names[];     /* threads native io_uring */
enum { QEMU_SCHED_DEFAULT, QEMU_SCHED_NONE, QEMU_SCHED_MQ_DEADLINE, QEMU_SCHED_KYBER, QEMU_SCHED_BFQ };
extern const char *const qemu_sched_names[]; /* default none mq-deadline kyber bfq */

#define QEMU_EXTRA_MAX 1024

enum { QEMU_NETDEV_NONE, QEMU_NETDEV_USER, QEMU_NETDEV_TAP };
enum { QEMU_NIC_VIRTIO_NET, QEMU_NIC_E1000 };
extern const char *const qemu_netdev_names[]; /* none user tap */
extern const char *const qemu_nic_names[];    /* virtio-net e1000 */

/* The guest's network (argv_net.c). */
struct qemu_net_opts {
	int netdev;
	int nic;
	int vhost;
	int64_t queues;
	int64_t mtu;	   /* 0: the default (1500) */
	char hostfwd[256]; /* netdev=user: ports forwarded to the guest */
};

#define QEMU_NET_OPT_DEFS(ST, M)                                                               \
	OPT_ENUM("netdev", ST, M.netdev, "none", qemu_netdev_names,                            \
		 "the guest's network: none; user (QEMU's own, the hostfwd ports reach the "   \
		 "guest); tap (a tap on a bridge in the experiment's network namespace)"),      \
	    OPT_ENUM("nic", ST, M.nic, "virtio-net", qemu_nic_names,                           \
		     "the guest's network card: virtio-net, e1000 (q35, pc)"),                 \
	    OPT_BOOL("vhost", ST, M.vhost, "off",                                              \
		     "netdev=tap: move virtio-net's packets in the host kernel (vhost-net)"),  \
	    OPT_INT("queues", ST, M.queues, "1", 1, 64,                                        \
		    "netdev=tap, nic=virtio-net: queue pairs of a multi-queue tap and NIC"),   \
	    OPT_INT("mtu", ST, M.mtu, "0", 0, 65535,                                           \
		    "netdev=tap: MTU of the guest's NIC, the tap and the bridge (0: 1500)"),   \
	    OPT_STR("hostfwd", ST, M.hostfwd, "5201,8080",                                     \
		    "netdev=user: TCP and UDP ports forwarded from 127.0.0.1 in the client's " \
		    "namespace to the guest (in a plan file; --set lists split at commas)")

enum { QEMU_GUEST_BUILTIN, QEMU_GUEST_CLOUD };
enum { QEMU_FW_BIOS, QEMU_FW_UEFI };
extern const char *const qemu_guest_names[];	/* builtin cloud */
extern const char *const qemu_firmware_names[]; /* bios uefi */

struct qemu_opts {
	int machine;
	int accel;
	char cpu[64]; /* "" = max under TCG, host under KVM */
	int64_t smp;
	uint64_t mem;
	int hugepages;
	int mem_prealloc;
	int bus;
	int cache;
	int aio;
	int iothread;
	int64_t iothread_poll_max_ns; /* -1 = QEMU's default */
	int scheduler;		      /* the guest's I/O scheduler of the data disk */
	int64_t num_queues;	/* 0 = QEMU's default */
	uint64_t l2_cache_size; /* 0 = QEMU's default */
	char cpus[256];		/* host CPU list: "0-3,6" ("" = no pinning) */
	int64_t numa_node;	/* -1 = none */
	int64_t tsc_khz;	/* 0 = the host's, for microvm under TCG */
	char kernel[PATH_MAX];	/* "" = the newest /boot/vmlinuz-* */
	int64_t boot_timeout_ns;
	char extra_device[QEMU_EXTRA_MAX]; /* ';'-separated -device strings */
	char extra_object[QEMU_EXTRA_MAX]; /* ';'-separated -object strings */
	char workdir[PATH_MAX];
	struct disk_opts disk;
	struct qemu_net_opts net;
	/* guest=cloud (argv_cloud.c, cloud.c) */
	int guest;
	char cloud_image[PATH_MAX];
	uint64_t root_size;
	int firmware;
};

extern const struct opt_def qemu_options[];

/* What a variant's VM is built from besides its options: the paths setup()
 * made and the accelerator actually chosen. Kept apart from the options so
 * that qemu_build() is a pure function that golden tests can drive. */
struct qemu_runtime {
	const char *name; /* the variant: -name vmbench-NAME */
	int accel;	  /* QEMU_ACCEL_KVM or QEMU_ACCEL_TCG, never auto */
	const char *kernel;
	const char *initrd;
	int pvh;		  /* kernel is a vmlinux with a PVH entry */
	const char *disk_path;	  /* NULL: no data disk */
	const char *disk_format;  /* "raw" or "qcow2" */
	int disk_is_blockdev;	  /* driver host_device instead of file */
	const char *agent_socket; /* the unix socket of the agent's port */
	const char *qmp_socket;	  /* QEMU's QMP monitor (NULL: none) */
	const char *console_log;  /* the serial console's log file */
	const char *hugepage_dir; /* hugetlbfs mount (hugepages=on) */
	const char *cpus;	  /* resolved host CPU list for taskset ("" none) */
	int64_t tsc_khz;	  /* tsc_early_khz= on the command line (0: none) */
	/* guest=cloud: boots the root disk through the firmware, no -kernel */
	const char *root_path;	/* the root disk's overlay (NULL: the built-in guest) */
	const char *seed_path;	/* the NoCloud seed ISO, attached read-only */
	const char *ovmf_code;	/* firmware=uefi: OVMF's code (read-only) */
	const char *ovmf_vars;	/* and the variant's copy of its variables */
};

/* --- argv.c --------------------------------------------------------------- */

/* Rejects combinations QEMU (or the guest) would refuse, with QEMU's
 * reason. hugepage_size: the host's default huge page size in bytes (0: the
 * kernel has none). */
int qemu_check(const struct qemu_opts *o, uint64_t hugepage_size);
/* What only the chosen accelerator (kvm or tcg) decides: e.g. virtio-mmio
 * has ioeventfd, which an IOThread needs, only under KVM. */
int qemu_check_accel(const struct qemu_opts *o, int accel);

/* A new command: taskset -c CPUS qemu-system-x86_64 when rt->cpus is set,
 * else qemu-system-x86_64. */
struct cmd *qemu_cmd_new(const struct qemu_runtime *rt);
/* Checks nothing; appends every argument in a fixed order. */
void qemu_build(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);

/* The per-knob builders qemu_build() calls, exposed for the tests. */
void qemu_arg_base(const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_machine(const struct qemu_opts *o, struct cmd *c);
void qemu_arg_accel(const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_cpu(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_smp(const struct qemu_opts *o, struct cmd *c);
void qemu_arg_memory(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_kernel(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);
/* The built-in guest's kernel command line (-append; libvirt's <cmdline>). */
void qemu_kernel_cmdline(const struct qemu_opts *o, int accel, int64_t tsc_khz, char *buf,
			 size_t n);
void qemu_arg_console(const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_agent_channel(const struct qemu_opts *o, const struct qemu_runtime *rt,
			    struct cmd *c);
void qemu_arg_monitor(const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_pvpanic(const struct qemu_opts *o, struct cmd *c);
void qemu_arg_disk(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);
void qemu_arg_extra(const struct qemu_opts *o, struct cmd *c);

/* QEMU's option syntax: a ',' inside a value is written ",,". malloc'd. */
char *qemu_esc(const char *s);

/* --- argv_cloud.c: guest=cloud -------------------------------------------- */

/* OVMF's files from Debian's ovmf package. */
#define QEMU_OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define QEMU_OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"

/* Combinations of the cloud guest's knobs QEMU or the guest would refuse
 * (called by qemu_check). */
int qemu_check_cloud(const struct qemu_opts *o);
/* firmware=uefi: the two pflash drives (nothing for bios: SeaBIOS). */
void qemu_arg_firmware(const struct qemu_opts *o, const struct qemu_runtime *rt, struct cmd *c);
/* The root disk (bus, cache, aio, iothread as the data disk, boot index 1)
 * and the seed (virtio-blk, read-only). */
void qemu_arg_cloud_disks(const struct qemu_opts *o, const struct qemu_runtime *rt,
			  struct cmd *c);

/* --- cloud.c: what a cloud guest's variant makes and measures ------------- */

struct qemu_vm;

struct qemu_cloud {
	struct disk_opts root_opts; /* the overlay, made by the disk code */
	struct disk_inst root;
	int have_root;
	const char *image_format; /* of cloud-image: "qcow2" or "raw" */
	char seed[PATH_MAX];
	char vars[PATH_MAX];
	char seed_journal[JOURNAL_ID_MAX], vars_journal[JOURNAL_ID_MAX];
	int have_seed, have_vars;
};

/* Checks the image, makes the overlay (grown to root-size), the seed and,
 * for UEFI, the variables' copy in dir; each journaled. In a dry run the
 * commands are printed and nothing is made. Released by qemu_cloud_release
 * on every path. */
int qemu_cloud_setup(const struct qemu_opts *o, const char *variant, const char *dir,
		     struct qemu_cloud *cl, json_t *facts);
void qemu_cloud_release(struct qemu_cloud *cl);
/* Fills the runtime's cloud members. */
void qemu_cloud_runtime(const struct qemu_opts *o, const struct qemu_cloud *cl,
			struct qemu_runtime *rt);
/* The console lines that mark the phases of a cloud guest's boot, for
 * qemu_vm_marks (vm.c). */
void qemu_cloud_marks(const struct qemu_opts *o, struct qemu_vm *vm);
/* The boot phases (seconds from QEMU's start, into boot.phases) from the
 * agent's hello (the guest's clock) or else the console marks (the
 * host's), and the console marks themselves (boot.console_s). */
void qemu_cloud_phases(const struct qemu_vm *vm, json_t *boot);
/* One line for `vmbench doctor`: the firmware guest=cloud can use here
 * and whether the test image is built. */
void qemu_cloud_doctor(char *buf, size_t n);
/* What the agent reported of the guest: distro, kernel, cloud-init's
 * version, the I/O scheduler of each disk (new object). */
json_t *qemu_cloud_guest_facts(const struct qemu_vm *vm);

/* --- argv_net.c: the guest's network -------------------------------------- */

/* Combinations QEMU would refuse (called by qemu_check). */
int qemu_check_net(const struct qemu_opts *o);
/* What the host must offer (root for namespaces, /dev/net/tun for a tap,
 * /dev/vhost-net for vhost=on): -ENOTSUP with the fix, or 0. */
int qemu_net_host_check(const struct qemu_opts *o);
/* One line for `vmbench doctor`: what of the above this host offers. */
void qemu_net_doctor(char *buf, size_t n);
/* -netdev and its -device (nothing for netdev=none). */
void qemu_arg_net(const struct qemu_opts *o, struct cmd *c);
/* The guest's network for its agent, "ADDR/N,mac=M[,mtu=M]" ("" for
 * netdev=none): the agent gives the NIC with vmbench's MAC that address
 * through netlink (no DHCP), whatever name the guest gave the NIC. */
int qemu_net_spec(const struct qemu_opts *o, char *buf, size_t n);
/* The same as " vmbench.net=SPEC" for the built-in guest's kernel command
 * line ("" none); a cloud guest's agent gets it as --net in the seed's
 * user-data (src/guest/cloud.c). */
int qemu_net_cmdline(const struct qemu_opts *o, char *buf, size_t n);
/* The guest's address, and where the client reaches it from the client's
 * namespace (the guest for tap, 127.0.0.1's forwarded ports for user);
 * NULL for netdev=none. */
const char *qemu_net_guest_ip(const struct qemu_opts *o);
const char *qemu_net_client_addr(const struct qemu_opts *o);
/* The NIC's guest module (0 or 1 names into mods). */
int qemu_net_modules(const struct qemu_opts *o, const char **mods, int max);

/* The kernel modules the guest needs for this variant's devices
 * (NULL-terminated, static strings; at most 8). */
int qemu_guest_modules(const struct qemu_opts *o, const char **mods, int max);
/* The machine wants a PVH vmlinux rather than a bzImage. */
int qemu_wants_pvh(const struct qemu_opts *o);
/* Needs a memory backend object (hugepages, prealloc, NUMA binding). */
int qemu_needs_mem_backend(const struct qemu_opts *o);

/* Parses a CPU list ("0-3,6") into a mask of up to 1024 CPUs; -EINVAL with
 * a message naming the list otherwise. */
int qemu_cpulist_parse(const char *list, unsigned char *mask, int max_cpus, int *count);

/* --- host facts (argv.c) -------------------------------------------------- */

/* The host's TSC frequency in kHz, from /proc/cpuinfo (0 if unknown). */
int64_t qemu_host_tsc_khz(void);
/* The default huge page size in bytes from /proc/meminfo (0 if none). */
uint64_t qemu_hugepage_size(void);
/* The CPU list of NUMA node n from sysfs into buf; -ENOENT if no such node. */
int qemu_numa_node_cpus(int64_t node, char *buf, size_t n);

/* --- vm.c: one QEMU process, up to the agent's hello --------------------- */

/* A line on the console that marks a boot phase: when it was first seen
 * (vb_now_ns(); 0 not yet). */
#define QEMU_VM_MARKS 8
struct qemu_vm_mark {
	const char *phase;  /* "bootloader", "kernel", "userspace"... */
	const char *needle; /* text of the line */
	int64_t t;
	char line[160];     /* the line it was seen in */
};

struct qemu_vm {
	struct cmd_proc proc;
	char dir[PATH_MAX];	/* per-variant directory: logs */
	char sock[108];		/* the agent's unix socket */
	char qmp[108];		/* QEMU's QMP socket */
	char sockdir[48];	/* a private /tmp dir when dir's path is too long ("" none) */
	char console[PATH_MAX]; /* serial console log */
	char errlog[PATH_MAX];	/* QEMU's own stderr */
	int fd;			/* connected to the agent's port, -1 */
	int64_t t_spawn, t_console, t_hello; /* vb_now_ns(); 0 = not (yet) */
	json_t *hello;			     /* the hello line, peeked (not consumed) */
	int exited, status;		     /* QEMU exited by itself, with this wait status */
	struct qmp_watcher watch;	     /* QEMU's events while the guest runs */
	int dry;			     /* made in a dry run: paths only, nothing on disk */
	/* console marks (set before qemu_vm_wait_hello, which watches for them) */
	struct qemu_vm_mark marks[QEMU_VM_MARKS];
	int nmarks;
	long long con_off;   /* how far the console has been scanned */
	char con_carry[160]; /* the unfinished last line */
};

/* Adds a mark (phase and needle are static strings). A mark of phase
 * "panic" ends qemu_vm_wait_hello at once with -EFAULT and the line. */
void qemu_vm_mark(struct qemu_vm *vm, const char *phase, const char *needle);
/* The last phase seen ("" none) and when, for messages. */
const struct qemu_vm_mark *qemu_vm_last_mark(const struct qemu_vm *vm);
/* Reads what vm->console gained since the last call and times the marks
 * its complete lines match (qemu_vm_wait_hello calls it; target=libvirt
 * too, on the console file libvirt's QEMU writes). */
void qemu_vm_scan_console(struct qemu_vm *vm, int64_t now);
/* The mark of phase "panic", once seen (NULL: not seen). */
const struct qemu_vm_mark *qemu_vm_panic_mark(const struct qemu_vm *vm);
/* "; the last boot phase seen on the console: PHASE at N s ('LINE')", or
 * that none was seen; "" without marks. */
void qemu_vm_marks_text(const struct qemu_vm *vm, char *buf, size_t n);

/* Fills the paths under dir (made if missing, except in a dry run);
 * nothing runs. */
int qemu_vm_init(struct qemu_vm *vm, const char *dir);
/* Spawns QEMU (its group dies with us) with stderr to vm->errlog. */
int qemu_vm_spawn(struct qemu_vm *vm, struct cmd *c);
/* Waits until the agent's hello is readable on the socket, without consuming
 * it (the runner reads it). Gives up at deadline_ns, at console_deadline_ns
 * if the console is still silent then (0: no such limit), when QEMU exits,
 * or at once when QEMU reports a KVM internal error; the reason goes to why.
 * -ETIMEDOUT, -ECHILD (QEMU exited), -EFAULT (KVM internal error), -EINTR
 * (a signal arrived: the runner is stopping). */
int qemu_vm_wait_hello(struct qemu_vm *vm, int64_t deadline_ns, int64_t console_deadline_ns,
		       char *why, size_t n);
/* After the hello: connects to QMP, asks it for the vCPU threads
 * ({"0": tid, ...} into *vcpus) and the block graph QEMU opened (a list of
 * nodes into *block), and starts watching its events (qmp.h). disk_path
 * (may be NULL) names the image for a full-disk message. */
int qemu_vm_watch(struct qemu_vm *vm, const char *disk_path, json_t **vcpus, json_t **block);
/* Why the guest ended, as the watch saw it ("" nothing seen), and whether
 * it will happen again (a full disk); for a panic, with the kernel's panic
 * line from the console. Stops the watch; returns the QMP_CAUSE_*. */
int qemu_vm_end_cause(struct qemu_vm *vm, char *buf, size_t n, int *permanent);
/* The last line of file containing needle (from needle on) into buf; 0 if
 * found, -ENOENT. */
int qemu_file_find(const char *path, const char *needle, char *buf, size_t n);
/* Waits up to grace_ms for QEMU to exit by itself, then SIGKILLs its group;
 * stops the watch, closes the sockets and removes them. Safe to call twice. */
void qemu_vm_stop(struct qemu_vm *vm, int grace_ms);
/* The boot phases measured so far, with the guest's own from its hello. */
json_t *qemu_vm_boot_facts(const struct qemu_vm *vm);
/* "console tail (LOG): ...last lines..." and QEMU's stderr, for messages. */
void qemu_vm_describe(const struct qemu_vm *vm, char *buf, size_t n);
/* The last `lines` lines of a file into buf, newlines as " | ". */
void qemu_file_tail(const char *path, int lines, char *buf, size_t n);

/* --- accel.c: KVM detection by trying ------------------------------------ */

struct guest_image;
/* Resolves want (auto, kvm, tcg) to kvm or tcg into *chosen. auto and kvm
 * boot a probe guest (from guest, in dir) under KVM once per process; auto
 * falls back to TCG with one warning, kvm fails with the reason. */
int qemu_accel_choose(int want, const struct qemu_opts *o, const struct guest_image *guest,
		      const char *dir, int *chosen);
/* Why KVM was not used ("" if it works or was not tried). */
const char *qemu_accel_kvm_reason(void);

/* --- hugepages.c ----------------------------------------------------------- */

struct qemu_hugepages {
	int active;
	long saved_nr;	    /* nr_hugepages before we raised it, -1 = untouched */
	char mnt[PATH_MAX]; /* our private hugetlbfs mount ("" none) */
	char journal_nr[JOURNAL_ID_MAX], journal_mnt[JOURNAL_ID_MAX]; /* util/journal.h */
};

/* Reserves enough default-size huge pages for bytes (raising nr_hugepages,
 * remembering the old value) and mounts hugetlbfs on a private dir under
 * dir. Needs root. */
int qemu_hugepages_setup(struct qemu_hugepages *h, uint64_t bytes, const char *dir);
/* Unmounts, removes the dir and restores nr_hugepages. Safe to call twice. */
void qemu_hugepages_release(struct qemu_hugepages *h);

#endif
