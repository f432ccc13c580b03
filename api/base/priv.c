#include "api/base/priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

/* The one piece of process state outside struct app: the kernel's credentials are process
 * state already, and this only remembers what main() found at start. */
static struct {
	bool setgid;         /* started with egid != rgid, group not dropped yet */
	bool kept;           /* priv_keep_for() accepted the endpoint */
	bool raised;         /* between priv_socket_begin and priv_socket_end */
	gid_t rgid, egid;
} priv;

static void die(const char *what)
{
	fprintf(stderr, "glovebox: %s: %s; stopping rather than keep a group it must not\n", what,
	        strerror(errno));
	_exit(1);
}

/* setfsgid reports the previous value, never an error: ask again to see what holds. */
static void fsgid_set(gid_t g)
{
	setfsgid(g);
	if ((gid_t)setfsgid((gid_t)-1) != g) {
		errno = EPERM;
		die("cannot set the file system group");
	}
}

void priv_init(void)
{
	priv.rgid = getgid();
	priv.egid = getegid();
	priv.setgid = priv.rgid != priv.egid;
	if (priv.setgid)
		fsgid_set(priv.rgid);
}

bool priv_setgid(void)
{
	return priv.setgid;
}

void priv_drop(void)
{
	if (!priv.setgid)
		return;
	if (setresgid(priv.rgid, priv.rgid, priv.rgid) != 0)
		die("cannot drop the set-group-ID group");
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0 || r != priv.rgid || e != priv.rgid || s != priv.rgid) {
		errno = EPERM;
		die("the set-group-ID group is still held");
	}
	priv.setgid = priv.kept = priv.raised = false;
}

bool priv_keep_for(const char *socket_path)
{
	if (!priv.setgid)
		return false;
	struct stat st;
	bool ok = false;
	if (socket_path) {
		/* Looked up with the group: the socket's directory may be open to the group only. */
		fsgid_set(priv.egid);
		ok = stat(socket_path, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_gid == priv.egid;
		fsgid_set(priv.rgid);
	}
	if (!ok)
		priv_drop();
	priv.kept = ok;
	return ok;
}

void priv_socket_begin(void)
{
	if (priv.setgid && priv.kept && !priv.raised) {
		fsgid_set(priv.egid);
		priv.raised = true;
	}
}

void priv_socket_end(void)
{
	if (priv.raised) {
		fsgid_set(priv.rgid);
		priv.raised = false;
	}
}

void priv_secret_file_begin(void)
{
	priv_socket_begin();
}

void priv_secret_file_end(void)
{
	priv_socket_end();
}
