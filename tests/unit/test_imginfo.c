/* disk_qemu_img_parse (src/disk/imginfo.c): what `qemu-img info
 * --output=json` prints, as an image and as a backing chain; what is refused
 * (not JSON, a duplicate key, no format, a negative or non-integer size, an
 * empty or mixed chain) and why; and, where qemu-img is installed, the real
 * output of a raw base under a qcow2 overlay through disk_qemu_img_info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk/disk_int.h"
#include "util/cmd.h"
#include "util/err.h"

/* as qemu-img 7.2 prints it (fuzz/corpus/qemu_img/chain-qcow2-raw.json, cut) */
static const char chain_text[] =
    "[\n"
    "    {\n"
    "        \"backing-filename-format\": \"raw\",\n"
    "        \"virtual-size\": 268435456,\n"
    "        \"filename\": \"ov2.qcow2\",\n"
    "        \"cluster-size\": 65536,\n"
    "        \"format\": \"qcow2\",\n"
    "        \"actual-size\": 200704,\n"
    "        \"full-backing-filename\": \"base.raw\",\n"
    "        \"backing-filename\": \"base.raw\",\n"
    "        \"dirty-flag\": false\n"
    "    },\n"
    "    {\n"
    "        \"virtual-size\": 67108864,\n"
    "        \"filename\": \"base.raw\",\n"
    "        \"format\": \"raw\",\n"
    "        \"actual-size\": 4096,\n"
    "        \"dirty-flag\": false\n"
    "    }\n"
    "]\n";

static int parse(const char *text, int chain, json_t **out, char *why, size_t n)
{
	return disk_qemu_img_parse(text, strlen(text), chain, out, why, n);
}

static void test_accepts(void **state)
{
	(void)state;
	char why[200];
	json_t *j = NULL;
	assert_int_equal(parse(chain_text, 1, &j, why, sizeof(why)), 0);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "format")),
			    "raw");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "virtual-size")),
			 268435456);
	json_decref(j);
	/* a single image; zero bytes is a size */
	const char *one = "{\"virtual-size\": 0, \"filename\": \"e.raw\", \"format\": \"raw\"}";
	assert_int_equal(parse(one, 0, &j, why, sizeof(why)), 0);
	assert_true(json_is_object(j));
	json_decref(j);
	/* the length is the caller's: bytes after it are not read */
	const char *img = "{\"format\":\"raw\",\"virtual-size\":1}garbage";
	assert_int_equal(disk_qemu_img_parse(img, strcspn(img, "g"), 0, &j, why, sizeof(why)), 0);
	json_decref(j);
}

static void test_refuses(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int chain;
		const char *why;
	} cases[] = {
	    {"", 0, "not JSON"},
	    {"qemu-img: Could not open 'x': No such file", 0, "not JSON"},
	    {"{\"format\":\"raw\",\"format\":\"qcow2\",\"virtual-size\":1}", 0, "not JSON"},
	    {"[]", 0, "the image is not a JSON object"},
	    {"{\"virtual-size\":1}", 0, "the image has no \"format\""},
	    {"{\"virtual-size\":1,\"format\":\"\"}", 0, "no \"format\""},
	    {"{\"virtual-size\":-1,\"format\":\"raw\"}", 0, "no \"virtual-size\" in bytes"},
	    {"{\"virtual-size\":1.5,\"format\":\"raw\"}", 0, "no \"virtual-size\""},
	    {"{\"format\":\"raw\"}", 0, "no \"virtual-size\""},
	    {"{\"virtual-size\":1,\"format\":\"raw\"}", 1, "not a non-empty JSON array"},
	    {"[]", 1, "not a non-empty JSON array"},
	    {"[{\"virtual-size\":1,\"format\":\"raw\"},{\"virtual-size\":2}]", 1,
	     "image 2 of the chain has no \"format\""},
	    {"[{\"virtual-size\":1,\"format\":\"raw\"},7]", 1,
	     "image 2 of the chain is not a JSON object"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char why[200] = "";
		json_t *j = (json_t *)1;
		assert_int_equal(parse(cases[i].text, cases[i].chain, &j, why, sizeof(why)), -EIO);
		assert_null(j);
		if (!strstr(why, cases[i].why))
			fail_msg("'%s' (chain %d): '%s' does not say '%s'", cases[i].text,
				 cases[i].chain, why, cases[i].why);
	}
}

/* the real program's output, through the function the disk code calls */
static void test_real_qemu_img(void **state)
{
	(void)state;
	if (!disk_have_program("qemu-img"))
		skip();
	char dir[] = "/tmp/vb-imginfo.XXXXXX", base[64], top[64];
	assert_non_null(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/base.raw", dir);
	snprintf(top, sizeof(top), "%s/top.qcow2", dir);
	struct cmd *c = cmd_new("qemu-img");
	cmd_args(c, "create", "-q", "-f", "raw", base, "3M", NULL);
	assert_int_equal(cmd_run(c, NULL), 0);
	cmd_free(c);
	c = cmd_new("qemu-img");
	cmd_args(c, "create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", top, "5M", NULL);
	assert_int_equal(cmd_run(c, NULL), 0);
	cmd_free(c);
	json_t *chain = NULL, *one = NULL;
	assert_int_equal(disk_qemu_img_info(NULL, top, 1, &chain), 0);
	assert_int_equal(disk_qemu_img_info(NULL, base, 0, &one), 0);
	unlink(top);
	unlink(base);
	rmdir(dir);
	assert_int_equal(json_array_size(chain), 2);
	json_t *t = json_array_get(chain, 0), *b = json_array_get(chain, 1);
	assert_string_equal(json_string_value(json_object_get(t, "format")), "qcow2");
	assert_int_equal(json_integer_value(json_object_get(t, "virtual-size")), 5 << 20);
	assert_string_equal(json_string_value(json_object_get(b, "format")), "raw");
	assert_int_equal(json_integer_value(json_object_get(b, "virtual-size")), 3 << 20);
	assert_string_equal(json_string_value(json_object_get(one, "format")), "raw");
	json_decref(chain);
	json_decref(one);
}

int main(void)
{
	vb_err_set_quiet(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepts),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_real_qemu_img),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
