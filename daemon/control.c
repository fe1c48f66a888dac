// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

static int fill_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

int camfence_control_check_dir(const char *path, char *why, size_t len)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	uid_t self = geteuid();

	if (strlen(path) >= sizeof(dir)) {
		snprintf(why, len, "control socket %.80s...: path too long (%zu bytes at most)", path,
			 sizeof(dir) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(dir, path);
	dirname(dir);
	/* missing: camfence_control_listen makes it 0700; unreadable: it says why */
	if (stat(dir, &st))
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "control socket %s: %s is not a directory", path, dir);
		return -ENOTDIR;
	}
	if (st.st_uid != 0 && st.st_uid != self) {
		snprintf(why, len, "control socket %s: its directory %s is owned by uid %u, who could put a socket of their own in camfenced's place: chown root %s, or choose another with -s",
			 path, dir, (unsigned int)st.st_uid, dir);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, len, "control socket %s: its directory %s is writable by %s (mode %04o), who could put a socket of their own in camfenced's place: chmod go-w %s",
			 path, dir, (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ?
			 "group and others" : st.st_mode & S_IWGRP ? "group" : "others",
			 (unsigned int)(st.st_mode & 07777), dir);
		return -EPERM;
	}
	return 0;
}

int camfence_control_listen(const char *path)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)];
	int fd, ret;

	ret = fill_addr(&sun, path);
	if (ret)
		return ret;
	strcpy(dir, path);
	/* the directory is root's alone, whatever the umask */
	if (mkdir(dirname(dir), 0700) && errno != EEXIST)
		return -errno;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0600) || listen(fd, 16)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

int camfence_control_accept(int lfd, char *req, size_t len, uid_t *peer)
{
	struct timeval tv = { .tv_sec = 1 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a client that sends nothing must not stall the daemon */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* the line is read whoever asks: a socket closed on unread data would
	 * reset the connection before the client reads why it was refused */
	while (n < len - 1) {
		r = read(fd, req + n, 1);
		if (r <= 0 || req[n] == '\n')
			break;
		n++;
	}
	req[n] = '\0';
	/* the socket's mode keeps others out; this holds even if it is changed */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen)) {
		dprintf(fd, "error: camfenced cannot tell who is asking (SO_PEERCRED: %s); it answers root only\n",
			strerror(errno));
		close(fd);
		*peer = (uid_t)-1;
		return -EPERM;
	}
	if (cred.uid != 0) {
		dprintf(fd, "error: camfenced answers root only; uid %u is refused\n",
			(unsigned int)cred.uid);
		close(fd);
		*peer = cred.uid;
		return -EPERM;
	}
	return fd;
}

int camfence_control_request(const char *path, const char *req, FILE *out, FILE *err)
{
	struct sockaddr_un sun;
	char buf[4096];
	int fd, ret, first = 1, status = 0;
	FILE *to = out;
	ssize_t n;

	ret = fill_addr(&sun, path);
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (dprintf(fd, "%s\n", req) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		if (first) {
			first = 0;
			if (!strncmp(buf, "ok\n", n < 3 ? n : 3)) {
				p += 3;
				n -= 3;
			} else {
				/* "error: why": the caller's error stream, named */
				status = 1;
				to = err;
				fputs("camfenced: ", to);
				if (!strncmp(buf, "error: ", n < 7 ? n : 7)) {
					p += 7;
					n -= 7;
				}
			}
		}
		fwrite(p, 1, n, to);
	}
	close(fd);
	if (first)
		return -ECONNRESET;
	return status;
}
