//! `Intl.NumberFormat` and `Number.prototype.toLocaleString`: decimal, percent and currency
//! styles with ECMA-402's digit options, rounded half away from zero as V8 does.

use fixed_decimal::{Decimal, FloatPrecision, SignedRoundingMode, UnsignedRoundingMode};
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale_core::Locale;
use serde::Deserialize;

/// The options `intl.js` resolved (defaults applied, ranges checked).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    style: String,
    currency: Option<String>,
    currency_display: Option<String>,
    minimum_integer_digits: i16,
    minimum_fraction_digits: i16,
    maximum_fraction_digits: i16,
    /// `"auto"`, `"always"`, `"min2"` or `"false"`.
    use_grouping: String,
}

enum Style {
    Decimal(DecimalFormatter),
    Percent(PercentFormatter<DecimalFormatter>),
    /// Currencies round to their own digits (CLDR's), as V8 does by default.
    Currency(Box<CurrencyFormatter<DecimalFormatter>>),
}

pub struct NumberFormat {
    style: Style,
    options: Options,
}

fn data(error: impl std::fmt::Display) -> String {
    format!("Intl.NumberFormat: no number data: {error}")
}

impl NumberFormat {
    pub fn new(locale: &Locale, options: &str) -> Result<Self, String> {
        let options: Options =
            serde_json::from_str(options).map_err(|e| format!("Intl.NumberFormat: {e}"))?;
        let mut decimal_options = DecimalFormatterOptions::default();
        decimal_options.grouping_strategy = Some(match options.use_grouping.as_str() {
            "always" => GroupingStrategy::Always,
            "min2" => GroupingStrategy::Min2,
            "false" => GroupingStrategy::Never,
            _ => GroupingStrategy::Auto,
        });
        let decimal = DecimalFormatter::try_new(locale.into(), decimal_options).map_err(data)?;
        let style = match options.style.as_str() {
            "decimal" => Style::Decimal(decimal),
            "percent" => Style::Percent(
                PercentFormatter::try_new_with_decimal_formatter(
                    locale.into(),
                    decimal,
                    Default::default(),
                )
                .map_err(data)?,
            ),
            "currency" => {
                let code = options.currency.as_deref().unwrap_or_default();
                let currency = CurrencyType::try_from_str(&code.to_ascii_lowercase())
                    .map_err(|_| format!("Invalid currency code : {code}"))?;
                let prefs = locale.into();
                let made = match options.currency_display.as_deref() {
                    Some("code") => {
                        CurrencyFormatter::try_new_code(prefs, currency, Default::default())
                    }
                    Some("name") => CurrencyFormatter::try_new_name(prefs, currency),
                    Some("narrowSymbol") => CurrencyFormatter::try_new_symbol_narrow(
                        prefs,
                        currency,
                        Default::default(),
                    ),
                    _ => CurrencyFormatter::try_new_symbol(prefs, currency, Default::default()),
                };
                Style::Currency(Box::new(made.map_err(data)?))
            }
            other => {
                return Err(format!(
                    "Value {other} out of range for Intl.NumberFormat options property style"
                ))
            }
        };
        Ok(NumberFormat { style, options })
    }

    pub fn format(&self, value: f64) -> String {
        if value.is_nan() {
            return "NaN".into();
        }
        if value.is_infinite() {
            let sign = if value < 0.0 { "-" } else { "" };
            let percent = matches!(self.style, Style::Percent(_));
            return format!("{sign}∞{}", if percent { "%" } else { "" });
        }
        // Every finite f64 has an exact shortest decimal; the fallback is never taken.
        let mut decimal = Decimal::try_from_f64(value, FloatPrecision::RoundTrip)
            .unwrap_or_else(|_| Decimal::from(0));
        match &self.style {
            Style::Currency(formatter) => formatter.format_fixed_decimal(&decimal).to_string(),
            Style::Decimal(formatter) => {
                self.shape(&mut decimal);
                formatter.format(&decimal).to_string()
            }
            Style::Percent(formatter) => {
                decimal.multiply_pow10(2);
                self.shape(&mut decimal);
                formatter.format(&decimal).to_string()
            }
        }
    }

    /// Rounds to the fraction digits and pads to the minimum digits.
    fn shape(&self, decimal: &mut Decimal) {
        let o = &self.options;
        decimal.round_with_mode(
            -o.maximum_fraction_digits,
            SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand),
        );
        decimal.absolute.trim_end();
        decimal.absolute.pad_end(-o.minimum_fraction_digits);
        decimal.absolute.pad_start(o.minimum_integer_digits);
    }
}
