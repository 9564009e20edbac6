//! `toLocaleUpperCase` / `toLocaleLowerCase`: full Unicode case mapping with the language's
//! special cases (Turkish and Azeri dotted i, Lithuanian, Greek).

use icu_casemap::CaseMapper;
use icu_locale_core::Locale;

pub fn map(locale: &Locale, text: &str, upper: bool) -> String {
    let mapper = CaseMapper::new();
    let language = &locale.id;
    if upper {
        mapper.uppercase_to_string(text, language).into_owned()
    } else {
        mapper.lowercase_to_string(text, language).into_owned()
    }
}
