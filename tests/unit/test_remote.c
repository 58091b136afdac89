/* remote/ssh and the libvirt target's URI reading: destinations, quoting for
 * the remote shell, the ssh and scp command lines (dry run), the journal's
 * record of a remote directory, and qemu+ssh:// URIs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remote/ssh.h"
#include "targets/libvirt.h"
#include "util/err.h"

static void test_parse(void **state)
{
	(void)state;
	struct vb_ssh s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vb_ssh_parse("root@10.0.0.2:2222", &s), 0);
	assert_string_equal(s.user, "root");
	assert_string_equal(s.host, "10.0.0.2");
	assert_int_equal(s.port, 2222);
	assert_int_equal(vb_ssh_parse("bench-host.example", &s), 0);
	assert_string_equal(s.user, "");
	assert_string_equal(s.host, "bench-host.example");
	assert_int_equal(s.port, 0);
	char name[64];
	vb_ssh_name(&s, name, sizeof(name));
	assert_string_equal(name, "bench-host.example");
	static const char *bad[] = {"", "@host", "user@", "a b", "u@h:0", "u@h:70000",
				    "u@h:x", "u;rm@h", "u@h;x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vb_ssh_parse(bad[i], &s), -EINVAL);
		assert_non_null(strstr(vb_errmsg(), "is not USER@HOST"));
	}
}

static void test_quote(void **state)
{
	(void)state;
	char q[64];
	vb_ssh_quote("/var/tmp/a b", q, sizeof(q));
	assert_string_equal(q, "'/var/tmp/a b'");
	vb_ssh_quote("it's", q, sizeof(q));
	assert_string_equal(q, "'it'\\''s'");
	vb_ssh_quote("$(reboot)", q, sizeof(q));
	assert_string_equal(q, "'$(reboot)'");
}

static void test_cmd(void **state)
{
	(void)state;
	struct vb_ssh s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vb_ssh_parse("root@127.0.0.1:2222", &s), 0);
	snprintf(s.keyfile, sizeof(s.keyfile), "/k/id");
	s.no_verify = 1;
	struct cmd *c = vb_ssh_cmd(&s);
	cmd_arg(c, "true");
	char *line = cmd_render(c);
	assert_string_equal(line, "ssh -T -o BatchMode=yes -o ConnectTimeout=10 -o "
				  "ServerAliveInterval=5 -o ServerAliveCountMax=3 -o "
				  "StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o "
				  "LogLevel=ERROR -i /k/id -p 2222 root@127.0.0.1 -- true");
	free(line);
	cmd_free(c);
	/* scp's port flag is -P: the copy, as the dry run prints it */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cmd_set_dry_run(f);
	s.no_verify = 0;
	assert_int_equal(vb_ssh_put(&s, "/a/vmbench-agent", "/var/tmp/r/vmbench-agent"), 0);
	cmd_set_dry_run(NULL);
	fclose(f);
	assert_non_null(strstr(buf, "scp -o BatchMode=yes"));
	assert_non_null(strstr(buf, "-i /k/id -P 2222 /a/vmbench-agent "
				    "root@127.0.0.1:/var/tmp/r/vmbench-agent"));
	assert_null(strstr(buf, "StrictHostKeyChecking"));
	free(buf);
}

/* a remote directory vmbench would rm -rf must be its own: absolute, two
 * levels deep, no "..", no quote */
static void test_dir_safety(void **state)
{
	(void)state;
	struct vb_ssh s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vb_ssh_parse("root@127.0.0.1", &s), 0);
	char id[JOURNAL_ID_MAX] = "";
	static const char *bad[] = {"/", "/var", "relative/dir", "/var/tmp/../..", "/var/tmp/a'b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vb_ssh_mkdir(&s, bad[i], id), -EINVAL);
	char said[256];
	/* an unreadable record is dropped, never sent to a host */
	assert_int_equal(vb_ssh_undo_dir("/var/tmp/x", "garbage", said, sizeof(said)), 0);
	assert_non_null(strstr(said, "unreadable"));
	assert_int_equal(vb_ssh_undo_dir("/", "root@h|0|", said, sizeof(said)), 0);
}

static void test_uri(void **state)
{
	(void)state;
	assert_false(lv_uri_is_remote("qemu:///system"));
	assert_false(lv_uri_is_remote("qemu:///system?socket=/x"));
	assert_true(lv_uri_is_remote("qemu+ssh://root@h/system"));
	struct vb_ssh s;
	assert_int_equal(
	    lv_uri_ssh("qemu+ssh://bench@10.1.2.3:2200/system?keyfile=/k/id&no_verify=1", &s), 0);
	assert_string_equal(s.user, "bench");
	assert_string_equal(s.host, "10.1.2.3");
	assert_int_equal(s.port, 2200);
	assert_string_equal(s.keyfile, "/k/id");
	assert_int_equal(s.no_verify, 1);
	assert_int_equal(lv_uri_ssh("qemu+ssh://h/system?no_tty=1", &s), 0);
	assert_string_equal(s.host, "h");
	assert_string_equal(s.keyfile, "");
	assert_int_equal(lv_uri_ssh("qemu+tcp://h/system", &s), -EINVAL);
	assert_non_null(strstr(vb_errmsg(), "only qemu+ssh://"));
	assert_int_equal(lv_uri_ssh("qemu+ssh://h", &s), -EINVAL);
}

int main(void)
{
	vb_err_set_quiet(1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),	cmocka_unit_test(test_quote),
	    cmocka_unit_test(test_cmd),		cmocka_unit_test(test_dir_safety),
	    cmocka_unit_test(test_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
