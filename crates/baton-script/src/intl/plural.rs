//! `Intl.PluralRules`: CLDR's cardinal and ordinal rules.

use fixed_decimal::{Decimal, FloatPrecision};
use icu_locale_core::Locale;
use icu_plurals::{PluralCategory, PluralRuleType, PluralRules, PluralRulesOptions};

pub struct Plural(PluralRules);

impl Plural {
    pub fn new(locale: &Locale, ordinal: bool) -> Result<Self, String> {
        let kind = if ordinal {
            PluralRuleType::Ordinal
        } else {
            PluralRuleType::Cardinal
        };
        PluralRules::try_new(locale.into(), PluralRulesOptions::default().with_type(kind))
            .map(Plural)
            .map_err(|e| format!("Intl.PluralRules: no plural data: {e}"))
    }

    /// The category name for `value`, shown with at least `min_fraction` fraction digits
    /// (`1` with one fraction digit is "1.0", which is "other" in English).
    pub fn select(&self, value: f64, min_fraction: i16) -> &'static str {
        if !value.is_finite() {
            return "other";
        }
        let Ok(mut decimal) = Decimal::try_from_f64(value, FloatPrecision::RoundTrip) else {
            return "other";
        };
        decimal.absolute.pad_end(-min_fraction);
        match self.0.category_for(&decimal) {
            PluralCategory::Zero => "zero",
            PluralCategory::One => "one",
            PluralCategory::Two => "two",
            PluralCategory::Few => "few",
            PluralCategory::Many => "many",
            PluralCategory::Other => "other",
        }
    }
}
