/// Reads the gateway's `started_at` (ISO 8601 in UTC, `2026-12-03T05:31:59.123Z`; fractions optional, a
/// `+00:00` offset accepted) as milliseconds since 1970, without a date formatter (they cost more than
/// the rest of a row). Pure.
public enum EventTime {
    /// The milliseconds, or nil when `text` is not such a time.
    public static func milliseconds(_ text: String) -> Int64? {
        var utf8 = text.utf8[...]
        func number(_ digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let byte = utf8.first, byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                utf8 = utf8.dropFirst()
            }
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard utf8.first == character else { return false }
            utf8 = utf8.dropFirst()
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            utf8.first == 84 || utf8.first == 32
        else { return nil }
        utf8 = utf8.dropFirst()
        guard let hour = number(2), expect(58), let minute = number(2), expect(58), let second = number(2),
            (1...12).contains(month), (1...Self.days(inMonth: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        var millis = 0
        if expect(46) {
            var scale = 100
            var digits = 0
            while let byte = utf8.first, byte >= 48, byte <= 57 {
                millis += Int(byte - 48) * scale
                scale /= 10
                digits += 1
                utf8 = utf8.dropFirst()
            }
            guard digits > 0 else { return nil }
        }
        guard expect(90) || (expect(43) && number(2) == 0 && expect(58) && number(2) == 0), utf8.isEmpty else {
            return nil
        }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        return (Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)) * 1000 + Int64(millis)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the date (proleptic Gregorian; Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}

extension EventTime {
    /// `2026-12-03T05:31:59.123Z` for milliseconds since 1970 (the gateway's form).
    public static func iso(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let millis = Int(milliseconds - seconds * 1000)
        let days = Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
        let secondOfDay = Int(seconds - Int64(days) * 86400)
        let (year, month, day) = Self.civil(daysSinceEpoch: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):"
            + "\(two(secondOfDay % 60)).\(fraction)Z"
    }

    /// The date of a day count from 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719468
        let era = (shifted >= 0 ? shifted : shifted - 146096) / 146097
        let dayOfEra = shifted - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
