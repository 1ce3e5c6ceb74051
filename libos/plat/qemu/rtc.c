/*
 * The host's time of day under QEMU: the CMOS real-time clock (MC146818 at
 * ports 0x70/0x71), read once when the application first asks. Read twice
 * until two reads agree, so an update in between cannot tear it.
 */
#include <stdint.h>
#include "arch/x86_64/cpu.h"
#include "plat/plat.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_UPDATING 0x80
#define RTC_BINARY 0x04
#define RTC_24H 0x02
#define RTC_TRIES 1000

struct rtc_time {
	uint8_t sec, min, hour, day, mon, year, century;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void rtc_read_once(struct rtc_time *t)
{
	for (int i = 0; i < RTC_TRIES && (cmos_read(RTC_STATUS_A) & RTC_UPDATING); i++)
		cpu_relax();
	*t = (struct rtc_time){ cmos_read(0), cmos_read(2), cmos_read(4), cmos_read(7),
				cmos_read(8), cmos_read(9), cmos_read(0x32) };
}

static uint8_t from_bcd(uint8_t v) { return (uint8_t)((v >> 4) * 10 + (v & 15)); }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint64_t days_from_civil(uint64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	uint64_t era = y / 400, yoe = y - era * 400;
	uint64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

uint64_t rtc_wall_clock_ns(void)
{
	struct rtc_time a, b;
	uint8_t status;
	int tries = 0;

	do {
		rtc_read_once(&a);
		rtc_read_once(&b);
	} while ((a.sec != b.sec || a.min != b.min || a.day != b.day) && ++tries < 10);
	status = cmos_read(RTC_STATUS_B);
	if (!(status & RTC_BINARY)) {
		b.sec = from_bcd(b.sec), b.min = from_bcd(b.min), b.day = from_bcd(b.day);
		b.mon = from_bcd(b.mon), b.year = from_bcd(b.year), b.century = from_bcd(b.century);
		b.hour = (uint8_t)(from_bcd(b.hour & 0x7f) | (b.hour & 0x80));
	}
	if (!(status & RTC_24H) && (b.hour & 0x80))
		b.hour = (uint8_t)(((b.hour & 0x7f) + 12) % 24);
	if (b.mon < 1 || b.mon > 12 || b.day < 1 || b.day > 31)
		return 0;
	uint64_t year = (b.century >= 19 && b.century <= 30 ? b.century : 20) * 100ull + b.year;
	uint64_t secs = days_from_civil(year, b.mon, b.day) * 86400 + b.hour * 3600ull + b.min * 60ull + b.sec;
	return secs * 1000000000ull;
}
