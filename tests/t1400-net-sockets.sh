#!/bin/sh
# BSD sockets, pipes, eventfds, poll, select and epoll from a POSIX program,
# over the loopback interface (no device: the image still runs, and does
# not wait for an address), with Linux's errors for bad arguments; and the
# network stack is linked only into images that use it.
. "$(dirname "$0")/lib.sh"

NET=$BUILD/tests/images/net.elf

net_mode() {
	run_qemu microvm $NET "$1" out
}

test_expect_success 'sockets over 127.0.0.1 and ::1: TCP, UDP, names, data calls, options, connects' '
	net_mode loopback &&
	expect_no_grep FAILED out &&
	expect_grep "^loopback: accept4 gives the peer ok$" out &&
	expect_grep "^loopback: SO_ERROR ECONNREFUSED ok$" out &&
	expect_grep "^loopback: is seen as ::ffff:127.0.0.1 ok$" out &&
	expect_grep "^loopback: 2000 sockets made and closed, the descriptor reused ok$" out &&
	expect_grep "^loopback: 0 failed$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'an unknown socket option is ENOPROTOOPT, said once by name' '
	expect_grep "^loopback: an unknown option ENOPROTOOPT ok$" out &&
	expect_equal "$(grep -c "not supported by the libOS: socket option" out)" 1
'

test_expect_success 'pipes, eventfds, poll, select, epoll (LT, ET, one-shot), threads woken' '
	net_mode events &&
	expect_no_grep FAILED out &&
	expect_grep "^events: EPOLLONESHOT rearmed ok$" out &&
	expect_grep "^events: ADD, then close the only descriptor: the registration goes ok$" out &&
	expect_grep "^events: a thread in epoll_wait woken by an eventfd ok$" out &&
	expect_grep "^events: poll on a socket, woken by the peer.s data ok$" out &&
	expect_grep "^events: 0 failed$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'bad pointers, lengths and descriptors get Linux errors, never a libOS fault' '
	net_mode badargs &&
	expect_no_grep FAILED out &&
	expect_no_grep "panic|fault in thread" out &&
	expect_grep "^badargs: sendmsg 2000 iovecs EMSGSIZE ok$" out &&
	expect_grep "^badargs: accept address bad EFAULT ok$" out &&
	expect_grep "^badargs: 0 failed$" out &&
	expect_equal $guest_status 0
'

test_expect_success 'an image that never calls socket() links no network stack, one that does links it' '
	nm $EXAMPLES/hello.elf >hello.syms &&
	expect_no_grep " (module_net|module_io|tcp_input|netconn_new_with_proto_and_callback|virtio_net_start)$" hello.syms &&
	nm $NET >net.syms &&
	expect_grep " module_net$" net.syms &&
	expect_grep " module_io$" net.syms &&
	expect_grep " tcp_input$" net.syms
'

test_done
