//! The calendar as iCalendar (RFC 5545), so that people add fairs to their
//! calendars: one `VEVENT` per fair with a stable `UID`, `DTSTAMP`, the
//! times in UTC, `SEQUENCE` from the fair's revision (it grows with each
//! change), `STATUS:CANCELLED` for a fair called off. Lines end in CRLF,
//! are folded at 75 octets without splitting a character (§3.1), and text
//! values escape backslashes, semicolons, commas and line breaks (§3.3.11).

use chrono::{DateTime, Utc};

use crate::views::FairSummary;

/// The media type of the answer.
pub const TEXT_CALENDAR: &str = "text/calendar; charset=utf-8";

/// The longest line, in octets, before folding.
const LINE_OCTETS: usize = 75;

/// The calendar of `fairs`, stamped `now`.
pub fn calendar(fairs: &[FairSummary], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Labex//Job fairs 招聘会//ZH");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text("招聘会")));
    for fair in fairs {
        event(&mut out, fair, now);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn event(out: &mut String, fair: &FairSummary, now: DateTime<Utc>) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:fair-{}@labex", fair.id));
    line(out, &format!("DTSTAMP:{}", utc(now)));
    line(out, &format!("DTSTART:{}", utc(fair.starts)));
    line(out, &format!("DTEND:{}", utc(fair.ends)));
    line(out, &format!("SEQUENCE:{}", fair.revision));
    line(out, &format!("SUMMARY:{}", text(&fair.details.title)));
    if let Some(place) = &fair.venue_or_link {
        line(out, &format!("LOCATION:{}", text(place)));
    }
    if let Some(link) = &fair.details.link {
        line(out, &format!("URL:{link}"));
    }
    line(out, &format!("DESCRIPTION:{}", text(&description(fair))));
    if let Some(campaign) = &fair.details.campaign {
        line(out, &format!("CATEGORIES:{}", text(campaign)));
    }
    let status = if fair.cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    line(out, &format!("STATUS:{status}"));
    line(out, "TRANSP:OPAQUE");
    line(out, "END:VEVENT");
}

fn description(fair: &FairSummary) -> String {
    let kind = match fair.details.kind.as_str() {
        "online" => "网上招聘会 (online)",
        _ => "现场招聘会 (on site)",
    };
    let audience = if fair.details.audience.is_empty() {
        "all job seekers".to_owned()
    } else {
        fair.details.audience.join(", ")
    };
    format!(
        "{kind}\nFor: {audience}\nRegion: {}\nPlaces: {}",
        fair.details.region, fair.details.capacity
    )
}

/// A moment as an RFC 5545 UTC date-time (`20240315T010000Z`).
fn utc(moment: DateTime<Utc>) -> String {
    moment.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value, escaped (§3.3.11).
pub fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends `content` as one content line, folded (§3.1): at most 75
/// octets a line, each continuation starting with a space, never inside a
/// UTF-8 character; CRLF after each.
pub fn line(out: &mut String, content: &str) {
    let mut limit = LINE_OCTETS;
    let mut used = 0;
    for c in content.chars() {
        let width = c.len_utf8();
        if used + width > limit {
            out.push_str("\r\n ");
            // The leading space counts towards the continuation's 75.
            limit = LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_what_rfc_5545_says() {
        assert_eq!(text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(text("one\r\ntwo\nthree"), r"one\ntwo\nthree");
        assert_eq!(text("郑州：金水区"), "郑州：金水区");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let content = format!("SUMMARY:{}", "高校毕业生".repeat(20));
        line(&mut out, &content);
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines.last(), Some(&""));
        for physical in &lines[..lines.len() - 1] {
            assert!(physical.len() <= 75, "{} octets", physical.len());
        }
        assert!(lines[1].starts_with(' '));
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{content}\r\n"));
    }

    #[test]
    fn a_short_line_is_one_line() {
        let mut out = String::new();
        line(&mut out, "VERSION:2.0");
        assert_eq!(out, "VERSION:2.0\r\n");
    }
}
