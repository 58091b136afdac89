/* vmbench: the command table. Every command first releases what killed
 * vmbench processes left behind (run/leftovers.h) and says so. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "run/leftovers.h"
#include "util/journal.h"
#include "util/err.h"

static const struct cli_command commands[] = {
	{"run", cli_run, "run a plan file or an ad-hoc experiment and store its results"},
	{"report", cli_report, "an experiment with its statistics and verdicts (text, json, csv, html)",
	 "show"},
	{"compare", cli_compare, "compare two variants, of one experiment or of two"},
	{"density", cli_density, "how many idle instances of a target fit here, with and without KSM"},
	{"list", cli_list, "list workloads, engines and targets with their options"},
	{"guest", cli_guest, "build the built-in guest (kernel + initramfs) and say what it holds"},
	{"disk", cli_disk, "create, copy, describe or remove a VM disk (image, loop device, LV)"},
	{"doctor", cli_doctor, "say what this host can do (io_uring, O_DIRECT, KSM, ...)"},
	{"version", cli_version, "print the version"},
	{"import", cli_import, "turn a fio job file or a sysbench command line into a plan"},
	{"tune", cli_tune, "find the best configuration of a plan's knobs for one objective, by racing"},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cli_command *cli_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vmbench COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'vmbench COMMAND -h' describes a command; 'man vmbench' all of them,\n"
		   "'man vmbench-plan' every plan key ('vmbench help --man 1|5' prints them).");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].alias)
			fprintf(f, " '%s' is '%s'.", commands[i].alias, commands[i].name);
	fputc('\n', f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return VB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2)
		return cli_help(argc - 1, argv + 1); /* help COMMAND, help --man 1|5 */
	if (!strcmp(argv[1], "complete"))
		return cli_complete(argc - 1, argv + 1); /* for the shell: no leftovers sweep */
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return VB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cli_version(argc - 1, argv + 1);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0 ||
		    (commands[i].alias && strcmp(argv[1], commands[i].alias) == 0)) {
			journal_enable();
			leftovers_release();
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "vmbench: error: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return VB_EXIT_USAGE;
}
