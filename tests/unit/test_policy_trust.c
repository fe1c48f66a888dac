// SPDX-License-Identifier: GPL-2.0
/* Who could have written a policy file: the judgement itself on made-up
 * stats, then through the parser on real files and includes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "policy_trust.h"
#include "unit.h"

#define GOOD_POLICY "zone z {\n\tinterface lan0\n}\n"

static struct stat st_of(uid_t uid, mode_t mode)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_uid = uid;
	st.st_mode = mode;
	return st;
}

/* judge FILE_UID FILE_MODE DIR_UID DIR_MODE SELF: the message, "" when trusted */
static const char *judge(uid_t fu, mode_t fm, uid_t du, mode_t dm, uid_t self)
{
	static char why[512];
	struct stat f = st_of(fu, S_IFREG | fm), d = st_of(du, S_IFDIR | dm);

	why[0] = '\0';
	if (camfence_policy_trust_check("/etc/camfence/camfence.conf", &f, "/etc/camfence", &d, self,
					why, sizeof(why)))
		ck_assert_msg(why[0], "refused without a reason");
	else
		ck_assert_msg(!why[0], "trusted with a reason: %s", why);
	return why;
}

START_TEST(root_file_in_root_directory)
{
	ck_assert_str_eq(judge(0, 0644, 0, 0755, 0), "");
	ck_assert_str_eq(judge(0, 0600, 0, 0700, 0), "");
	ck_assert_str_eq(judge(0, 0444, 0, 0755, 0), "");
}
END_TEST

START_TEST(writable_by_group_or_others)
{
	ck_assert_str_eq(judge(0, 0666, 0, 0755, 0),
			 "writable by group and others (mode 0666): chmod go-w /etc/camfence/camfence.conf");
	ck_assert_str_eq(judge(0, 0664, 0, 0755, 0),
			 "writable by group (mode 0664): chmod g-w /etc/camfence/camfence.conf");
	ck_assert_str_eq(judge(0, 0646, 0, 0755, 0),
			 "writable by others (mode 0646): chmod o-w /etc/camfence/camfence.conf");
	/* a sticky or setuid bit changes nothing */
	ck_assert_str_eq(judge(0, 04602, 0, 0755, 0),
			 "writable by others (mode 4602): chmod o-w /etc/camfence/camfence.conf");
}
END_TEST

START_TEST(owned_by_someone_else)
{
	const char *why = judge(12345, 0644, 0, 0755, 0);

	ck_assert_msg(!strcmp(why, "owned by uid 12345, not root: only root may change what camfenced enforces: chown root /etc/camfence/camfence.conf"),
		      "%s", why);
	/* the daemon's own uid is as good as root's */
	ck_assert_str_eq(judge(12345, 0644, 12345, 0755, 12345), "");
	/* the owner comes before the mode */
	ck_assert(strstr(judge(12345, 0666, 0, 0755, 0), "owned by uid 12345"));
}
END_TEST

START_TEST(directory_others_could_write)
{
	ck_assert_str_eq(judge(0, 0644, 0, 0777, 0),
			 "its directory /etc/camfence is writable by group and others (mode 0777), who could put another file in its place: chmod go-w /etc/camfence");
	ck_assert_str_eq(judge(0, 0644, 0, 0775, 0),
			 "its directory /etc/camfence is writable by group (mode 0775), who could put another file in its place: chmod g-w /etc/camfence");
	/* sticky, as /tmp: nobody may rename or remove root's file there */
	ck_assert_str_eq(judge(0, 0644, 0, 01777, 0), "");
	ck_assert(strstr(judge(0, 0644, 12345, 0755, 0),
			 "its directory /etc/camfence is owned by uid 12345, who could put another file in its place: chown root /etc/camfence"));
}
END_TEST

/* ---- through the parser ---- */

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/camfence-trust-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
}

static char *put(const char *name, const char *text, mode_t mode)
{
	char *path;
	FILE *f;

	ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(daemon_refuses_warn_only_warns)
{
	char *top, want[256];
	struct cf_config *cfg;

	make_dir();
	top = put("camfence.conf", GOOD_POLICY, 0666);
	snprintf(want, sizeof(want), "%s:1:1: writable by group and others (mode 0666): chmod go-w %s; camfenced reads no policy file",
		 top, top);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_REQUIRE);
	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	ck_assert_uint_eq(cfg->zones.n, 0);
	camfence_policy_free(cfg);

	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_WARN);
	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_uint_eq(cfg->nwarnings, 1);
	snprintf(want, sizeof(want), "%s:1:1: warning: writable by group and others (mode 0666): chmod go-w %s; camfenced refuses the file until then",
		 top, top);
	ck_assert_msg(strstr(cfg->warnings[0], want), "%s", cfg->warnings[0]);
	ck_assert_uint_eq(cfg->zones.n, 1);
	camfence_policy_free(cfg);

	/* explain, audit and the tests read it as before */
	cfg = camfence_policy_parse_file(top);
	ck_assert_uint_eq(cfg->nerrors + cfg->nwarnings, 0);
	camfence_policy_free(cfg);

	/* fixed as the message says */
	ck_assert_int_eq(chmod(top, 0644), 0);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_REQUIRE);
	ck_assert_uint_eq(cfg->nerrors + cfg->nwarnings, 0);
	camfence_policy_free(cfg);
	free(top);
	remove_dir();
}
END_TEST

START_TEST(included_file_names_itself)
{
	char *top, *inc, want[256];
	struct cf_config *cfg;

	make_dir();
	top = put("camfence.conf", "include site.conf\n", 0644);
	inc = put("site.conf", GOOD_POLICY, 0620);
	snprintf(want, sizeof(want), "%s:1:9: site.conf: writable by group (mode 0620): chmod g-w %s;",
		 top, inc);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_REQUIRE);
	ck_assert_uint_ge(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_WARN);
	ck_assert_uint_eq(cfg->nerrors, 0);
	ck_assert_uint_eq(cfg->nwarnings, 1);
	ck_assert_msg(strstr(cfg->warnings[0], "site.conf: writable by group (mode 0620)"), "%s",
		      cfg->warnings[0]);
	camfence_policy_free(cfg);
	free(inc);
	free(top);
	remove_dir();
}
END_TEST

START_TEST(directory_and_link_judged)
{
	char *top, *sub, *link, want[256];
	struct cf_config *cfg;

	make_dir();
	ck_assert_int_eq(chmod(dir, 0757), 0);
	top = put("camfence.conf", GOOD_POLICY, 0644);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_REQUIRE);
	ck_assert_uint_eq(cfg->nerrors, 1);
	snprintf(want, sizeof(want), "its directory %s is writable by others (mode 0757)", dir);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);

	/* a link from a good directory to a file in a bad one: the bad one counts */
	ck_assert_int_gt(asprintf(&sub, "%s/etc", dir), 0);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_gt(asprintf(&link, "%s/camfence.conf", sub), 0);
	ck_assert_int_eq(symlink(top, link), 0);
	cfg = camfence_policy_parse_file_trust(link, CF_TRUST_REQUIRE);
	ck_assert_uint_eq(cfg->nerrors, 1);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
	free(link);
	free(sub);
	free(top);
	remove_dir();
}
END_TEST

START_TEST(file_of_another_user)
{
	char *top, want[256];
	struct cf_config *cfg;

	if (geteuid() != 0)
		return;	/* only root can give a file away */
	make_dir();
	top = put("camfence.conf", GOOD_POLICY, 0644);
	ck_assert_int_eq(chown(top, 65534, 65534), 0);
	cfg = camfence_policy_parse_file_trust(top, CF_TRUST_REQUIRE);
	ck_assert_uint_eq(cfg->nerrors, 1);
	snprintf(want, sizeof(want), "%s:1:1: owned by uid 65534", top);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	snprintf(want, sizeof(want), "not root: only root may change what camfenced enforces: chown root %s;",
		 top);
	ck_assert_msg(strstr(cfg->errors[0], want), "%s", cfg->errors[0]);
	camfence_policy_free(cfg);
	free(top);
	remove_dir();
}
END_TEST

/* An admin checking a draft of their own, as themselves: camfencectl check
 * still warns that camfenced, as root, will refuse it. */
START_TEST(draft_of_a_user_warned_as_root_sees_it)
{
	char *top;
	pid_t pid;
	int status;

	if (geteuid() != 0)
		return;	/* only root can become another user */
	make_dir();
	ck_assert_int_eq(chmod(dir, 01777), 0);
	top = put("draft.conf", GOOD_POLICY, 0644);
	ck_assert_int_eq(chown(top, 65534, 65534), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct cf_config *cfg;
		int ok;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		cfg = camfence_policy_parse_file_trust(top, CF_TRUST_WARN);
		ok = cfg->nerrors == 0 && cfg->nwarnings == 1 &&
		     strstr(cfg->warnings[0], "owned by uid 65534");
		_exit(ok ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "a user's own draft was not warned about (status %d)", status);
	free(top);
	remove_dir();
}
END_TEST

Suite *policy_trust_suite(void)
{
	Suite *s = suite_create("policy_trust");
	TCase *judged = tcase_create("judged"), *parsed = tcase_create("parsed");

	tcase_add_test(judged, root_file_in_root_directory);
	tcase_add_test(judged, writable_by_group_or_others);
	tcase_add_test(judged, owned_by_someone_else);
	tcase_add_test(judged, directory_others_could_write);
	tcase_add_test(parsed, daemon_refuses_warn_only_warns);
	tcase_add_test(parsed, included_file_names_itself);
	tcase_add_test(parsed, directory_and_link_judged);
	tcase_add_test(parsed, file_of_another_user);
	tcase_add_test(parsed, draft_of_a_user_warned_as_root_sees_it);
	suite_add_tcase(s, judged);
	suite_add_tcase(s, parsed);
	return s;
}
