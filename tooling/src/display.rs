//! How the tool shows modes, times and sizes.

use strata_vfs::FileType;

/// The mode as `ls -l` shows it: `drwxr-xr-x`, `-rwsr-xr-x`, `drwxrwxrwt`.
pub fn mode_string(kind: FileType, perm: u32) -> String {
    let mut out = String::with_capacity(10);
    out.push(match kind {
        FileType::Regular => '-',
        FileType::Directory => 'd',
        FileType::Symlink => 'l',
    });
    // (read, write, execute, the special bit for this class, its letter)
    let classes =
        [(0o400, 0o200, 0o100, 0o4000, 's'), (0o040, 0o020, 0o010, 0o2000, 's'), (0o004, 0o002, 0o001, 0o1000, 't')];
    for (read, write, execute, special, letter) in classes {
        out.push(if perm & read != 0 { 'r' } else { '-' });
        out.push(if perm & write != 0 { 'w' } else { '-' });
        out.push(match (perm & execute != 0, perm & special != 0) {
            (true, true) => letter,
            (false, true) => letter.to_ascii_uppercase(),
            (true, false) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, in UTC.
pub fn format_time(sec: i64, nsec: u32) -> String {
    let days = sec.div_euclid(86_400);
    let in_day = sec.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (in_day / 3600, in_day / 60 % 60, in_day % 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{nsec:09}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A byte count for people: `512 B`, `40.1 MiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings_show_special_bits_like_ls() {
        assert_eq!(mode_string(FileType::Directory, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(FileType::Regular, 0o644), "-rw-r--r--");
        assert_eq!(mode_string(FileType::Symlink, 0o777), "lrwxrwxrwx");
        assert_eq!(mode_string(FileType::Regular, 0o4755), "-rwsr-xr-x");
        assert_eq!(mode_string(FileType::Regular, 0o4644), "-rwSr--r--");
        assert_eq!(mode_string(FileType::Regular, 0o2755), "-rwxr-sr-x");
        assert_eq!(mode_string(FileType::Regular, 0o2745), "-rwxr-Sr-x");
        assert_eq!(mode_string(FileType::Directory, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(FileType::Directory, 0o1770), "drwxrwx--T");
        assert_eq!(mode_string(FileType::Regular, 0), "----------");
    }

    #[test]
    fn times_are_utc_calendar_dates() {
        assert_eq!(format_time(0, 0), "1970-01-01 00:00:00.000000000");
        // `date -u -d @1700000000` says 2023-11-14 22:13:20.
        assert_eq!(format_time(1_700_000_000, 123_456_789), "2023-11-14 22:13:20.123456789");
        // A leap day, and the day after.
        assert_eq!(format_time(951_782_400, 0), "2000-02-29 00:00:00.000000000");
        assert_eq!(format_time(951_868_800, 0), "2000-03-01 00:00:00.000000000");
        // Before the epoch: one second before it.
        assert_eq!(format_time(-1, 5), "1969-12-31 23:59:59.000000005");
        // `date -u -d @-2208988800` says 1900-01-01.
        assert_eq!(format_time(-2_208_988_800, 0), "1900-01-01 00:00:00.000000000");
        // The extremes do not panic.
        format_time(i64::MAX, 999_999_999);
        format_time(i64::MIN, 0);
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(42_047_488), "40.1 MiB");
        assert_eq!(human_size(3 << 30), "3.0 GiB");
    }
}
