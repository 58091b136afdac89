/* vmbench complete WORD...: the candidates for the last word of a command
 * line (the words after "vmbench", the last one possibly empty), one a
 * line, for completion/vmbench.bash. They come from the same tables as
 * everything else: the command table, each command's usage text (its long
 * options), the workload, target and report registries and their option
 * tables (plan keys with their peer spellings, enum values). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "density/density.h"
#include "report/report.h"
#include "targets/target.h"
#include "tune/tune.h"
#include "util/err.h"
#include "workloads/workload.h"

static void say(const char *cand, const char *cur)
{
	if (!strncmp(cand, cur, strlen(cur)))
		printf("%s\n", cand);
}

/* "key=" for every option (and its peer spelling); after "key=", the
 * values of an enum or bool; after a comma, the next key of the list. */
static void keys(const struct opt_def *tbl, const char *cur)
{
	const char *item = strrchr(cur, ',');
	item = item ? item + 1 : cur;
	size_t pre = (size_t)(item - cur);
	char buf[512];
	const char *eq = strchr(item, '=');
	if (eq) {
		char key[128];
		snprintf(key, sizeof(key), "%.*s", (int)(eq - item), item);
		const struct opt_def *d = opt_find(tbl, key);
		static const char *const bools[] = {"on", "off", NULL};
		const char *const *vals = !d ? NULL : d->type == OPT_T_ENUM ? d->choices
					     : d->type == OPT_T_BOOL  ? bools
								      : NULL;
		if (d && d->peer_values && strcmp(key, d->name))
			vals = NULL; /* under the peer's name only the peer's values */
		for (; vals && *vals; vals++) {
			snprintf(buf, sizeof(buf), "%.*s%s", (int)(eq + 1 - cur), cur, *vals);
			say(buf, cur);
		}
		for (const char *const *pv = d ? d->peer_values : NULL; pv && pv[0] && pv[1]; pv += 2)
			if (pv[0][0]) {
				snprintf(buf, sizeof(buf), "%.*s%s", (int)(eq + 1 - cur), cur, pv[0]);
				say(buf, cur);
			}
		return;
	}
	for (const struct opt_def *d = tbl; d && d->name; d++) {
		snprintf(buf, sizeof(buf), "%.*s%s=", (int)pre, cur, d->name);
		say(buf, cur);
		if (d->peer) {
			snprintf(buf, sizeof(buf), "%.*s%s=", (int)pre, cur, d->peer);
			say(buf, cur);
		}
	}
}

/* The long options a command's usage text names ("--db", "--set"...). */
static void long_options(const struct cli_command *c, const char *cur)
{
	char *u = cli_usage_text(c);
	char seen[64][40];
	int nseen = 0;
	for (char *p = u ? strstr(u, "--") : NULL; p; p = strstr(p + 2, "--")) {
		if (p > u && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;
		size_t len = 2;
		while (isalnum((unsigned char)p[len]) || p[len] == '-')
			len++;
		if (len < 4 || len >= sizeof(seen[0]))
			continue;
		char opt[40];
		snprintf(opt, sizeof(opt), "%.*s", (int)len, p);
		int dup = 0;
		for (int i = 0; i < nseen; i++)
			dup |= !strcmp(seen[i], opt);
		if (dup || nseen == 64)
			continue;
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", opt);
		say(opt, cur);
	}
	free(u);
}

static int is(const char *w, const char *s, const char *l)
{
	return w && (!strcmp(w, s) || !strcmp(w, l));
}

int cli_complete(int argc, char **argv)
{
	int first = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;
	char **w = argv + first;
	int n = argc - first;
	const char *cur = n > 0 ? w[n - 1] : "", *prev = n > 1 ? w[n - 2] : NULL;
	size_t ncmd;
	const struct cli_command *cmds = cli_commands(&ncmd);
	if (n <= 1) {
		for (size_t i = 0; i < ncmd; i++) {
			say(cmds[i].name, cur);
			if (cmds[i].alias)
				say(cmds[i].alias, cur);
		}
		say("help", cur);
		return VB_EXIT_OK;
	}
	const struct cli_command *cmd = NULL;
	for (size_t i = 0; i < ncmd; i++)
		if (!strcmp(w[0], cmds[i].name) || (cmds[i].alias && !strcmp(w[0], cmds[i].alias)))
			cmd = &cmds[i];
	if (!strcmp(w[0], "help")) {
		if (prev && !strcmp(prev, "--man")) {
			say("1", cur);
			say("5", cur);
		} else if (n == 2) {
			for (size_t i = 0; i < ncmd; i++)
				say(cmds[i].name, cur);
			say("--man", cur);
		}
		return VB_EXIT_OK;
	}
	if (!cmd)
		return VB_EXIT_OK;
	if (!strcmp(cmd->name, "list") && n == 2) {
		static const char *const lists[] = {"workloads", "engines", "targets", "reports",
						    "plan", NULL};
		for (int i = 0; lists[i]; i++)
			say(lists[i], cur);
		return VB_EXIT_OK;
	}
	/* the target and workload named so far, for -T and --set */
	const struct target_ops *target = target_find("native");
	const struct workload_ops *wl = NULL;
	const struct report_ops *rep = report_find("text");
	for (int i = 1; i + 1 < n; i++) {
		if (is(w[i], "-t", "--target") && target_find(w[i + 1]))
			target = target_find(w[i + 1]);
		if (is(w[i], "-w", "--workload") && workload_find(w[i + 1]))
			wl = workload_find(w[i + 1]);
		if (is(w[i], "-f", "--format") && report_find(w[i + 1]))
			rep = report_find(w[i + 1]);
	}
	if (is(prev, "-t", "--target")) {
		for (const struct target_ops *const *t = target_all(); *t; t++)
			say((*t)->name, cur);
	} else if (is(prev, "-w", "--workload")) {
		for (const struct workload_ops *const *x = workload_all(); *x; x++)
			say((*x)->name, cur);
	} else if (is(prev, "-f", "--format")) {
		for (const struct report_ops *const *r = report_all(); *r; r++)
			say((*r)->name, cur);
	} else if (is(prev, "-T", "--target-set")) {
		keys(target ? target->options : NULL, cur);
	} else if (is(prev, "-s", "--set")) {
		if (!strcmp(cmd->name, "tune"))
			keys(tune_options, cur);
		else if (!strcmp(cmd->name, "density"))
			keys(density_options, cur);
		else if (!strcmp(cmd->name, "report") || !strcmp(cmd->name, "compare"))
			keys(rep ? rep->options : NULL, cur);
		else if (wl)
			keys(wl->options, cur);
	} else if (cur[0] == '-') {
		long_options(cmd, cur);
	}
	return VB_EXIT_OK;
}
