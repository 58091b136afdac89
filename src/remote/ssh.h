/* OpenSSH as vmbench's way to another host: one destination struct, and
 * every ssh and scp command line built here through the command builder
 * (util/cmd.h), never a shell on this side. target=ssh runs the agent over
 * ssh's stdio; target=libvirt stages a guest on a qemu+ssh:// host with it.
 *
 * Every command runs with BatchMode=yes (a missing key is an error, never a
 * password prompt) and a ConnectTimeout, so an unreachable host fails in
 * seconds with ssh's own reason. */
#ifndef VB_REMOTE_SSH_H
#define VB_REMOTE_SSH_H

#include <limits.h>
#include <stddef.h>

#include "util/cmd.h"
#include "util/journal.h"

struct vb_ssh {
	char user[64];	       /* "" : ssh's default */
	char host[256];
	int port;	       /* 0: 22 */
	char keyfile[PATH_MAX]; /* "" : ssh's default keys */
	int no_verify;	       /* StrictHostKeyChecking=no */
};

/* "[USER@]HOST[:PORT]" into s (keyfile and no_verify untouched); -EINVAL
 * with a message naming spec when it is not one. */
int vb_ssh_parse(const char *spec, struct vb_ssh *s);
/* "USER@HOST" or "HOST" (with ":PORT" when not 22), for messages. */
void vb_ssh_name(const struct vb_ssh *s, char *buf, size_t n);
/* ssh with the options, the destination and "--", ready for the remote
 * command's words (cmd_arg). */
struct cmd *vb_ssh_cmd(const struct vb_ssh *s);
/* Runs one remote command line (a single word list joined by the remote
 * shell: pass only words vmbench made, quoted by vb_ssh_quote); *out: its
 * output (may be NULL). Errors name the host and ssh's reason. */
int vb_ssh_run(const struct vb_ssh *s, const char *remote_cmd, char **out);
/* Copies a local file to remote_path. */
int vb_ssh_put(const struct vb_ssh *s, const char *local, const char *remote_path);
/* Free bytes of the filesystem holding remote_dir (df), into *bytes. */
int vb_ssh_free_bytes(const struct vb_ssh *s, const char *remote_dir, unsigned long long *bytes);
/* 'word' for a POSIX shell, into buf. */
void vb_ssh_quote(const char *word, char *buf, size_t n);

/* A directory of vmbench's on the remote host (for a staged agent or guest),
 * written in the journal (kind "remote") before it is made; vb_ssh_rmdir
 * removes it and the record (kept when the host cannot be reached, for the
 * next vmbench). The path must be absolute and two levels deep. */
int vb_ssh_mkdir(const struct vb_ssh *s, const char *dir, char journal_id[JOURNAL_ID_MAX]);
void vb_ssh_rmdir(const struct vb_ssh *s, const char *dir, char journal_id[JOURNAL_ID_MAX]);
/* The journal's undo of kind "remote" (run/leftovers.c): 1 removed (said
 * says what), 0 nothing left there, < 0 the host could not be reached. */
int vb_ssh_undo_dir(const char *dir, const char *undo, char *said, size_t n);

#endif
