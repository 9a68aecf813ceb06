// Prints the cookie of the network namespace it runs in (SO_NETNS_COOKIE), which the socket-redirect program compares
// with bpf_get_netns_cookie() to act only on the host's sockets. Node has no getsockopt, hence this helper.
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int main(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0) {
		perror("netns-cookie");
		return 1;
	}
	printf("%llu\n", (unsigned long long)cookie);
	return 0;
}
