#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "proto/proto.h"
#include "store/store.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

int cli_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return printf("usage: vmbench version   (the version, protocol and schema)\n"), 0;
	printf("vmbench %s (protocol %d, database schema %d)\n", VB_VERSION, VB_PROTO_VERSION,
	       STORE_SCHEMA_VERSION);
	return 0;
}
