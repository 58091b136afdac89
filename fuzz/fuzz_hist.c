/* hist_decode on arbitrary text. What it accepts must encode back to
 * something that decodes to the same histogram, and its percentiles must lie
 * within [min, max]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats/hist.h"

static struct hist a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hist_decode(text, &a) == 0) {
		char *enc = hist_encode(&a);
		if (!enc || hist_decode(enc, &b) != 0 || memcmp(&a, &b, sizeof(a)) != 0)
			abort();
		free(enc);
		static const double ps[] = {0, 0.1, 50, 90, 99, 99.9, 100};
		for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
			double v = hist_percentile(&a, ps[i]);
			if (a.count && (v < (double)a.min || v > (double)a.max))
				abort();
		}
		struct hist *m = hist_new();
		hist_merge(m, &a);
		hist_merge(m, &a);
		if (m->count != 2 * a.count)
			abort();
		hist_free(m);
	}
	free(text);
	return 0;
}
