/* The agent's hello as the host reads it: the bytes as the first line of
 * the agent's stream through proto_recv (src/core/runner.c and
 * src/density/density.c read it so), then proto_hello_check; what QEMU's
 * side peeks at (the same first line, json_loadb without flags) through
 * qemu_vm_boot_facts, which takes the guest's boot timings from it.
 * Checks: a hello that passes has what the check promises (type, protocol,
 * agent version, facts object); it survives the store's dump (compact,
 * sorted keys) and the report's load unchanged; boot facts are an object
 * whose "guest" is the hello's facts.boot when that is an object. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "stream.h"
#include "qemu/qemu.h"

static void check_hello(json_t *hello)
{
	char why[300];
	int r = proto_hello_check(hello, why, sizeof(why));
	if (r < 0) {
		if (r != -EPROTO || !why[0])
			abort(); /* a refusal always says why */
		return;
	}
	if (strcmp(proto_type(hello), "hello") != 0 ||
	    json_integer_value(json_object_get(hello, "proto")) != VB_PROTO_VERSION ||
	    !json_is_string(json_object_get(hello, "agent")) ||
	    !json_is_object(json_object_get(hello, "facts")))
		abort();
	/* as src/store/store.c writes it and reads it back for the report */
	char *text = json_dumps(hello, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		abort();
	json_t *back = json_loads(text, 0, NULL);
	if (!back || !json_equal(back, hello))
		abort();
	json_decref(back);
	free(text);
}

static void check_boot_facts(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	struct qemu_vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.fd = -1;
	vm.t_spawn = 1000;
	vm.t_console = 2000000;
	vm.t_hello = 3000000000;
	if (!nl || !(vm.hello = json_loadb((const char *)data, (size_t)(nl - data), 0, NULL)))
		return;
	json_t *b = qemu_vm_boot_facts(&vm);
	const json_t *g = json_object_get(json_object_get(vm.hello, "facts"), "boot");
	if (!json_is_object(b) || (json_is_object(g) && json_object_get(b, "guest") != g))
		abort();
	json_decref(b);
	json_decref(vm.hello);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_boot_facts(data, size);

	struct proto_stream s;
	if (fuzz_stream(data, size, &s) < 0)
		return 0;
	json_t *hello = NULL;
	int r = proto_recv(&s, &hello, -1);
	if (r == 0) {
		if (!json_is_object(hello))
			abort();
		check_hello(hello);
		json_decref(hello);
	} else if (r != -EPROTO && r != -EPIPE) {
		abort();
	}
	proto_stream_free(&s);
	close(s.rfd);
	return 0;
}
