//! The Bash half of the policy: deny rules win, then every simple command of the line must be
//! allowed by a user's rule or be read-only inspection of the workspace.

use std::path::{Path, PathBuf};

use super::shell::{self, Redirect, Simple, Word};
use super::{Access, Policy, Rule};

/// Commands that only look, allowed without a rule. Each may still be refused for its
/// arguments (see [`read_only`]): paths outside the workspace, options that write files or run
/// other programs. `env` and `printenv` are not here: they print every secret the environment
/// holds (`GH_TOKEN`, `AWS_*`…), not only the provider keys removed from it.
const READ_ONLY: &[&str] = &[
    "ls", "cat", "head", "tail", "wc", "pwd", "echo", "grep", "egrep", "fgrep", "rg", "find",
    "which", "file", "stat", "sort", "uniq", "true", "basename", "dirname", "realpath", "readlink",
    "du", "diff", "cmp", "cut", "tr", "nl", "whoami", "uname", "id", "cd", "git",
];
/// The git subcommands that only look.
const GIT_READ_ONLY: &[&str] = &["status", "log", "diff", "show", "rev-parse", "branch"];

/// `sort`'s flags that only choose an order. GNU long options may be abbreviated (`--o=x` is
/// `--output`, `--comp=sh` runs `sh`), so only these exact spellings pass, never a prefix.
const SORT_LONG: &[&str] = &[
    "--reverse",
    "--numeric-sort",
    "--unique",
    "--ignore-case",
    "--human-numeric-sort",
    "--version-sort",
    "--stable",
    "--general-numeric-sort",
    "--month-sort",
    "--ignore-leading-blanks",
    "--dictionary-order",
];
/// `sort`'s long flags that take a value (`--key=2`, `--key 2`).
const SORT_LONG_VALUE: &[&str] = &["--key", "--field-separator"];
/// `sort`'s one-letter ordering flags, alone or combined (`-rn`); `-k` and `-t` take a value.
const SORT_SHORT: &str = "rnufbhVsgMRdi";

/// `git branch`'s flags that only list.
const BRANCH_LIST: &[&str] = &[
    "--list",
    "--all",
    "--remotes",
    "--verbose",
    "--show-current",
    "--ignore-case",
    "--color",
    "--no-color",
];
/// `git branch`'s listing flags that take a value (`--contains main`, `--sort=-committerdate`).
const BRANCH_LIST_VALUE: &[&str] = &[
    "--contains",
    "--no-contains",
    "--merged",
    "--no-merged",
    "--points-at",
    "--sort",
    "--format",
];

/// A `cd` can leave more than one place possible (`cd a || cd b`): past this many, relative
/// paths count as unknown rather than being checked against each.
const MAX_DIRS: usize = 64;

/// Every directory a relative path may start from: the command's own, then wherever a `cd`
/// may have moved to; `None` for one only known when the shell runs (`cd $X`, `cd -`).
type Dirs = Vec<Option<PathBuf>>;

pub(super) fn check(policy: &Policy, command: &str, cwd: &Path) -> Result<(), String> {
    let rules = policy.rules();
    if let Some(rule) = rules.denying(command) {
        return Err(format!(
            "the command `{command}` matches the deny rule {rule}."
        ));
    }
    let simples = match shell::parse(command) {
        Ok(simples) => simples,
        // What cannot be read with certainty runs only if a rule names the whole line: a
        // prefix says nothing of what follows it (`git diff <<X` … `rm -rf ~`), and `Bash`
        // alone cannot vouch for a line that might hide a command a deny rule names.
        Err(why) => {
            let whole = rules
                .allowing_whole(command)
                .filter(|rule| matches!(rule, Rule::BashExact(_)) || !rules.denies_commands());
            return match whole {
                Some(_) => Ok(()),
                None => Err(format!(
                    "the command `{command}` cannot be checked ({why}), and no allow rule \
                     covers it whole (a prefix rule such as 'Bash(git diff:*)' never does)."
                )),
            };
        }
    };
    let mut dirs: Dirs = vec![Some(cwd.to_path_buf())];
    for simple in &simples {
        let forms = [simple.text.as_str(), &simple.plain()];
        if let Some(rule) = forms.iter().find_map(|form| rules.denying(form)) {
            return Err(format!("`{}` matches the deny rule {rule}.", simple.text));
        }
        if rules.allowing_whole(&simple.text).is_some() {
            // `Bash` or this exact command: the user allowed it as written.
        } else if let Some(rule) = rules.allowing(&simple.text) {
            // A prefix vouches for the command and its arguments, not for where the
            // redirections written after them lead.
            for redirect in &simple.redirects {
                check_redirect(policy, redirect, &dirs).map_err(|why| {
                    format!(
                        "`{}` is not allowed: {why} (the rule {rule} allows the command, not \
                         where its redirections lead).",
                        simple.text
                    )
                })?;
            }
        } else {
            read_only(policy, simple, &dirs).map_err(|why| {
                let first = simple.words.first().map_or("", |w| w.text.as_str());
                format!(
                    "`{}` is not allowed: {why} (a user could allow it with 'Bash({first}:*)').",
                    simple.text
                )
            })?;
        }
        // However the command was allowed, later relative paths start where it may have gone.
        moved(simple, &mut dirs);
    }
    Ok(())
}

/// Adds the directories a `cd` (or `pushd`, `popd`) may move to.
fn moved(simple: &Simple, dirs: &mut Dirs) {
    let Some((name, args)) = simple.words.split_first() else {
        return;
    };
    if !name.literal {
        return;
    }
    let target = match name.text.as_str() {
        "cd" => cd_target(args),
        "pushd" | "popd" => None,
        _ => return,
    };
    let next: Dirs = match target {
        Some(target) => dirs
            .iter()
            .map(|dir| dir.as_ref().map(|dir| dir.join(&target.text)))
            .collect(),
        None => vec![None],
    };
    for dir in next {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    if dirs.len() > MAX_DIRS {
        *dirs = vec![None];
    }
}

/// Where `cd args` goes, when the line itself says so: `None` for `cd` alone (home), `cd -`
/// (`$OLDPWD`), other options, a target only known at run time, or more than one target.
fn cd_target(args: &[Word]) -> Option<&Word> {
    let mut rest = args
        .iter()
        .skip_while(|w| w.literal && matches!(w.text.as_str(), "-P" | "-L"));
    let target = rest.next()?;
    let plain = target.literal && !target.text.starts_with('-');
    (plain && rest.next().is_none()).then_some(target)
}

/// Whether one simple command is read-only inspection of the allowed directories.
fn read_only(policy: &Policy, simple: &Simple, dirs: &Dirs) -> Result<(), String> {
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
            Redirect::Write(target) if !(target.literal && target.text == "/dev/null") => {
                return Err("it writes to a file (`>`)".into())
            }
            Redirect::Read(_) => check_redirect(policy, redirect, dirs)?,
            _ => {}
        }
    }
    let arg = |i: usize| args.get(i).map_or("", |w: &Word| w.text.as_str());
    let has = |test: &dyn Fn(&str) -> bool| args.iter().any(|w| test(&w.text));
    let writes = format!(
        "these arguments of `{}` write files or run programs",
        name.text
    );
    // `--files0-from` (and its abbreviations) takes the names of the files to open from a
    // file or stdin, where no check sees them.
    let files0 = |a: &str| {
        let flag = a.split_once('=').map_or(a, |(flag, _)| flag);
        a.starts_with("--files0") || (flag.len() >= 3 && "--files0-from".starts_with(flag))
    };
    if has(&|a| a.starts_with("--files0"))
        || (matches!(name.text.as_str(), "wc" | "du") && has(&files0))
    {
        return Err(format!(
            "`--files0-from` makes `{}` open files named at run time, which cannot be checked",
            name.text
        ));
    }
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
        })
        .then_some(writes),
        "sort" => (!sort_orders_only(args)).then(|| {
            "only `sort`'s ordering options are allowed (-r -n -u -k… -t… and their long \
             names, written out whole): others write files or run programs"
                .to_string()
        }),
        "uniq" => (uniq_operands(args) > 1).then(|| {
            "`uniq`'s second operand is a file it writes (`-` counts as the first)".to_string()
        }),
        "rg" => has(&|a| a.starts_with("--pre")).then_some(writes),
        "file" => has(&|a| a == "-C" || a == "--compile").then_some(writes),
        "cd" => cd_target(args).is_none().then(|| {
            "`cd` goes only to a directory named in the workspace (`cd` alone goes home, `cd -` \
             to the previous directory)"
                .to_string()
        }),
        "git" => {
            // `--ou`: git takes abbreviated long options (`--out=x` is `--output=x`).
            let options = has(&|a| {
                (a.starts_with("--ou") && a != "--ours")
                    || a.starts_with("--ext")
                    || a.starts_with("-o")
            });
            if !GIT_READ_ONLY.contains(&arg(0)) || options {
                Some(writes)
            } else if arg(0) == "branch" && !branch_lists(&args[1..]) {
                Some(
                    "`git branch` may only list branches (-a -r -v --list <pattern> \
                     --contains <commit> --sort=… --format=…)"
                        .to_string(),
                )
            } else {
                None
            }
        }
        _ => None,
    };
    if let Some(why) = refused {
        return Err(why);
    }
    // `echo` names no files, but a pattern would list them (`echo /etc/*`) and a variable
    // would print what it holds.
    if name.text == "echo" {
        return match args.iter().find(|w| !w.literal) {
            Some(word) => check_arg(policy, word, dirs),
            None => Ok(()),
        };
    }
    for word in args {
        check_arg(policy, word, dirs)?;
    }
    Ok(())
}

/// Whether `sort`'s arguments only choose an order (see [`SORT_LONG`]).
fn sort_orders_only(args: &[Word]) -> bool {
    let mut words = args.iter().map(|w| w.text.as_str());
    while let Some(a) = words.next() {
        if a == "--" {
            return true;
        }
        if a == "-" || !a.starts_with('-') {
            continue;
        }
        if a.starts_with("--") {
            let flag = a.split_once('=').map_or(a, |(flag, _)| flag);
            if SORT_LONG.contains(&a) {
                continue;
            }
            if !SORT_LONG_VALUE.contains(&flag) {
                return false;
            }
            if !a.contains('=') {
                words.next();
            }
            continue;
        }
        let cluster = &a[1..];
        for (i, c) in cluster.char_indices() {
            if c == 'k' || c == 't' {
                // The rest of the word is the value, or the next word is.
                if cluster[i + 1..].is_empty() {
                    words.next();
                }
                break;
            }
            if !SORT_SHORT.contains(c) {
                return false;
            }
        }
    }
    true
}

/// How many files `uniq` is given: its second is the output. `-` (stdin) and everything after
/// `--` count.
fn uniq_operands(args: &[Word]) -> usize {
    let mut after_dashes = false;
    let mut operands = 0;
    for arg in args {
        let a = arg.text.as_str();
        if after_dashes || a == "-" || !a.starts_with('-') {
            operands += 1;
        } else if a == "--" {
            after_dashes = true;
        }
    }
    operands
}

/// Whether `git branch`'s arguments only list: anything else (a name, `-d`, `-m`,
/// `--edit-description`, `--set-upstream-to`…) changes branches or runs an editor.
fn branch_lists(args: &[Word]) -> bool {
    let short = |a: &str| {
        a.len() > 1
            && a.starts_with('-')
            && !a.starts_with("--")
            && a[1..].chars().all(|c| "arlvi".contains(c))
    };
    // Patterns are allowed after `--list` only: without it a name creates a branch.
    let list = args
        .iter()
        .any(|w| w.text == "--list" || (short(&w.text) && w.text.contains('l')));
    let mut words = args.iter().map(|w| w.text.as_str());
    while let Some(a) = words.next() {
        let flag = a.split_once('=').map_or(a, |(flag, _)| flag);
        if short(a) || BRANCH_LIST.contains(&a) || a.starts_with("--color=") {
            continue;
        }
        if BRANCH_LIST_VALUE.contains(&flag) {
            if !a.contains('=') {
                words.next();
            }
            continue;
        }
        if list && !a.starts_with('-') {
            continue;
        }
        return false;
    }
    true
}

/// A redirection's file must lie inside the allowed directories; a write's also outside
/// `.git` and `.baton`. The target is a path as written, whatever it starts with.
fn check_redirect(policy: &Policy, redirect: &Redirect, dirs: &Dirs) -> Result<(), String> {
    let (word, access) = match redirect {
        Redirect::Write(word) => (word, Access::Write),
        Redirect::Read(word) => (word, Access::Read),
        Redirect::Other => return Ok(()),
    };
    if word.literal && ["/dev/null", "/dev/stdout", "/dev/stderr"].contains(&word.text.as_str()) {
        return Ok(());
    }
    if !word.literal {
        return Err(not_literal(word));
    }
    check_in(policy, &word.text, dirs, access)
}

/// An argument is either not a path at all or a path inside the allowed directories; one
/// whose value is only known at run time (`$HOME`, `~`, `*.rs`) is refused.
fn check_arg(policy: &Policy, word: &Word, dirs: &Dirs) -> Result<(), String> {
    if !word.literal {
        return Err(not_literal(word));
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
    check_in(policy, candidate, dirs, Access::Read)
}

/// Why a word whose value is only known at run time is refused, and what to do instead.
fn not_literal(word: &Word) -> String {
    if word.text.contains(['*', '?', '[', '{']) {
        format!(
            "`{}` is a pattern the shell expands to file names (`*`, `?`, `[…]` or `{{…}}`), so \
             which files it names cannot be checked; use the Glob or Grep tools, or name the \
             files explicitly (quote a name that holds such characters)",
            word.text
        )
    } else {
        format!(
            "`{}` is only known when the shell runs it (a variable, `~` or a substitution)",
            word.text
        )
    }
}

/// `path` from every directory the command may run in must stay inside.
fn check_in(policy: &Policy, path: &str, dirs: &Dirs, access: Access) -> Result<(), String> {
    let refused = |_| match access {
        Access::Read => format!("`{path}` is outside the workspace or leads out of it"),
        Access::Write => format!(
            "`{path}` is outside the workspace, leads out of it, or lies in `.git` or `.baton`"
        ),
    };
    if Path::new(path).is_absolute() {
        return policy
            .check_path(Path::new(path), access, path)
            .map(drop)
            .map_err(refused);
    }
    for dir in dirs {
        let Some(dir) = dir else {
            return Err(format!(
                "`{path}` is relative to a directory only known when the shell runs (after a \
                 `cd` to a variable, `~`, `-` or home)"
            ));
        };
        policy
            .check_path(&dir.join(path), access, path)
            .map_err(refused)?;
    }
    Ok(())
}
