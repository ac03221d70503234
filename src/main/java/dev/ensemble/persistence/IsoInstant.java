package dev.ensemble.persistence;

import java.time.Instant;

/**
 * {@link Instant#toString()}'s text ({@code 2026-12-06T03:05:09.504123Z}: ISO-8601 in UTC, the fraction in as many groups
 * of three digits as it needs, none for a whole second) made by hand for the years 1970 to 9999, without the
 * {@code DateTimeFormatter} and the date objects {@code toString()} goes through; any other instant by
 * {@code toString()} itself. The stored record's times are written so, twice per record. Stateless.
 */
final class IsoInstant {

  /** 10000-01-01T00:00:00Z: from here on the year has five digits and a sign. */
  private static final long YEAR_10000 = 253_402_300_800L;

  private IsoInstant() {
  }

  static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < 0 || seconds >= YEAR_10000) {
      return instant.toString();
    }
    int nano = instant.getNano();
    int fraction = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
    char[] c = new char[fraction == 0 ? 20 : 21 + fraction];
    long days = seconds / 86_400;
    int second = (int) (seconds % 86_400);
    // days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted), in eras of 400 years from 0000-03-01
    long z = days + 719_468;
    long era = z / 146_097;
    long dayOfEra = z - era * 146_097;
    long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long mp = (5 * dayOfYear + 2) / 153;
    int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, month, 2);
    c[7] = '-';
    digits(c, 8, day, 2);
    c[10] = 'T';
    digits(c, 11, second / 3_600, 2);
    c[13] = ':';
    digits(c, 14, second / 60 % 60, 2);
    c[16] = ':';
    digits(c, 17, second % 60, 2);
    if (fraction > 0) {
      c[19] = '.';
      digits(c, 20, fraction == 3 ? nano / 1_000_000 : fraction == 6 ? nano / 1_000 : nano, fraction);
    }
    c[c.length - 1] = 'Z';
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
