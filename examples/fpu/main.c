/*
 * Threads that keep known values in their x87 and SSE registers, so that
 * debuggers can be checked against them (tests/t3200, t5100):
 *
 *	fpu-spin   xmm0 = { 1.5, -2.25 } (v2_double), xmm15 = { 0x5151515, 15, 0x15, -15 }
 *	           (v4_int32), st0 = pi; it spins, so it is usually the thread
 *	           on the CPU: its registers are live in the CPU.
 *	fpu-sleep  xmm0 = { 3.0, 0.5 }, xmm15 = { 0x5252525, 25, 0x25, -25 }, st0 = 1.0;
 *	           it sleeps, so its registers are in its saved FXSAVE area.
 *
 * Nothing between the loads and a debugger's look touches those registers:
 * the spin loop is assembly, and the libOS core (sleep_ms) never uses the
 * FPU. run_ms=N ends the image after N ms (0, the default: never).
 */
#include <libos.h>
#include <stdio.h>
#include <stdlib.h>

struct fpu_pattern {
	double xmm0[2];
	int32_t xmm15[4];
};

static const struct fpu_pattern spin_pattern __attribute__((aligned(16))) = {
	{ 1.5, -2.25 }, { 0x5151515, 15, 0x15, -15 },
};
static const struct fpu_pattern sleep_pattern __attribute__((aligned(16))) = {
	{ 3.0, 0.5 }, { 0x5252525, 25, 0x25, -25 },
};

static void load_xmm(const struct fpu_pattern *p)
{
	__asm__ volatile("movapd (%0), %%xmm0\n\tmovdqa 16(%0), %%xmm15"
			 :: "r"(p) : "xmm0", "xmm15", "memory");
}

static void *fpu_spin(void *arg)
{
	(void)arg;
	load_xmm(&spin_pattern);
	__asm__ volatile("fninit\n\tfldpi\n"
			 "1:\tpause\n\tjmp 1b" ::: "memory");
	return 0;
}

static void *fpu_sleep(void *arg)
{
	(void)arg;
	load_xmm(&sleep_pattern);
	__asm__ volatile("fninit\n\tfld1" ::: "memory");
	for (;;)
		sleep_ms(5);
	return 0;
}

int main(void)
{
	long run_ms = cmdline_get_long("run_ms", 0);

	if (!thread_create("fpu-spin", fpu_spin, 0) || !thread_create("fpu-sleep", fpu_sleep, 0))
		panic("cannot create the fpu threads");
	printf("fpu: threads running\n");
	for (long elapsed = 0; !run_ms || elapsed < run_ms; elapsed += 100)
		sleep_ms(100);
	return 0;
}
