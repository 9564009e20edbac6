//! `Intl.Collator` and `localeCompare`: ICU4X's collator with ECMA-402's `numeric` and
//! `sensitivity` mapped onto strength and case level.

use std::cmp::Ordering;

use icu_collator::options::{CaseLevel, CollatorOptions, Strength};
use icu_collator::preferences::CollationNumericOrdering;
use icu_collator::{CollatorBorrowed, CollatorPreferences};
use icu_locale_core::Locale;

pub struct Collator(CollatorBorrowed<'static>);

impl Collator {
    /// `sensitivity` is ECMA-402's: `base`, `accent`, `case` or `variant` (the default).
    pub fn new(locale: &Locale, numeric: bool, sensitivity: &str) -> Result<Self, String> {
        let mut prefs = CollatorPreferences::from(locale);
        if numeric {
            prefs.numeric_ordering = Some(CollationNumericOrdering::True);
        }
        let mut options = CollatorOptions::default();
        let (strength, case_level) = match sensitivity {
            "base" => (Strength::Primary, CaseLevel::Off),
            "accent" => (Strength::Secondary, CaseLevel::Off),
            "case" => (Strength::Primary, CaseLevel::On),
            "variant" => (Strength::Tertiary, CaseLevel::Off),
            other => {
                return Err(format!(
                    "Value {other} out of range for Intl.Collator options property sensitivity"
                ))
            }
        };
        options.strength = Some(strength);
        options.case_level = Some(case_level);
        CollatorBorrowed::try_new(prefs, options)
            .map(Collator)
            .map_err(|e| format!("Intl.Collator: no collation data: {e}"))
    }

    /// -1, 0 or 1, as `localeCompare` returns.
    pub fn compare(&self, a: &str, b: &str) -> i32 {
        match self.0.compare(a, b) {
            Ordering::Less => -1,
            Ordering::Equal => 0,
            Ordering::Greater => 1,
        }
    }
}
