//! `baton config`: the settings a run started here would use, each with where it came from
//! (`flag`, `env BATON_X`, a config file's path, `default`). Takes the same flags as `run`, so
//! it answers "what would this command line do".

use anyhow::{Context, Result};

use crate::cli::RunSettings;
use crate::commands::journal_view::emit;
use crate::exit;
use crate::model_choice;
use crate::settings::Settings;
use crate::workspace::home_dir;

pub fn config(flags: &RunSettings) -> Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let settings = Settings::resolve(flags, &cwd, home_dir().as_deref())?;
    let mut rows = settings.rows();
    // Without a model setting, the model a run would pick from the keys in the environment.
    if settings.model.is_none() {
        let default = match model_choice::model_table(&settings)?.default_model {
            Ok(model) => format!("{model} (from the keys set)"),
            Err(_) => "none: set a key or --model".to_string(),
        };
        if let Some(row) = rows.iter_mut().find(|row| row.0 == "model") {
            row.1 = default;
        }
    }
    emit(&render(&rows))?;
    Ok(exit::COMPLETED)
}

/// Three aligned columns: setting, value, source.
fn render(rows: &[(String, String, String)]) -> String {
    let width = |pick: fn(&(String, String, String)) -> &String, title: &str| {
        rows.iter()
            .map(|row| pick(row).chars().count())
            .chain([title.len()])
            .max()
            .unwrap_or(0)
    };
    let (key_width, value_width) = (width(|r| &r.0, "setting"), width(|r| &r.1, "value"));
    let mut out = format!(
        "{:<key_width$}  {:<value_width$}  source\n",
        "setting", "value"
    );
    for (key, value, source) in rows {
        out.push_str(&format!(
            "{key:<key_width$}  {value:<value_width$}  {source}\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let rows = vec![
            ("model".to_string(), "haiku".to_string(), "flag".to_string()),
            (
                "max_agents".to_string(),
                "1000".to_string(),
                "default".to_string(),
            ),
        ];
        assert_eq!(
            render(&rows),
            "setting     value  source\nmodel       haiku  flag\nmax_agents  1000   default\n"
        );
    }
}
