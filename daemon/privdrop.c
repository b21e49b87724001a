/* privdrop.c - leaving root for the configured user, for good. */
#include "bpaggd.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
switch_ids(const struct passwd *pw, char *err, size_t errlen)
{
	gid_t gid = pw->pw_gid;
	uid_t uid = pw->pw_uid;

	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* After the switch, no id may be 0 and setuid(0) must fail. */
static int
verify_dropped(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		snprintf(err, errlen, "privileges not dropped as expected");
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "root could be regained after dropping privileges");
		return -1;
	}
	return 0;
}

int
bpd_privdrop(const char *user, bool *dropped, char *err, size_t errlen)
{
	struct passwd *pw;

	*dropped = false;
	if (!user || !*user || geteuid() != 0)
		return 0;
	errno = 0;
	if (!(pw = getpwnam(user))) {
		snprintf(err, errlen, "[daemon] user %s: no such user", user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "[daemon] user %s: is root", user);
		return -1;
	}
	if (switch_ids(pw, err, errlen) < 0 ||
	    verify_dropped(pw->pw_uid, pw->pw_gid, err, errlen) < 0)
		return -1;
	*dropped = true;
	return 0;
}
