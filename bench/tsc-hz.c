/*
 * The host's TSC rate in kHz (rdtsc over 200 ms of CLOCK_MONOTONIC). Under
 * TCG a guest's TSC counts at the host's rate; bench/vm.sh gives it to the
 * Linux guest (tsc_early_khz=), whose own calibration against the PIT fails
 * on a loaded machine and leaves it hanging.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	double t0 = now(), t1;
	uint64_t c0 = __rdtsc(), c1;
	struct timespec pause = { 0, 200000000 };

	nanosleep(&pause, 0);
	c1 = __rdtsc();
	t1 = now();
	printf("%.0f\n", (double)(c1 - c0) / (t1 - t0) / 1000);
	return 0;
}
