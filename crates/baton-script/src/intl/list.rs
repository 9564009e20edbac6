//! `Intl.ListFormat`: "a, b, and c" in the locale's words and punctuation.

use icu_list::options::{ListFormatterOptions, ListLength};
use icu_list::ListFormatter;
use icu_locale_core::Locale;

pub struct List(ListFormatter);

impl List {
    /// `kind` is `conjunction`, `disjunction` or `unit`; `style` `long`, `short` or `narrow`.
    pub fn new(locale: &Locale, kind: &str, style: &str) -> Result<Self, String> {
        let length = match style {
            "long" => ListLength::Wide,
            "short" => ListLength::Short,
            "narrow" => ListLength::Narrow,
            other => {
                return Err(format!(
                    "Value {other} out of range for Intl.ListFormat options property style"
                ))
            }
        };
        let options = ListFormatterOptions::default().with_length(length);
        let made = match kind {
            "conjunction" => ListFormatter::try_new_and(locale.into(), options),
            "disjunction" => ListFormatter::try_new_or(locale.into(), options),
            "unit" => ListFormatter::try_new_unit(locale.into(), options),
            other => {
                return Err(format!(
                    "Value {other} out of range for Intl.ListFormat options property type"
                ))
            }
        };
        made.map(List)
            .map_err(|e| format!("Intl.ListFormat: no list data: {e}"))
    }

    pub fn format(&self, items: &[String]) -> String {
        self.0.format_to_string(items.iter())
    }
}
