/* OpenSSH command lines (see ssh.h). */
#include "remote/ssh.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/journal.h"

#define VB_SSH_CONNECT_TIMEOUT "ConnectTimeout=10"

int vb_ssh_parse(const char *spec, struct vb_ssh *s)
{
	const char *at = strchr(spec, '@'), *host = at ? at + 1 : spec;
	s->user[0] = '\0';
	s->port = 0;
	if (at) {
		if (at == spec || (size_t)(at - spec) >= sizeof(s->user))
			goto bad;
		snprintf(s->user, sizeof(s->user), "%.*s", (int)(at - spec), spec);
	}
	const char *colon = strrchr(host, ':');
	size_t hl = colon ? (size_t)(colon - host) : strlen(host);
	if (!hl || hl >= sizeof(s->host))
		goto bad;
	snprintf(s->host, sizeof(s->host), "%.*s", (int)hl, host);
	for (const char *p = s->host; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_[]", *p))
			goto bad;
	for (const char *p = s->user; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_", *p))
			goto bad;
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			goto bad;
		s->port = (int)port;
	}
	return 0;
bad:
	return vb_err(-EINVAL, "host='%s' is not USER@HOST or USER@HOST:PORT", spec);
}

void vb_ssh_name(const struct vb_ssh *s, char *buf, size_t n)
{
	char port[16] = "";
	if (s->port && s->port != 22)
		snprintf(port, sizeof(port), ":%d", s->port);
	snprintf(buf, n, "%s%s%s%s", s->user, s->user[0] ? "@" : "", s->host, port);
}

static void common_opts(const struct vb_ssh *s, struct cmd *c, const char *port_flag)
{
	cmd_args(c, "-o", "BatchMode=yes", "-o", VB_SSH_CONNECT_TIMEOUT, "-o",
		 "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3", NULL);
	if (s->no_verify)
		cmd_args(c, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			 "-o", "LogLevel=ERROR", NULL);
	if (s->keyfile[0])
		cmd_args(c, "-i", s->keyfile, NULL);
	if (s->port) {
		cmd_arg(c, port_flag);
		cmd_argf(c, "%d", s->port);
	}
}

static void dest(const struct vb_ssh *s, struct cmd *c, const char *suffix)
{
	cmd_argf(c, "%s%s%s%s", s->user, s->user[0] ? "@" : "", s->host, suffix ? suffix : "");
}

struct cmd *vb_ssh_cmd(const struct vb_ssh *s)
{
	struct cmd *c = cmd_new("ssh");
	cmd_arg(c, "-T");
	common_opts(s, c, "-p");
	dest(s, c, NULL);
	cmd_arg(c, "--");
	return c;
}

/* ssh's own last line ("ssh: connect to host ... Connection refused"). */
static void ssh_reason(const char *out, char *buf, size_t n)
{
	buf[0] = '\0';
	if (!out)
		return;
	const char *end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *start = end;
	while (start > out && start[-1] != '\n')
		start--;
	snprintf(buf, n, "%.*s", (int)(end - start), start);
}

int vb_ssh_run(const struct vb_ssh *s, const char *remote_cmd, char **out)
{
	struct cmd *c = vb_ssh_cmd(s);
	cmd_arg(c, remote_cmd);
	char *o = NULL, why[512], name[320];
	int q = vb_err_set_quiet(1);
	int r = cmd_run(c, &o);
	vb_err_set_quiet(q);
	cmd_free(c);
	if (r < 0) {
		vb_ssh_name(s, name, sizeof(name));
		ssh_reason(o, why, sizeof(why));
		r = vb_err(r, "ssh %s '%s' failed: %s%s", name, remote_cmd,
			   why[0] ? why : vb_errmsg(),
			   strstr(why, "ermission denied") ? " (the key is not accepted: give "
							      "its file with identity= or keyfile=)"
							    : "");
		free(o);
		return r;
	}
	if (out)
		*out = o;
	else
		free(o);
	return 0;
}

int vb_ssh_put(const struct vb_ssh *s, const char *local, const char *remote_path)
{
	/* no -q: it would silence ssh's own reason (a host key not verified) */
	struct cmd *c = cmd_new("scp");
	common_opts(s, c, "-P");
	cmd_arg(c, local);
	char suffix[PATH_MAX + 2];
	snprintf(suffix, sizeof(suffix), ":%s", remote_path);
	dest(s, c, suffix);
	char *o = NULL, why[512], name[320];
	int q = vb_err_set_quiet(1);
	int r = cmd_run(c, &o);
	vb_err_set_quiet(q);
	cmd_free(c);
	if (r < 0) {
		vb_ssh_name(s, name, sizeof(name));
		ssh_reason(o, why, sizeof(why));
		r = vb_err(r, "cannot copy '%s' to %s:%s: %s", local, name, remote_path,
			   why[0] ? why : vb_errmsg());
	}
	free(o);
	return r;
}

void vb_ssh_quote(const char *word, char *buf, size_t n)
{
	size_t j = 0;
	if (n < 3) {
		if (n)
			buf[0] = '\0';
		return;
	}
	buf[j++] = '\'';
	for (const char *p = word; *p && j + 6 < n; p++) {
		if (*p == '\'') {
			memcpy(buf + j, "'\\''", 4);
			j += 4;
		} else {
			buf[j++] = *p;
		}
	}
	buf[j++] = '\'';
	buf[j] = '\0';
}

int vb_ssh_free_bytes(const struct vb_ssh *s, const char *remote_dir, unsigned long long *bytes)
{
	char q[PATH_MAX + 16], line[PATH_MAX + 64];
	vb_ssh_quote(remote_dir, q, sizeof(q));
	snprintf(line, sizeof(line), "df -Pk %s | tail -n 1", q);
	char *out = NULL;
	int r = vb_ssh_run(s, line, &out);
	if (r < 0)
		return r;
	/* Filesystem 1024-blocks Used Available Capacity Mounted-on */
	unsigned long long total, used, avail;
	char fs[256];
	if (sscanf(out, "%255s %llu %llu %llu", fs, &total, &used, &avail) != 4) {
		r = vb_err(-EPROTO, "cannot read the free space of %s from df: '%s'", remote_dir,
			   out);
		free(out);
		return r;
	}
	free(out);
	*bytes = avail * 1024ull;
	return 0;
}

/* ---- directories vmbench makes on a remote host (journal kind "remote") -- */

/* "DEST|NO_VERIFY|KEYFILE": the journal's undo line of a remote dir */
static void undo_line(const struct vb_ssh *s, char *buf, size_t n)
{
	char name[320];
	vb_ssh_name(s, name, sizeof(name));
	if ((size_t)snprintf(buf, n, "%s|%d|%s", name, s->no_verify, s->keyfile) >= n)
		buf[0] = '\0'; /* too long to record: the sweep cannot reach it */
}

static int remote_dir_safe(const char *dir)
{
	/* absolute, at least two levels deep, no "..": rm -rf stays inside */
	return dir[0] == '/' && strchr(dir + 1, '/') && !strstr(dir, "..") &&
	       !strpbrk(dir, "'\n");
}

int vb_ssh_mkdir(const struct vb_ssh *s, const char *dir, char journal_id[JOURNAL_ID_MAX])
{
	char q[PATH_MAX + 16], line[PATH_MAX + 64], undo[PATH_MAX];
	if (!remote_dir_safe(dir))
		return vb_err(-EINVAL,
			      "the remote directory '%s' must be an absolute path at least two "
			      "levels deep, without quotes",
			      dir);
	undo_line(s, undo, sizeof(undo));
	journal_add("remote", dir, undo, journal_id);
	vb_ssh_quote(dir, q, sizeof(q));
	snprintf(line, sizeof(line), "mkdir -p %s", q);
	int r = vb_ssh_run(s, line, NULL);
	if (r < 0)
		journal_done(journal_id);
	return r;
}

void vb_ssh_rmdir(const struct vb_ssh *s, const char *dir, char journal_id[JOURNAL_ID_MAX])
{
	char q[PATH_MAX + 16], line[PATH_MAX + 64];
	vb_ssh_quote(dir, q, sizeof(q));
	snprintf(line, sizeof(line), "rm -rf %s", q);
	if (vb_ssh_run(s, line, NULL) == 0)
		journal_done(journal_id); /* else the next vmbench tries again */
}

int vb_ssh_undo_dir(const char *dir, const char *undo, char *said, size_t n)
{
	struct vb_ssh s;
	memset(&s, 0, sizeof(s));
	char dest[320], key[PATH_MAX];
	int nv = 0;
	key[0] = '\0';
	if (sscanf(undo, "%319[^|]|%d|%4095[^\n]", dest, &nv, key) < 2 ||
	    vb_ssh_parse(dest, &s) < 0 || !remote_dir_safe(dir)) {
		snprintf(said, n, "the record of the remote directory '%s' is unreadable ('%s')",
			 dir, undo);
		return 0;
	}
	s.no_verify = nv;
	snprintf(s.keyfile, sizeof(s.keyfile), "%s", key);
	char q[PATH_MAX + 16], line[2 * PATH_MAX + 96], *out = NULL;
	vb_ssh_quote(dir, q, sizeof(q));
	snprintf(line, sizeof(line), "if [ -e %s ]; then rm -rf %s && echo removed; fi", q, q);
	int r = vb_ssh_run(&s, line, &out);
	if (r < 0) {
		snprintf(said, n, "cannot remove '%s' on %s: %s", dir, dest, vb_errmsg());
		return r;
	}
	int removed = out && strstr(out, "removed");
	free(out);
	if (!removed)
		return 0;
	snprintf(said, n, "removed the staged directory '%s' on %s", dir, dest);
	return 1;
}
