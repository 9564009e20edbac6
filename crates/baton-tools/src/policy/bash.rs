//! The Bash half of the policy: deny rules win, then every simple command of the line must be
//! allowed by a user's rule or be read-only inspection of the workspace.

use std::path::{Path, PathBuf};

use super::shell::{self, Redirect, Simple, Word};
use super::{Access, Policy};

/// Commands that only look, allowed without a rule. Each may still be refused for its
/// arguments (see [`read_only`]): paths outside the workspace, options that write files or run
/// other programs. `env` is safe to list because the provider keys are removed from every
/// command's environment; it is allowed without arguments only (`env rm …` would run `rm`).
const READ_ONLY: &[&str] = &[
    "ls", "cat", "head", "tail", "wc", "pwd", "echo", "grep", "egrep", "fgrep", "rg", "find",
    "which", "file", "stat", "sort", "uniq", "env", "printenv", "true", "basename", "dirname",
    "realpath", "readlink", "du", "diff", "cmp", "cut", "tr", "nl", "whoami", "uname", "id", "cd",
    "git",
];
/// The git subcommands that only look.
const GIT_READ_ONLY: &[&str] = &["status", "log", "diff", "show", "rev-parse", "branch"];

pub(super) fn check(policy: &Policy, command: &str, cwd: &Path) -> Result<(), String> {
    let rules = policy.rules();
    if let Some(rule) = rules.denying(command) {
        return Err(format!(
            "the command `{command}` matches the deny rule {rule}."
        ));
    }
    let simples = match shell::parse(command) {
        Ok(simples) => simples,
        // What cannot be read with certainty runs only if a rule allows the whole line.
        Err(why) => {
            return match rules.allowing(command) {
                Some(_) => Ok(()),
                None => Err(format!(
                    "the command `{command}` cannot be checked ({why}), and no allow rule \
                     covers it whole."
                )),
            };
        }
    };
    // Relative paths are checked against every directory a `cd` may have moved to.
    let mut dirs = vec![cwd.to_path_buf()];
    for simple in &simples {
        let forms = [simple.text.as_str(), &simple.plain()];
        if let Some(rule) = forms.iter().find_map(|form| rules.denying(form)) {
            return Err(format!("`{}` matches the deny rule {rule}.", simple.text));
        }
        if rules.allowing(&simple.text).is_some() {
            continue;
        }
        read_only(policy, simple, &mut dirs).map_err(|why| {
            let first = simple.words.first().map_or("", |w| w.text.as_str());
            format!(
                "`{}` is not allowed: {why} (a user could allow it with 'Bash({first}:*)').",
                simple.text
            )
        })?;
    }
    Ok(())
}

/// Whether one simple command is read-only inspection of the allowed directories.
fn read_only(policy: &Policy, simple: &Simple, dirs: &mut Vec<PathBuf>) -> Result<(), String> {
    if !simple.assignments.is_empty() {
        return Err("it sets variables, which can change what later commands do".into());
    }
    let Some((name, args)) = simple.words.split_first() else {
        return Err("it only redirects".into());
    };
    if !name.literal || !READ_ONLY.contains(&name.text.as_str()) {
        return Err(format!(
            "`{}` is not a read-only inspection command",
            name.text
        ));
    }
    for redirect in &simple.redirects {
        match redirect {
            Redirect::Write(target) if target.text != "/dev/null" => {
                return Err("it writes to a file (`>`)".into())
            }
            Redirect::Read(source) => check_arg(policy, source, dirs)?,
            _ => {}
        }
    }
    let arg = |i: usize| args.get(i).map_or("", |w: &Word| w.text.as_str());
    let has = |test: &dyn Fn(&str) -> bool| args.iter().any(|w| test(&w.text));
    let refused = match name.text.as_str() {
        "find" => has(&|a| {
            matches!(
                a,
                "-exec"
                    | "-execdir"
                    | "-ok"
                    | "-okdir"
                    | "-delete"
                    | "-fls"
                    | "-fprint"
                    | "-fprint0"
                    | "-fprintf"
            )
        }),
        "sort" => has(&|a| {
            a.starts_with("--output")
                || a.starts_with("--compress-program")
                || (a.starts_with('-') && !a.starts_with("--") && a.contains('o'))
        }),
        "uniq" => args.iter().filter(|w| !w.text.starts_with('-')).count() > 1,
        "rg" => has(&|a| a.starts_with("--pre")),
        "file" => has(&|a| a == "-C" || a == "--compile"),
        "env" => !args.is_empty(),
        "git" => {
            !GIT_READ_ONLY.contains(&arg(0))
                || has(&|a| a.starts_with("--output") || a == "--ext-diff" || a.starts_with("-o"))
                || (arg(0) == "branch" && args.len() > 1 && !has(&|a| a == "--list" || a == "-a"))
        }
        _ => false,
    };
    if refused {
        return Err(format!(
            "these arguments of `{}` write files or run programs",
            name.text
        ));
    }
    if name.text == "echo" {
        return Ok(());
    }
    for word in args {
        check_arg(policy, word, dirs)?;
    }
    if name.text == "cd" {
        let Some(target) = args.first() else {
            return Err("`cd` alone goes to the home directory".into());
        };
        let moved: Vec<PathBuf> = dirs.iter().map(|dir| dir.join(&target.text)).collect();
        dirs.extend(moved);
    }
    Ok(())
}

/// An argument is either not a path at all or a path inside the allowed directories; one
/// whose value is only known at run time (`$HOME`, `~`) is refused.
fn check_arg(policy: &Policy, word: &Word, dirs: &[PathBuf]) -> Result<(), String> {
    if !word.literal {
        return Err(format!(
            "`{}` is only known when the shell runs it (a variable, `~` or a substitution)",
            word.text
        ));
    }
    let text = word.text.as_str();
    // Option values can be paths too: `--file=/etc/x`, `-f/etc/x`.
    let candidate = match text.split_once('=') {
        Some((flag, value)) if flag.starts_with('-') => value,
        _ if text.starts_with('-') => match text.find('/') {
            Some(slash) if !text.starts_with("--") => &text[slash..],
            _ => return Ok(()),
        },
        _ => text,
    };
    if candidate.is_empty() || candidate == "/dev/null" {
        return Ok(());
    }
    for dir in dirs {
        policy
            .check_path(&dir.join(candidate), Access::Read, candidate)
            .map_err(|_| format!("`{candidate}` is outside the workspace or leads out of it"))?;
    }
    Ok(())
}
