/*
 * lwIP's configuration for the libOS (lwIP: src/include/lwip/opt.h says
 * what each option does).
 *
 * NO_SYS=0: lwIP runs with an OS, the libOS's threads and wait queues
 * (sys_arch.c). Application threads block in the netconn API (accept, recv,
 * a full send buffer) like the threads of any Linux program block in the
 * kernel, and the debugger sees them waiting on the stack's mailboxes.
 * With core locking, an application's call into lwIP runs in the caller's
 * thread holding the core lock instead of being passed to the tcpip
 * thread and back (two context switches a call); received frames are
 * processed in the tcpip thread (the device's interrupt only schedules
 * that). NO_SYS=1 would have meant a network thread that every socket
 * call queues work for and waits on: the same switches, none of lwIP's
 * own blocking.
 *
 * Memory comes from the libOS's malloc (MEM_LIBC_MALLOC, MEMP_MEM_MALLOC):
 * no fixed pools to size, connections bounded by RAM.
 */
#ifndef LIBOS_NET_LWIPOPTS_H
#define LIBOS_NET_LWIPOPTS_H

#define NO_SYS 0
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define LWIP_TIMERS 1
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 16384
#define TCPIP_THREAD_PRIO 1
#define TCPIP_MBOX_SIZE 512
#define DEFAULT_THREAD_STACKSIZE 16384
#define DEFAULT_TCP_RECVMBOX_SIZE 128
#define DEFAULT_UDP_RECVMBOX_SIZE 128
#define DEFAULT_ACCEPTMBOX_SIZE 256

/* Memory */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
#define PBUF_POOL_BUFSIZE 1600
#define MEMP_NUM_TCPIP_MSG_INPKT 512

/* The APIs: netconn, under the libOS's own BSD socket layer (libos/net/socket.c) */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1 /* for netconn->socket only: lwIP's sockets.c is not built */
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_NETIF_API 0
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 0
#define SO_REUSE 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_NETCONN_FULLDUPLEX 0
#define LWIP_NETCONN_SEM_PER_THREAD 0

/* Protocols */
#define LWIP_ETHERNET 1
#define LWIP_ARP 1
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_NUM_ADDRESSES 3
#define IPV6_FRAG_COPYHEADER 1 /* 64-bit pointers do not fit in the fragment header */
#define LWIP_ICMP 1
#define LWIP_DHCP 1
#define LWIP_DHCP_DOES_ACD_CHECK 0
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0 /* musl resolves names itself, over UDP sockets */
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_HAVE_LOOPIF 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define ETH_PAD_SIZE 0

/* TCP */
/*
 * TIME-WAIT lasts 2 * TCP_MSL. lwIP answers a SYN that meets a connection
 * in TIME-WAIT with an ACK, where Linux would start the new connection;
 * and QEMU's user networking connects to the guest from the host client's
 * own port, which the host reuses as soon as it likes (the server closed
 * first, so the host keeps no TIME-WAIT). With lwIP's 2 minutes, a busy
 * server refused reused ports for seconds at a time. The peer is QEMU's
 * TCP proxy on the same machine: no segment of an old connection is still
 * in flight after a second.
 */
#define TCP_MSL 1000
#define TCP_MSS 1460
#define TCP_WND (32 * TCP_MSS)
#define TCP_SND_BUF (32 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define TCP_QUEUE_OOSEQ 1
#define LWIP_WND_SCALE 0
#define LWIP_TCP_TIMESTAMPS 0
#define MEMP_NUM_TCP_SEG TCP_SND_QUEUELEN

/* Hooks (arch/tcp_hooks.h): every TCP segment sent passes by the retransmission trace. */
#define LWIP_HOOK_FILENAME "arch/tcp_hooks.h"
#define LWIP_HOOK_TCP_OUT_ADD_TCPOPTS(p, hdr, pcb, opts) net_tcp_segment_out(p, hdr, pcb, opts)

/* Checks and statistics */
#define LWIP_STATS 0
#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_NOASSERT_ON_ERROR 0

#endif
