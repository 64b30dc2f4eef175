// The clocks and calendar efuns: time, localtime, ctime, strftime, strptime, zonetime.
#include "/check.h"

// Days from 1970-01-01 to the given civil date.
int days_from_civil(int y, int m, int d) {
  int era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

string run() {
  string failures = "";
  int t = 1602454371;  // 2020-10-11 22:12:51 UTC, a Sunday
  int now = time();
  mixed *lt = localtime(t);
  int offset;
  mapping usage;

  CHECK(now > 1600000000);
  CHECK(real_time() - now < 2 && now - real_time() < 2);
  CHECK(time_ns() / 1000000000 - now < 2);
  CHECK(perf_counter_ns() > 0 && perf_counter_ns() <= perf_counter_ns());
  CHECK(uptime() >= 0 && uptime() < 3600);

  // localtime: eleven fields whose civil time, less the offset, is t.
  CHECK(sizeof(lt) == 11);
  CHECK(lt[4] >= 0 && lt[4] <= 11 && lt[6] >= 0 && lt[6] <= 6);
  CHECK(stringp(lt[9]) && (lt[10] == 0 || lt[10] == 1));
  offset = -lt[8] + lt[10] * 3600;
  CHECK(days_from_civil(lt[5], lt[4] + 1, lt[3]) * 86400 + lt[2] * 3600 + lt[1] * 60 + lt[0]
        - offset == t);
  CHECK(lt[7] == days_from_civil(lt[5], lt[4] + 1, lt[3]) - days_from_civil(lt[5], 1, 1));
  // Day 0 of the epoch was a Thursday.
  CHECK(lt[6] == (days_from_civil(lt[5], lt[4] + 1, lt[3]) + 4) % 7);

  // ctime and strftime agree with localtime.
  CHECK(sizeof(ctime(t)) == 24 && strsrch(ctime(t), "\n") == -1);
  CHECK(ctime(t)[<4..] == sprintf("%d", lt[5]));
  CHECK(strftime("%Y-%m-%d %H:%M:%S", t)
        == sprintf("%04d-%02d-%02d %02d:%02d:%02d", lt[5], lt[4] + 1, lt[3], lt[2], lt[1], lt[0]));
  CHECK(strftime("%mmm", t) == sprintf("%02dmm", lt[4] + 1));
  // The locale directives as the C locale writes them.
  CHECK(strftime("%c", t) == ctime(t));
  CHECK(strftime("%x|%X|%%c", t)
        == sprintf("%02d/%02d/%02d|%02d:%02d:%02d|%%c", lt[4] + 1, lt[3], lt[5] % 100, lt[2], lt[1], lt[0]));
  CHECK(stringp(ctime()));

  // strptime reads local time: the inverse of strftime.
  CHECK(strptime("%Y-%m-%d %H:%M:%S", strftime("%Y-%m-%d %H:%M:%S", t)) == t);
  CHECK(catch(strptime("%Y-%m-%d", "not a date")));

  // Named zones.
  CHECK(zonetime("UTC", t) == "Sun Oct 11 22:12:51 2020");
  CHECK(zonetime("UTC", 1000000000) == "Sun Sep  9 01:46:40 2001");
  CHECK(zonetime("America/New_York", t) == "Sun Oct 11 18:12:51 2020");
  CHECK(is_daylight_savings_time("America/New_York", t) == 1);
  CHECK(is_daylight_savings_time("America/New_York", 1600000000 + 100 * 86400) == 0);
  CHECK(is_daylight_savings_time("UTC", t) == 0);

  usage = rusage();
  CHECK(!undefinedp(usage["utime"]) && !undefinedp(usage["stime"]) && !undefinedp(usage["nivcsw"]));
  return failures;
}
