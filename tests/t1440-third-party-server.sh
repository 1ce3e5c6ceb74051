#!/bin/sh
# An unmodified third-party server from a Debian source package: Redis
# (Debian's `redis` source, mk/third-party.sh: MALLOC=libc, no jemalloc),
# redis-server built with uniscope-cc and run under `uniscope run --port`,
# persistence off by its own configuration file on the root file system;
# driven by its own clients, redis-cli and redis-benchmark, built for the
# host from the same tree. `uniscope ps` shows its threads: the event loop
# and its background I/O threads.
. "$(dirname "$0")/lib.sh"

PORT=$(test_port)
R=$BUILD/third-party/redis
cli() { timeout 60 $R/linux/redis-cli -p $PORT "$@"; }

third_party() {
	dir=$(nice sh "$ROOT/mk/third-party.sh" redis "$BUILD" 2>"$TRASH/build-redis.log") ||
		{ cat "$TRASH/build-redis.log"; return 1; }
}

test_expect_success 'redis builds unmodified with uniscope-cc (MALLOC=libc); its clients for the host' '
	third_party &&
	test -x $dir/guest/redis-server && test -x $dir/linux/redis-cli &&
	test -x $dir/linux/redis-benchmark &&
	readelf -n $dir/guest/redis-server | grep -q "Xen" &&
	grep -q "uniscope-cc" $dir/guest/build.log
'

test_expect_success 'redis-server starts under --port with its config from the root file system' '
	third_party &&
	mkdir -p root &&
	printf "port 6379\nbind 0.0.0.0\nprotected-mode no\nsave \"\"\nappendonly no\ndir /\n" >root/redis.conf &&
	start_session redis $dir/guest/redis-server "-- /redis.conf" \
		--port $PORT:6379 --rootfs root --mem 256M &&
	introspect_wait_console redis "Ready to accept connections" 120 &&
	expect_grep "Configuration loaded" $SESSION_DIR/console.log &&
	expect_no_grep "not supported" $SESSION_DIR/console.log
'

test_expect_success 'redis-cli: strings, counters, lists, hashes, expiry, as Redis answers them' '
	expect_equal "$(cli ping)" PONG &&
	expect_equal "$(cli set greeting "hello uniscope")" OK &&
	expect_equal "$(cli get greeting)" "hello uniscope" &&
	expect_equal "$(cli incrby counter 40)" 40 &&
	expect_equal "$(cli incr counter)" 41 &&
	expect_equal "$(cli rpush list a b c)" 3 &&
	expect_equal "$(cli lrange list 0 -1 | tr "\n" " ")" "a b c " &&
	expect_equal "$(cli hset h f1 v1 f2 v2)" 2 &&
	expect_equal "$(cli hget h f2)" v2 &&
	expect_equal "$(cli set ephemeral x px 200)" OK &&
	sleep 1 &&
	expect_equal "$(cli exists ephemeral)" 0 &&
	expect_equal "$(cli dbsize)" 4 &&
	cli info server >info &&
	expect_grep "^multiplexing_api:epoll" info &&
	cli config get save >save &&
	expect_equal "$(sed -n 2p save)" ""
'

test_expect_success 'redis-benchmark: SET, GET, INCR, LPUSH 4 clients at a time, then the data is there' '
	timeout 300 $R/linux/redis-benchmark -p $PORT -n 500 -c 4 -t set,get,incr,lpush \
		--csv >bench.csv &&
	expect_equal "$(grep -c -E "^\"(SET|GET|INCR|LPUSH)\"," bench.csv)" 4 &&
	expect_equal "$(cli llen mylist)" 500 &&
	expect_equal "$(cli get counter:__rand_int__)" 500
'

# Redis's event loop wakes 10 times a second (its serverCron, hz 10): a
# snapshot on a loaded machine can find it running; the next ones find it
# waiting.
ps_until_main_waits() {
	for i in $(seq 20); do
		$UNISCOPE ps redis >ps && grep -E -q "^ +[0-9]+ main +blocked +poll " ps && return 0
		sleep 0.5
	done
	cat ps
	return 1
}

test_expect_success 'uniscope ps: the event loop and the background I/O threads' '
	ps_until_main_waits &&
	expect_grep " bio_close_file +blocked +futex " ps &&
	expect_grep " bio_aof_fsync " ps &&
	expect_grep " bio_lazy_free " ps
'

test_expect_success 'redis-cli shutdown nosave: the server ends, status 0' '
	cli shutdown nosave;
	timeout 60 $UNISCOPE wait redis &&
	expect_grep "Redis is now ready to exit, bye bye" $XDG_RUNTIME_DIR/uniscope/redis/console.log
'

test_done
