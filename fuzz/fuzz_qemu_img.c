/* `qemu-img info --output=json` as vmbench reads it (src/disk/imginfo.c):
 * the bytes as one image's info and as a --backing-chain array through
 * disk_qemu_img_parse. Checks: what is accepted has what the parser
 * promises (an object, or a non-empty array of them, each with a "format"
 * string and a "virtual-size" >= 0); what is refused says why; an accepted
 * info dumped as JSON (as the disk facts are stored) parses again to the
 * same value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "disk/disk_int.h"

static void check_image(const json_t *img)
{
	const char *fmt = json_string_value(json_object_get(img, "format"));
	const json_t *vs = json_object_get(img, "virtual-size");
	if (!json_is_object(img) || !fmt || !fmt[0] || !json_is_integer(vs) ||
	    json_integer_value(vs) < 0)
		abort();
}

static void check(const uint8_t *data, size_t size, int chain)
{
	char why[200] = "";
	json_t *info = NULL;
	if (disk_qemu_img_parse((const char *)data, size, chain, &info, why, sizeof(why)) < 0) {
		if (info || !why[0])
			abort();
		return;
	}
	if (!chain) {
		check_image(info);
	} else {
		if (!json_is_array(info) || json_array_size(info) == 0)
			abort();
		for (size_t i = 0; i < json_array_size(info); i++)
			check_image(json_array_get(info, i));
	}
	char *text = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
	json_t *back = NULL;
	if (!text || disk_qemu_img_parse(text, strlen(text), chain, &back, why, sizeof(why)) < 0 ||
	    !json_equal(back, info))
		abort();
	json_decref(back);
	free(text);
	json_decref(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, 0);
	check(data, size, 1);
	return 0;
}
