//! `Intl.DateTimeFormat` and `Date.prototype.toLocale{,Date,Time}String`: the instant is moved
//! into its IANA time zone with jiff (tz database bundled in), then formatted by ICU4X from the
//! fields and widths `intl.js` resolved from ECMA-402's options.

use icu_calendar::Date;
use icu_datetime::fieldsets::builder::{DateFields, FieldSetBuilder};
use icu_datetime::fieldsets::enums::CompositeDateTimeFieldSet;
use icu_datetime::options::{Length, TimePrecision, YearStyle};
use icu_datetime::preferences::HourCycle;
use icu_datetime::{DateTimeFormatter, DateTimeFormatterPreferences};
use icu_locale_core::Locale;
use icu_time::{DateTime, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;

/// The options `intl.js` resolved; see `resolveDateOptions` there.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    /// `Y`, `YM`, `YMD`, `YMDE`, `MD`, `MDE`, `D`, `DE`, `E`, `M`, or none for a time only.
    date_fields: Option<String>,
    /// `short`, `medium` or `long`.
    length: String,
    /// `hour`, `minute`, `second`, or none for a date only.
    time_precision: Option<String>,
    /// `true` for a four-digit year where a short length would write two.
    full_year: bool,
    hour12: Option<bool>,
    time_zone: String,
}

pub struct DateFormat {
    formatter: DateTimeFormatter<CompositeDateTimeFieldSet>,
    zone: TimeZone,
}

/// The IANA name of a time zone as V8 reports it (`UTC` for its aliases), or `None` if unknown.
pub fn canonical_time_zone(name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    if matches!(upper.as_str(), "UTC" | "ETC/UTC" | "GMT" | "ETC/GMT" | "Z") {
        return Some("UTC".into());
    }
    let zone = TimeZone::get(name).ok()?;
    Some(zone.iana_name().unwrap_or(name).to_string())
}

impl DateFormat {
    pub fn new(locale: &Locale, options: &str) -> Result<Self, String> {
        let options: Options =
            serde_json::from_str(options).map_err(|e| format!("Intl.DateTimeFormat: {e}"))?;
        let zone = TimeZone::get(&options.time_zone)
            .map_err(|_| format!("Invalid time zone specified: {}", options.time_zone))?;

        let mut builder = FieldSetBuilder::new();
        builder.length = Some(match options.length.as_str() {
            "long" => Length::Long,
            "medium" => Length::Medium,
            _ => Length::Short,
        });
        builder.date_fields = match options.date_fields.as_deref() {
            None => None,
            Some("Y") => Some(DateFields::Y),
            Some("YM") => Some(DateFields::YM),
            Some("YMDE") => Some(DateFields::YMDE),
            Some("MD") => Some(DateFields::MD),
            Some("MDE") => Some(DateFields::MDE),
            Some("D") => Some(DateFields::D),
            Some("DE") => Some(DateFields::DE),
            Some("E") => Some(DateFields::E),
            Some("M") => Some(DateFields::M),
            Some(_) => Some(DateFields::YMD),
        };
        builder.time_precision = match options.time_precision.as_deref() {
            None => None,
            Some("hour") => Some(TimePrecision::Hour),
            Some("minute") => Some(TimePrecision::Minute),
            Some(_) => Some(TimePrecision::Second),
        };
        let has_year = matches!(
            builder.date_fields,
            Some(DateFields::Y | DateFields::YM | DateFields::YMD | DateFields::YMDE)
        );
        if options.full_year && has_year {
            builder.year_style = Some(YearStyle::Full);
        }
        let fields = builder
            .build_composite_datetime()
            .map_err(|e| format!("Intl.DateTimeFormat: unsupported combination of fields: {e}"))?;

        let mut prefs = DateTimeFormatterPreferences::from(locale);
        match options.hour12 {
            Some(true) => prefs.hour_cycle = Some(HourCycle::H12),
            Some(false) => prefs.hour_cycle = Some(HourCycle::H23),
            None => {}
        }
        let formatter = DateTimeFormatter::try_new(prefs, fields)
            .map_err(|e| format!("Intl.DateTimeFormat: no date data: {e}"))?;
        Ok(DateFormat { formatter, zone })
    }

    /// Formats an instant (ms since the epoch) in this formatter's time zone.
    pub fn format(&self, epoch_ms: f64) -> Result<String, String> {
        let invalid = || "Invalid time value".to_string();
        if !epoch_ms.is_finite() {
            return Err(invalid());
        }
        let instant =
            Timestamp::from_millisecond(epoch_ms.floor() as i64).map_err(|_| invalid())?;
        let local = instant.to_zoned_datetime(self.zone.clone());
        let date = Date::try_new_iso(local.year() as i32, local.month() as u8, local.day() as u8)
            .map_err(|_| invalid())?;
        let time = Time::try_new(
            local.hour() as u8,
            local.minute() as u8,
            local.second() as u8,
            local.subsec_nanosecond() as u32,
        )
        .map_err(|_| invalid())?;
        // V8 writes CLDR's narrow no-break space (before "PM", in ranges) as a plain space, for
        // web compatibility; scripts compare these strings, so do the same.
        let text = self.formatter.format(&DateTime { date, time }).to_string();
        Ok(text.replace('\u{202f}', " "))
    }
}
