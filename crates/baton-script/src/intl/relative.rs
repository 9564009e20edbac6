//! `Intl.RelativeTimeFormat`: "in 2 days", "3 mo. ago", "yesterday" from CLDR's relative-time
//! patterns, with V8's (ICU4C's) rounding and its choice of when `numeric: "auto"` uses a word.

use std::cell::OnceCell;
use std::fmt;

use fixed_decimal::{Decimal, FloatPrecision, Sign, SignedRoundingMode, UnsignedRoundingMode};
use icu_experimental::relativetime::options::Numeric;
use icu_experimental::relativetime::{
    RelativeTimeFormatter, RelativeTimeFormatterOptions, RelativeTimeFormatterPreferences,
};
use icu_locale_core::Locale;
use writeable::{Part, PartsWrite, Writeable};

/// The units `intl.js` hands over, singular, in this order.
const UNITS: [&str; 8] = [
    "second", "minute", "hour", "day", "week", "month", "quarter", "year",
];

#[derive(Clone, Copy)]
enum Style {
    Long,
    Short,
    Narrow,
}

/// One unit's formatters: numeric always, and for `numeric: "auto"` the one with the words.
struct Unit {
    always: RelativeTimeFormatter,
    auto: Option<RelativeTimeFormatter>,
}

pub struct RelativeTime {
    locale: Locale,
    style: Style,
    auto: bool,
    /// Built on first use: a script rarely formats more than one or two units.
    units: [OnceCell<Box<Unit>>; 8],
}

/// A constructor of one style and unit, its data error as text.
type New = fn(
    RelativeTimeFormatterPreferences,
    RelativeTimeFormatterOptions,
) -> Result<RelativeTimeFormatter, String>;

macro_rules! constructors {
    ($($name:ident),*) => {
        [$(|prefs, options| RelativeTimeFormatter::$name(prefs, options).map_err(|e| e.to_string())),*]
    };
}

const LONG: [New; 8] = constructors!(
    try_new_long_second,
    try_new_long_minute,
    try_new_long_hour,
    try_new_long_day,
    try_new_long_week,
    try_new_long_month,
    try_new_long_quarter,
    try_new_long_year
);
const SHORT: [New; 8] = constructors!(
    try_new_short_second,
    try_new_short_minute,
    try_new_short_hour,
    try_new_short_day,
    try_new_short_week,
    try_new_short_month,
    try_new_short_quarter,
    try_new_short_year
);
const NARROW: [New; 8] = constructors!(
    try_new_narrow_second,
    try_new_narrow_minute,
    try_new_narrow_hour,
    try_new_narrow_day,
    try_new_narrow_week,
    try_new_narrow_month,
    try_new_narrow_quarter,
    try_new_narrow_year
);

/// A string with the spans ICU4X marked; the pieces nobody marked are literal text.
#[derive(Default)]
struct Marked {
    text: String,
    parts: Vec<(usize, usize, Part)>,
}

impl fmt::Write for Marked {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

impl PartsWrite for Marked {
    type SubPartsWrite = Self;

    fn with_part(
        &mut self,
        part: Part,
        mut f: impl FnMut(&mut Self) -> fmt::Result,
    ) -> fmt::Result {
        let start = self.text.len();
        f(self)?;
        self.parts.push((start, self.text.len(), part));
        Ok(())
    }
}

impl RelativeTime {
    /// `style` is `long`, `short` or `narrow`; `auto` is `numeric: "auto"`.
    pub fn new(locale: &Locale, style: &str, auto: bool) -> Result<Self, String> {
        let style = match style {
            "long" => Style::Long,
            "short" => Style::Short,
            "narrow" => Style::Narrow,
            other => {
                return Err(format!(
                    "Value {other} out of range for Intl.RelativeTimeFormat options property style"
                ))
            }
        };
        let made = RelativeTime {
            locale: locale.clone(),
            style,
            auto,
            units: Default::default(),
        };
        // Fail at construction, not at the first `format`, if the locale has no data.
        made.unit("second")?;
        Ok(made)
    }

    fn unit(&self, unit: &str) -> Result<&Unit, String> {
        let index = UNITS.iter().position(|u| *u == unit).ok_or_else(|| {
            format!("Invalid unit argument for Intl.RelativeTimeFormat.prototype.format() '{unit}'")
        })?;
        let cell = &self.units[index];
        if let Some(made) = cell.get() {
            return Ok(made);
        }
        let new = match self.style {
            Style::Long => LONG[index],
            Style::Short => SHORT[index],
            Style::Narrow => NARROW[index],
        };
        let make = |numeric| {
            let prefs: RelativeTimeFormatterPreferences = (&self.locale).into();
            new(
                prefs,
                RelativeTimeFormatterOptions::default().with_numeric(numeric),
            )
            .map_err(|e| format!("Intl.RelativeTimeFormat: no relative-time data: {e}"))
        };
        let always = make(Numeric::Always)?;
        let auto = if self.auto {
            Some(make(Numeric::Auto)?)
        } else {
            None
        };
        Ok(cell.get_or_init(|| Box::new(Unit { always, auto })))
    }

    /// The formatter and the number it formats for `value` in `unit`.
    fn choose(&self, value: f64, unit: &str) -> Result<(&RelativeTimeFormatter, Decimal), String> {
        if !value.is_finite() {
            return Err(
                "Value need to be finite number for Intl.RelativeTimeFormat.prototype.format()"
                    .into(),
            );
        }
        let formats = self.unit(unit)?;
        if let Some(auto) = &formats.auto {
            // ICU4C (so V8) takes the word for -2, -1, 0, 1 or 2 when the value is within half
            // a hundredth of it: 0.004 days is "today", 1.004 days "tomorrow", -0 "today".
            if value > -2.1 && value < 2.1 {
                let hundredths = value * 100.0;
                let rounded = if hundredths < 0.0 {
                    (hundredths - 0.5) as i32
                } else {
                    (hundredths + 0.5) as i32
                };
                if rounded % 100 == 0 {
                    let near = Decimal::from((rounded / 100) as i8);
                    let word = auto.format(near.clone()).to_string();
                    // Without a word for it (no "in 2 days" word in English), the value itself
                    // is formatted as with `numeric: "always"`.
                    if word != formats.always.format(near.clone()).to_string() {
                        return Ok((auto, near));
                    }
                }
            }
        }
        // V8 formats with ICU's defaults: at most 3 fraction digits, rounded half to even
        // (1.0005 days is "in 1 day"), and the sign of the value, -0 included ("0 days ago").
        let mut decimal = Decimal::try_from_f64(value, FloatPrecision::RoundTrip)
            .unwrap_or_else(|_| Decimal::from(0));
        decimal.round_with_mode(
            -3,
            SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfEven),
        );
        decimal.absolute.trim_end();
        let sign = if value.is_sign_negative() {
            Sign::Negative
        } else {
            Sign::None
        };
        Ok((&formats.always, decimal.with_sign(sign)))
    }

    pub fn format(&self, value: f64, unit: &str) -> Result<String, String> {
        let (formatter, decimal) = self.choose(value, unit)?;
        Ok(formatter.format(decimal).to_string())
    }

    /// `formatToParts` as `(type, text)` pairs: the number's pieces (`integer`, `group`,
    /// `decimal`, `fraction`) and `literal` text between them.
    pub fn format_to_parts(
        &self,
        value: f64,
        unit: &str,
    ) -> Result<Vec<(&'static str, String)>, String> {
        let (formatter, decimal) = self.choose(value, unit)?;
        let mut marked = Marked::default();
        // Writing to a String cannot fail.
        let _ = formatter.format(decimal).write_to_parts(&mut marked);
        // Parts nest (a group inside an integer) and an inner part is recorded before its
        // outer one, so the first label a byte gets is its innermost.
        let mut labels: Vec<&'static str> = vec!["literal"; marked.text.len()];
        let mut labelled = vec![false; marked.text.len()];
        for (start, end, part) in &marked.parts {
            if part.category != "decimal" {
                continue;
            }
            for at in *start..*end {
                if !labelled[at] {
                    labels[at] = part.value;
                    labelled[at] = true;
                }
            }
        }
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut from = 0;
        for at in 1..=labels.len() {
            if at == labels.len() || labels[at] != labels[from] {
                out.push((labels[from], marked.text[from..at].to_string()));
                from = at;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::RelativeTime;

    fn format(tag: &str, style: &str, auto: bool, value: f64, unit: &str) -> String {
        let locale = tag.parse().unwrap();
        RelativeTime::new(&locale, style, auto)
            .unwrap()
            .format(value, unit)
            .unwrap_or_else(|e| e)
    }

    // Each expected value is what node v20.20.2 (V8, ICU 78.2) prints.
    #[test]
    fn numbers_round_as_v8_does() {
        let en = |value, unit| format("en-US", "long", false, value, unit);
        assert_eq!(en(-1.0, "day"), "1 day ago");
        assert_eq!(en(2.0, "hour"), "in 2 hours");
        assert_eq!(en(1.5, "day"), "in 1.5 days");
        assert_eq!(en(1.23456, "day"), "in 1.235 days");
        assert_eq!(en(1.0005, "day"), "in 1 day");
        assert_eq!(en(1.0025, "day"), "in 1.002 days");
        assert_eq!(en(1000.0, "day"), "in 1,000 days");
        assert_eq!(en(0.0, "day"), "in 0 days");
        assert_eq!(en(-0.0, "day"), "0 days ago");
        assert_eq!(en(-0.0001, "day"), "0 days ago");
        assert_eq!(format("en-US", "short", false, 3.0, "month"), "in 3 mo.");
        assert_eq!(format("de-DE", "long", false, -1.0, "day"), "vor 1 Tag");
    }

    #[test]
    fn auto_takes_the_word_near_minus_two_to_two() {
        let auto = |tag, value, unit| format(tag, "long", true, value, unit);
        assert_eq!(auto("en-US", -1.0, "day"), "yesterday");
        assert_eq!(auto("en-US", -0.0, "day"), "today");
        assert_eq!(auto("en-US", 0.004, "day"), "today");
        assert_eq!(auto("en-US", 0.005, "day"), "in 0.005 days");
        assert_eq!(auto("en-US", 0.995, "day"), "tomorrow");
        assert_eq!(auto("en-US", 1.004, "second"), "in 1.004 seconds");
        assert_eq!(auto("en-US", 2.004, "day"), "in 2.004 days");
        assert_eq!(auto("de-DE", 2.004, "day"), "übermorgen");
        assert_eq!(auto("de-DE", -1.0, "day"), "gestern");
    }

    #[test]
    fn bad_values_and_units_are_named() {
        let en = |value, unit| format("en-US", "long", false, value, unit);
        assert_eq!(
            en(1.0, "decade"),
            "Invalid unit argument for Intl.RelativeTimeFormat.prototype.format() 'decade'"
        );
        assert_eq!(
            en(f64::INFINITY, "day"),
            "Value need to be finite number for Intl.RelativeTimeFormat.prototype.format()"
        );
    }

    #[test]
    fn parts_split_the_number_from_the_words() {
        let locale = "en-US".parse().unwrap();
        let parts = RelativeTime::new(&locale, "long", false)
            .unwrap()
            .format_to_parts(-1234.5, "day")
            .unwrap();
        let parts: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            parts,
            [
                ("integer", "1"),
                ("group", ","),
                ("integer", "234"),
                ("decimal", "."),
                ("fraction", "5"),
                ("literal", " days ago"),
            ]
        );
    }
}
