//! The native half of `Intl` and the `toLocale*` methods (SPEC §3, Locale-aware built-ins):
//! formatters built on ICU4X's compiled CLDR data, kept in a table and named to JavaScript by
//! a number. `intl.js` is the JavaScript half (option reading, caching, the `Intl` objects).

mod casemap;
mod collator;
mod datetime;
mod list;
mod number;
mod plural;
mod relative;

use std::cell::RefCell;
use std::rc::Rc;

use icu_locale_core::Locale;
use rquickjs::{Ctx, Exception, Function, Object};

const INTL_JS: &str = include_str!("intl.js");

/// One formatter a script created; JavaScript holds its index in [`Formatters`].
enum Formatter {
    Collator(collator::Collator),
    Number(number::NumberFormat),
    Date(datetime::DateFormat),
    Plural(plural::Plural),
    List(list::List),
    Relative(relative::RelativeTime),
}

/// Every formatter of the run. `intl.js` caches them by locale and options, so a script that
/// builds the same formatter in a loop reuses one entry.
#[derive(Default)]
struct Formatters(Vec<Formatter>);

impl Formatters {
    fn add(&mut self, formatter: Formatter) -> f64 {
        self.0.push(formatter);
        (self.0.len() - 1) as f64
    }

    fn get(&self, handle: f64) -> Option<&Formatter> {
        self.0.get(handle as usize)
    }
}

/// Parses a BCP 47 tag as `Intl` does: an invalid tag is a `RangeError`.
fn parse_locale(ctx: &Ctx<'_>, tag: &str) -> rquickjs::Result<Locale> {
    tag.parse::<Locale>().map_err(|_| {
        Exception::throw_range(
            ctx,
            &format!("Incorrect locale information provided: {tag}"),
        )
    })
}

fn range_error(ctx: &Ctx<'_>, message: impl AsRef<str>) -> rquickjs::Error {
    Exception::throw_range(ctx, message.as_ref())
}

fn stale(ctx: &Ctx<'_>) -> rquickjs::Error {
    Exception::throw_type(
        ctx,
        "Intl: this formatter was not created by its constructor",
    )
}

/// Installs `Intl` and the `toLocale*` methods; runs before the prelude.
pub fn install(ctx: &Ctx<'_>) -> rquickjs::Result<()> {
    let mut options = rquickjs::context::EvalOptions::default();
    options.strict = true;
    options.filename = Some("<baton intl>".into());
    let installer: Function = ctx.eval_with_options(INTL_JS, options)?;
    installer.call((
        native_object(ctx)?,
        default_time_zone(std::env::var("TZ").ok()),
    ))
}

/// The time zone a script gets when it names none: `TZ` (a leading `:` allowed, as in libc)
/// if it names a known zone, else UTC.
pub fn default_time_zone(tz: Option<String>) -> String {
    tz.as_deref()
        .map(|name| name.strip_prefix(':').unwrap_or(name))
        .filter(|name| !name.is_empty())
        .and_then(datetime::canonical_time_zone)
        .unwrap_or_else(|| "UTC".into())
}

/// Builds the `intl` object handed to `intl.js`.
fn native_object<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<Object<'js>> {
    let table = Rc::new(RefCell::new(Formatters::default()));
    let native = Object::new(ctx.clone())?;

    native.set(
        "canonicalLocale",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, tag: String| {
            parse_locale(&ctx, &tag).map(|locale| locale.to_string())
        })?,
    )?;
    native.set(
        "timeZone",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, name: String| {
            datetime::canonical_time_zone(&name)
                .ok_or_else(|| range_error(&ctx, format!("Invalid time zone specified: {name}")))
        })?,
    )?;
    native.set(
        "caseMap",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, tag: String, text: String, upper: bool| {
                let locale = parse_locale(&ctx, &tag)?;
                Ok::<_, rquickjs::Error>(casemap::map(&locale, &text, upper))
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "collator",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, numeric: bool, sensitivity: String| {
                let locale = parse_locale(&ctx, &tag)?;
                let made = collator::Collator::new(&locale, numeric, &sensitivity)
                    .map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::Collator(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "compare",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, a: String, b: String| match t.borrow().get(handle) {
                Some(Formatter::Collator(c)) => Ok(c.compare(&a, &b)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "numberFormat",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, options: String| {
                let locale = parse_locale(&ctx, &tag)?;
                let made = number::NumberFormat::new(&locale, &options)
                    .map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::Number(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "formatNumber",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, value: f64| match t.borrow().get(handle) {
                Some(Formatter::Number(f)) => Ok(f.format(value)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "dateFormat",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, options: String| {
                let locale = parse_locale(&ctx, &tag)?;
                let made = datetime::DateFormat::new(&locale, &options)
                    .map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::Date(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "formatDate",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, epoch_ms: f64| match t.borrow().get(handle) {
                Some(Formatter::Date(f)) => f.format(epoch_ms).map_err(|e| range_error(&ctx, e)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "pluralRules",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, ordinal: bool| {
                let locale = parse_locale(&ctx, &tag)?;
                let made =
                    plural::Plural::new(&locale, ordinal).map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::Plural(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "selectPlural",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, value: f64, min_fraction: f64| match t
                .borrow()
                .get(handle)
            {
                Some(Formatter::Plural(p)) => Ok(p.select(value, min_fraction as i16)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "listFormat",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, kind: String, style: String| {
                let locale = parse_locale(&ctx, &tag)?;
                let made =
                    list::List::new(&locale, &kind, &style).map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::List(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "formatList",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, items: Vec<String>| match t.borrow().get(handle) {
                Some(Formatter::List(l)) => Ok(l.format(&items)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;

    let t = table.clone();
    native.set(
        "relativeTimeFormat",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, tag: String, style: String, auto: bool| {
                let locale = parse_locale(&ctx, &tag)?;
                let made = relative::RelativeTime::new(&locale, &style, auto)
                    .map_err(|e| range_error(&ctx, e))?;
                Ok::<_, rquickjs::Error>(t.borrow_mut().add(Formatter::Relative(made)))
            },
        )?,
    )?;
    let t = table.clone();
    native.set(
        "formatRelative",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, value: f64, unit: String| match t.borrow().get(handle)
            {
                Some(Formatter::Relative(r)) => {
                    r.format(value, &unit).map_err(|e| range_error(&ctx, e))
                }
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;
    let t = table;
    native.set(
        "formatRelativeToParts",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, handle: f64, value: f64, unit: String| match t.borrow().get(handle)
            {
                // Flat: type, text, type, text, ...
                Some(Formatter::Relative(r)) => r
                    .format_to_parts(value, &unit)
                    .map(|parts| {
                        parts
                            .into_iter()
                            .flat_map(|(kind, text)| [kind.to_string(), text])
                            .collect::<Vec<String>>()
                    })
                    .map_err(|e| range_error(&ctx, e)),
                _ => Err(stale(&ctx)),
            },
        )?,
    )?;
    Ok(native)
}

#[cfg(test)]
mod tests {
    use super::default_time_zone;

    #[test]
    fn the_default_time_zone_comes_from_tz_else_utc() {
        let tz = |v: &str| default_time_zone(Some(v.to_string()));
        assert_eq!(tz("America/New_York"), "America/New_York");
        assert_eq!(tz(":Europe/Berlin"), "Europe/Berlin");
        assert_eq!(tz("Etc/UTC"), "UTC");
        assert_eq!(tz("Not/AZone"), "UTC");
        assert_eq!(tz(""), "UTC");
        assert_eq!(default_time_zone(None), "UTC");
    }
}
