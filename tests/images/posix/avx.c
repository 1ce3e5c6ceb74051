/*
 * mode avx: the libOS keeps each thread's AVX state (XSAVE) across
 * preemption, interrupts and syscalls. Threads fill ymm0-14 with values of
 * their own, then for a while spin, make syscalls and check all fifteen
 * registers against memory, in one asm block, so the compiler never
 * touches a vector register in between. Two threads only spin and call
 * getppid: they leave the CPU only when the timer preempts them, mid-
 * computation; the third also calls sched_yield every eighth round.
 * A lost upper half (FXSAVE saves only the lower 128 bits) shows as a
 * mismatch. Prints the XCR0 the libOS enabled.
 */
#define _GNU_SOURCE 1 /* pthread_setname_np */
#include <cpuid.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

#define AVX_THREADS 3
#define AVX_ROUNDS 400
#define AVX_SPIN 20000

struct avx_worker {
	_Alignas(32) uint8_t vals[15][32];
	int id;
	int yield_nr;   /* the syscall every eighth round: sched_yield, or getppid again */
	long bad_round; /* -1: every round matched */
};

static int avx_available(uint64_t *xcr0)
{
	unsigned a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	*xcr0 = (uint64_t)hi << 32 | lo;
	return (*xcr0 & 6) == 6;
}

#define LOAD(n) "vmovdqa " #n "*32(%[v]), %%ymm" #n "\n\t"
#define CHECK(n) "vpcmpeqb " #n "*32(%[v]), %%ymm" #n ", %%ymm15\n\t" \
	"vpmovmskb %%ymm15, %%eax\n\t" "cmp $-1, %%eax\n\t" "jne 9f\n\t"

/* Returns the round that found a register changed, or -1. */
static long avx_rounds(struct avx_worker *w)
{
	long bad;

	__asm__ volatile(
		LOAD(0) LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7)
		LOAD(8) LOAD(9) LOAD(10) LOAD(11) LOAD(12) LOAD(13) LOAD(14)
		"xor %[bad], %[bad]\n"
		"1:\n\t"
		"mov %[spin], %%edx\n"
		"2:\n\t"
		"dec %%edx\n\t"
		"jnz 2b\n\t"
		"mov %[ppid], %%eax\n\t"
		"syscall\n\t"
		"test $7, %[bad]\n\t"
		"jnz 3f\n\t"
		"mov %[yield], %%eax\n\t"
		"syscall\n"
		"3:\n\t"
		CHECK(0) CHECK(1) CHECK(2) CHECK(3) CHECK(4) CHECK(5) CHECK(6) CHECK(7)
		CHECK(8) CHECK(9) CHECK(10) CHECK(11) CHECK(12) CHECK(13) CHECK(14)
		"inc %[bad]\n\t"
		"cmp %[rounds], %[bad]\n\t"
		"jb 1b\n\t"
		"mov $-1, %[bad]\n"
		"9:\n\t"
		"vzeroupper\n"
		: [bad] "=&r"(bad)
		: [v] "r"(w->vals), [spin] "i"(AVX_SPIN), [rounds] "i"(AVX_ROUNDS),
		  [ppid] "i"(SYS_getppid), [yield] "m"(w->yield_nr)
		: "rax", "rcx", "rdx", "r11", "memory", "cc",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
		  "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return bad;
}

static void *avx_thread(void *arg)
{
	struct avx_worker *w = arg;

	w->bad_round = avx_rounds(w);
	return 0;
}

int mode_avx(void)
{
	static struct avx_worker workers[AVX_THREADS];
	pthread_t t[AVX_THREADS];
	uint64_t xcr0 = 0;
	int bad = 0;

	if (!avx_available(&xcr0)) {
		printf("avx: not available (xcr0 %#llx)\n", (unsigned long long)xcr0);
		return 0;
	}
	printf("avx: xcr0 %#llx\n", (unsigned long long)xcr0);
	for (int i = 0; i < AVX_THREADS; i++) {
		workers[i].id = i;
		workers[i].yield_nr = i == AVX_THREADS - 1 ? SYS_sched_yield : SYS_getppid;
		for (int r = 0; r < 15; r++)
			for (int b = 0; b < 32; b++)
				workers[i].vals[r][b] = (uint8_t)(i * 64 + r * 3 + b * 7 + 1);
		pthread_create(&t[i], 0, avx_thread, &workers[i]);
	}
	for (int i = 0; i < AVX_THREADS; i++) {
		pthread_join(t[i], 0);
		if (workers[i].bad_round >= 0) {
			printf("avx: thread %d found a ymm register changed in round %ld\n", i,
			       workers[i].bad_round);
			bad++;
		}
	}
	printf("avx: %d threads x %d rounds, %s\n", AVX_THREADS, AVX_ROUNDS,
	       bad ? "ymm state LOST" : "ymm state intact");
	return bad ? 1 : 0;
}

/*
 * mode avxsleep: a thread "avx-sleep" with ymm0 = { 1, 2, ..., 8 } (int32)
 * and ymm15 = { -1, -2, ..., -8 } asleep in nanosleep forever, so its AVX
 * state lives in its saved XSAVE area for a debugger to read.
 */
static void *avx_sleeper(void *arg)
{
	static const int32_t pattern[2][8] __attribute__((aligned(32))) = {
		{ 1, 2, 3, 4, 5, 6, 7, 8 }, { -1, -2, -3, -4, -5, -6, -7, -8 },
	};
	static const struct timespec ts = { 1, 0 };

	(void)arg;
	pthread_setname_np(pthread_self(), "avx-sleep");
	printf("avxsleep: loaded\n");
	fflush(stdout);
	__asm__ volatile("vmovdqa (%0), %%ymm0\n\t"
			 "vmovdqa 32(%0), %%ymm15\n"
			 "1:\n\t"
			 "mov %1, %%eax\n\t"
			 "mov %2, %%rdi\n\t"
			 "xor %%esi, %%esi\n\t"
			 "syscall\n\t"
			 "jmp 1b"
			 :: "r"(pattern), "i"(SYS_nanosleep), "r"(&ts)
			 : "rax", "rcx", "rdx", "rdi", "rsi", "r11", "memory", "xmm0", "xmm15");
	return 0;
}

int mode_avxsleep(void)
{
	pthread_t t;
	uint64_t xcr0;

	if (!avx_available(&xcr0)) {
		printf("avxsleep: not available\n");
		return 0;
	}
	pthread_create(&t, 0, avx_sleeper, 0);
	pthread_join(t, 0);
	return 0;
}
