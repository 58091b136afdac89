/* `qemu-img info --output=json` as vmbench reads it. qemu-img is a program
 * vmbench runs but does not control (its version is whatever the host has),
 * so its output is checked here, before file.c or `vmbench disk info` use a
 * field of it: pure, no I/O (fuzzed by fuzz/fuzz_qemu_img.c). */
#include <errno.h>
#include <stdio.h>

#include "disk/disk_int.h"

/* One image: an object with a non-empty "format" and an integer
 * "virtual-size" >= 0 (vmbench sizes an overlay by its base's). */
static int check_image(const json_t *img, const char *which, char *why, size_t n)
{
	const char *fmt = json_string_value(json_object_get(img, "format"));
	const json_t *vs = json_object_get(img, "virtual-size");
	if (!json_is_object(img))
		snprintf(why, n, "%s is not a JSON object", which);
	else if (!fmt || !fmt[0])
		snprintf(why, n, "%s has no \"format\"", which);
	else if (!json_is_integer(vs) || json_integer_value(vs) < 0)
		snprintf(why, n, "%s has no \"virtual-size\" in bytes", which);
	else
		return 0;
	return -EIO;
}

int disk_qemu_img_parse(const char *text, size_t len, int chain, json_t **out, char *why,
			size_t n)
{
	json_error_t je;
	char which[48];
	int r = 0;
	*out = NULL;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		snprintf(why, n, "not JSON (%s at line %d)", je.text, je.line);
		return -EIO;
	}
	if (!chain) {
		r = check_image(j, "the image", why, n);
	} else if (!json_is_array(j) || json_array_size(j) == 0) {
		snprintf(why, n, "a backing chain is not a non-empty JSON array");
		r = -EIO;
	} else {
		for (size_t i = 0; i < json_array_size(j) && r == 0; i++) {
			snprintf(which, sizeof(which), "image %zu of the chain", i + 1);
			r = check_image(json_array_get(j, i), which, why, n);
		}
	}
	if (r < 0) {
		json_decref(j);
		return r;
	}
	*out = j;
	return 0;
}
