/*
 * bench/net-init.c: /init of the minimal Linux VM bench/net.sh compares a
 * uniscope server with. Debian's kernel has virtio-net, virtio-mmio and
 * virtio itself as modules and no in-kernel IP autoconfiguration, so this
 * does what an initramfs's tools would: loads the modules the script put
 * in /modules (in the order of the file /modules/order, dependencies
 * first, with init_module(2)), waits for eth0, gives lo and eth0 their
 * addresses (10.0.2.15/24, as QEMU's user networking and the unikernel's
 * DHCP have it) with ioctls, brings them up, and execs the server with
 * its arguments: argv[1..] of this program, which the kernel passes from
 * its command line after "--". Built with musl-gcc -static.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int load_module(const char *path)
{
	static char image[4 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return perror(path), -1;
	n = read(fd, image, sizeof(image));
	close(fd);
	if (n <= 0 || (size_t)n == sizeof(image))
		return fprintf(stderr, "net-init: %s: bad size\n", path), -1;
	if (syscall(SYS_init_module, image, (unsigned long)n, "") != 0)
		return perror(path), -1;
	return 0;
}

static int load_modules(void)
{
	char name[256], path[300];
	FILE *order = fopen("/modules/order", "r");

	if (!order)
		return perror("/modules/order"), -1;
	while (fgets(name, sizeof(name), order)) {
		name[strcspn(name, "\n")] = 0;
		snprintf(path, sizeof(path), "/modules/%s", name);
		if (load_module(path) < 0)
			return fclose(order), -1;
	}
	fclose(order);
	return 0;
}

static int set_addr(int s, const char *ifname, unsigned long req, const char *addr)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	return ioctl(s, req, &ifr);
}

static int bring_up(int s, const char *ifname, const char *addr, const char *mask)
{
	struct ifreq ifr = { 0 };

	if (set_addr(s, ifname, SIOCSIFADDR, addr) < 0 || set_addr(s, ifname, SIOCSIFNETMASK, mask) < 0)
		return perror(ifname), -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return perror(ifname), -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return perror(ifname), -1;
	return 0;
}

int main(int argc, char **argv)
{
	int s, tries;

	if (argc < 2)
		return fprintf(stderr, "net-init: no server to run\n"), 1;
	if (load_modules() < 0)
		return 1;
	for (tries = 0; tries < 500 && !if_nametoindex("eth0"); tries++)
		usleep(10000);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || bring_up(s, "lo", "127.0.0.1", "255.0.0.0") < 0 ||
	    bring_up(s, "eth0", "10.0.2.15", "255.255.255.0") < 0)
		return 1;
	close(s);
	printf("net-init: eth0 10.0.2.15 up; exec %s\n", argv[1]);
	fflush(stdout);
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 1;
}
