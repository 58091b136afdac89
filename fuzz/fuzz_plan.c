/* plan_load_string on arbitrary bytes: it must never crash, leak or read out
 * of bounds, and a plan that loads must validate or fail cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run/plan.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* a plan is text; plan_load rejects a NUL byte before */
	struct plan p;
	plan_init(&p);
	if (plan_load_string(&p, text, "fuzz.ini") == 0) {
		plan_validate(&p);
		/* what a run does with a loaded plan */
		for (int i = 0; i < p.nw; i++) {
			json_decref(plan_workload_spec(&p.w[i]));
			for (int j = 0; j < p.nv; j++)
				plan_applies(&p.w[i], &p.v[j]);
		}
		for (int j = 0; j < p.nv; j++)
			json_decref(plan_variant_config(&p.v[j]));
	}
	plan_free(&p);
	free(text);
	return 0;
}
