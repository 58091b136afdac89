/* import_fio on arbitrary bytes, as `vmbench import JOB.fio` reads a job
 * file: it must never crash, leak or read out of bounds, and a job file
 * that imports must give a plan text that loads (import_emit checks it). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	vb_err_set_quiet(1);
	struct import_doc *d = calloc(1, sizeof(*d));
	if (d) {
		import_init(d, "fio", "fuzz", "fuzz.fio");
		char *plan = NULL;
		if (import_fio(text, "fuzz.fio", d) == 0)
			import_emit(d, &plan);
		free(plan);
		import_free(d);
		free(d);
	}
	free(text);
	return 0;
}
