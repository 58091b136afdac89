/* target=libvirt's pieces (the target itself is libvirt.c):
 *   libvirt_conn.c    the libvirt connection: one event loop thread for the
 *                     process, opening a URI with an error that says what to
 *                     do, lifecycle events of the domain, its stats
 *   libvirt_stream.c  the agent's channel (virDomainOpenChannel) bridged to
 *                     a socket pair, so that the runner reads and writes a
 *                     plain fd as for every other target, locally or over
 *                     qemu+ssh://
 *   libvirt_stage.c   a remote host (qemu+ssh://): the guest's kernel,
 *                     initramfs and data disk copied there and removed
 *                     after (journal kind "remote")
 *   libvirt_cloud.c   guest=cloud: its files staged on a remote host, the
 *                     boot timeout, the hello peeked whole, the facts */
#ifndef VB_TARGETS_LIBVIRT_H
#define VB_TARGETS_LIBVIRT_H

#include <jansson.h>
#include <libvirt/libvirt.h>
#include <limits.h>
#include <pthread.h>

#include "remote/ssh.h"
#include "util/journal.h"

/* --- libvirt_conn.c ------------------------------------------------------- */

/* Registers libvirt's default event loop and runs it in a thread (once per
 * process): the channel bridge and the lifecycle events need it. */
int lv_events_start(void);
/* Opens uri read-write; on failure an error naming the URI, libvirt's
 * reason and the fix (libvirtd not running, ssh refused...). */
int lv_open(const char *uri, virConnectPtr *conn);
/* libvirt's last error message on this thread ("" none). */
const char *lv_lasterr(void);
/* The URI names another host (qemu+ssh://...). */
int lv_uri_is_remote(const char *uri);
/* The ssh destination of a qemu+ssh:// URI (user, host, port, keyfile=,
 * no_verify=) for staging; -EINVAL if it is not one. */
int lv_uri_ssh(const char *uri, struct vb_ssh *s);

/* What the lifecycle callback saw: the domain stopped (shutdown, crash,
 * destroy, failed) or paused (an I/O error), in words ("" none). */
struct lv_watch {
	pthread_mutex_t lock;
	char cause[256];
	int ended;	/* stopped or crashed: the stream is closed */
	int permanent;	/* an I/O error pause (a full disk): will happen again */
	int callback;	/* the event callback id (-1 none) */
	int released;	/* libvirt called the callback's free function */
	virConnectPtr conn;
	void (*on_end)(void *arg); /* called from the event thread */
	void *arg;
};
int lv_watch_start(struct lv_watch *w, virConnectPtr conn, virDomainPtr dom);
/* Deregisters, and returns once no callback of w runs any more (at most 2 s). */
void lv_watch_stop(struct lv_watch *w);
void lv_watch_cause(struct lv_watch *w, char *buf, size_t n, int *permanent);

/* Domain stats (cpu, balloon, vcpu, block) as a flat JSON object of numbers,
 * read from libvirt (virDomainListGetStats), so that a remote domain's host
 * cost is known too. NULL when libvirt cannot say. */
json_t *lv_domain_stats(virDomainPtr dom);

/* One line for `vmbench doctor`: whether uri answers, with the versions;
 * 0 when it does. */
int lv_doctor(const char *uri, char *buf, size_t n);

/* --- libvirt_stream.c ----------------------------------------------------- */

struct lv_bridge;
/* Opens the channel named name of dom and bridges it to a socket pair: *fd
 * is the runner's end (owned by the bridge). */
int lv_bridge_open(virConnectPtr conn, virDomainPtr dom, const char *name,
		   struct lv_bridge **b, int *fd);
/* Ends the stream: the runner sees the end of its stream at once. Safe from
 * the event thread. */
void lv_bridge_hangup(struct lv_bridge *b);
/* Closes everything (not from the event thread). */
void lv_bridge_free(struct lv_bridge *b);

/* --- libvirt_cloud.c: guest=cloud ----------------------------------------- */

struct qemu_opts;
struct qemu_vm;
struct qemu_cloud;
struct lv_stage;
/* A cloud guest's files on a qemu+ssh:// host (remote paths). */
struct lv_cloud_remote {
	char root[PATH_MAX], seed[PATH_MAX], vars[PATH_MAX];
};
/* The bytes a cloud guest's files take on the remote host: the image, the
 * overlay, the seed, UEFI's variables. */
unsigned long long lv_cloud_stage_need(const struct qemu_opts *q, const struct qemu_cloud *cl);
/* Stages them in s's directory (lv_stage_begin first: it checks the free
 * space): the image, the overlay rebased there onto the staged image
 * (qemu-img rebase -u over ssh), the seed, the variables' copy; OVMF's code
 * must be on the remote host for firmware=uefi. Remote paths into rc. */
int lv_cloud_stage(struct lv_stage *s, const struct qemu_opts *q, const struct qemu_cloud *cl,
		   struct lv_cloud_remote *rc);
/* The boot timeout: boot-timeout, or 10 minutes for a cloud guest left at
 * the target's default. */
int64_t lv_boot_timeout(const struct qemu_opts *q);
/* Peeks (does not consume) the agent's first line on fd: 1 and the parsed
 * hello into *hello (replacing it) once it is whole, 0 not yet, -EPIPE at
 * the end of the stream, -errno. */
int lv_peek_hello(int fd, json_t **hello);
/* After the hello: boot.guest (the guest's own boot times) into the facts'
 * "boot", and for guest=cloud boot.phases, boot.console_s and guest_os
 * (distro, kernel, cloud-init, each disk's scheduler) from the console
 * marks and the hello kept in con, as target=qemu stores them. */
void lv_cloud_facts(const struct qemu_opts *q, const struct qemu_vm *con, json_t *facts);

/* --- libvirt_stage.c ------------------------------------------------------ */

struct lv_stage {
	struct vb_ssh ssh;
	char dir[PATH_MAX]; /* on the remote host */
	char journal[JOURNAL_ID_MAX];
	int made;
};
/* Makes dir on the remote host (journal first), checks that it has need
 * bytes free there (else -ENOSPC naming the host, the free space and the
 * need). */
int lv_stage_begin(struct lv_stage *s, const struct vb_ssh *ssh, const char *dir,
		   unsigned long long need);
/* Copies a local file into the remote dir; the remote path into out. */
int lv_stage_put(struct lv_stage *s, const char *local, const char *name, char *out, size_t n);
/* Removes the remote dir; safe to call twice. */
void lv_stage_end(struct lv_stage *s);

#endif
