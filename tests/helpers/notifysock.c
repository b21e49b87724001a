/*
 * notifysock - a stand-in for the service manager's notification socket
 * (sd_notify(3)), for tests/integration/daemon_notify.sh.
 *
 *   notifysock SOCKET LOG SECONDS
 *
 * Binds a Unix datagram socket at SOCKET and appends every datagram it
 * receives to LOG, one variable assignment a line, each message followed
 * by a line "--". Exits 0 on SIGTERM or after SECONDS (a hang guard).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t done;

static void
on_term(int sig)
{
	(void)sig;
	done = 1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *log;
	int fd;

	if (argc != 4 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notifysock SOCKET LOG SECONDS\n");
		return 64;
	}
	time_t end = time(NULL) + atoi(argv[3]);
	signal(SIGTERM, on_term);
	strcpy(sa.sun_path, argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(argv[1]);
		return 1;
	}
	if (!(log = fopen(argv[2], "a"))) {
		perror(argv[2]);
		return 1;
	}
	while (!done && time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		fprintf(log, "%s%s--\n", buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
		fflush(log);
	}
	fclose(log);
	unlink(argv[1]);
	return 0;
}
