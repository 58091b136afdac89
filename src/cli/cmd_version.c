#include <stdio.h>

#include "cli/cli.h"
#include "proto/proto.h"
#include "store/store.h"

#ifndef VB_VERSION
#define VB_VERSION "unknown"
#endif

int cli_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("vmbench %s (protocol %d, database schema %d)\n", VB_VERSION, VB_PROTO_VERSION,
	       STORE_SCHEMA_VERSION);
	return 0;
}
