//! `baton save <run> --name N [--personal] [--force]`: writes the script a run journaled as
//! `<N>.workflow.js`, in the project's `.baton/workflows/` or `~/.baton/workflows/`.
//!
//! Safety: the file itself is never written through a symbolic link (refused even with
//! `--force`, and the writes cannot follow one planted meanwhile: a new file is created with
//! `O_CREAT|O_EXCL`, a replacement is written beside it and renamed over the entry). The
//! project's folder must stay inside the project after links are resolved, so a cloned
//! repository's `.baton -> /somewhere` cannot aim the write elsewhere; the personal folder may
//! be a link (dotfile managers link whole folders), as the user's home is theirs.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use baton_engine::WorkflowLibrary;

use crate::cli::SaveArgs;
use crate::commands::journal_view::open_store;
use crate::exit;
use crate::workspace::{home_dir, workspace_root};

const SUFFIX: &str = ".workflow.js";

pub fn save(args: &SaveArgs) -> Result<i32> {
    let name = workflow_name(&args.name)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let record = open_store()?.run(&args.run)?;
    let (folder, scope) = if args.personal {
        let Some(home) = home_dir() else {
            bail!("--personal saves in ~/.baton/workflows/, but HOME is not set; set it, or save in the project without --personal");
        };
        std::fs::create_dir_all(home.join(".baton/workflows")).with_context(|| {
            format!("cannot create {}", home.join(".baton/workflows").display())
        })?;
        (home.join(".baton/workflows"), "personal")
    } else {
        (project_folder(&cwd)?, "project")
    };
    let target = folder.join(format!("{name}{SUFFIX}"));
    write_script(&target, &record.start.script, args.force)?;
    println!(
        "saved the script of {} as '{name}' ({scope}): {}",
        record.summary.id,
        target.display()
    );
    // A nearer folder (or `.claude/` beside `.baton/` elsewhere up the tree) may hold the same
    // name; the user should know their save is not what `baton run <name>` will pick here.
    let library = WorkflowLibrary::discover(&cwd, home_dir().as_deref());
    match library.find(&name) {
        Some(winner) if !same_file(&winner.path, &target) => eprintln!(
            "note: {} has the same name and wins it here; `baton run {name}` runs that one",
            winner.path.display()
        ),
        _ => eprintln!("run it with `baton run {name}`"),
    }
    Ok(exit::COMPLETED)
}

/// The name as given, without a `.workflow.js` the user may have added: one plain file name
/// that is also a sensible command-line word.
pub fn workflow_name(given: &str) -> Result<String> {
    let name = given.strip_suffix(SUFFIX).unwrap_or(given);
    let rule =
        "a name starts with a letter or digit and holds only letters, digits, '-', '_' and '.'";
    if name.is_empty() {
        bail!("--name is empty; {rule}");
    }
    let first_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric());
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !first_ok || !chars_ok || name.contains("..") {
        bail!("--name {given}: {rule} (no slashes, spaces or '..')");
    }
    if name.len() > 100 {
        bail!("--name {given}: at most 100 characters");
    }
    Ok(name.to_string())
}

/// The project's folder for saved workflows: the nearest `.baton/workflows/` between here and
/// the workspace root (the one `baton run <name>` searches from here), else the root's, made
/// when missing. Refused when links lead it outside the project.
pub(super) fn project_folder(cwd: &Path) -> Result<PathBuf> {
    let root = workspace_root(cwd);
    let folder = cwd
        .ancestors()
        .take_while(|dir| dir.starts_with(&root))
        .map(|dir| dir.join(".baton/workflows"))
        .find(|folder| folder.is_dir())
        .unwrap_or_else(|| root.join(".baton/workflows"));
    let real_root = root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", root.display()))?;
    // Check the deepest part that exists before creating anything, then the whole folder.
    let existing = folder.ancestors().find(|dir| dir.exists()).unwrap_or(&root);
    inside(existing, &real_root, &folder)?;
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    inside(&folder, &real_root, &folder)?;
    Ok(folder)
}

fn inside(dir: &Path, real_root: &Path, folder: &Path) -> Result<()> {
    let real = dir
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", dir.display()))?;
    if !real.starts_with(real_root) {
        bail!(
            "{} leads outside the project (to {}) through a symbolic link; baton does not save through it: remove the link, or save with --personal",
            folder.display(),
            real.display()
        );
    }
    Ok(())
}

/// Writes `script` at `target`: a new file, or with `force` a replacement of a regular file.
pub(super) fn write_script(target: &Path, script: &str, force: bool) -> Result<()> {
    match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{} is a symbolic link; baton does not write through links: remove it, or choose another --name",
            target.display()
        ),
        Ok(meta) if !meta.is_file() => bail!(
            "{} exists and is not a file; choose another --name",
            target.display()
        ),
        Ok(_) if !force => bail!(
            "{} already exists; pass --force to replace it, or choose another --name",
            target.display()
        ),
        Ok(_) => replace(target, script),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_new(target, script),
        Err(e) => Err(e).with_context(|| format!("cannot inspect {}", target.display())),
    }
}

/// `O_CREAT|O_EXCL`: fails on any existing entry, a link (even a dangling one) included.
fn create_new(path: &Path, text: &str) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => anyhow::anyhow!(
                "{} appeared while saving; nothing was written, try again",
                path.display()
            ),
            _ => anyhow::Error::new(e).context(format!("cannot create {}", path.display())),
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes beside `target`, then renames over it: the entry is replaced, never followed.
fn replace(target: &Path, text: &str) -> Result<()> {
    let file_name = target.file_name().unwrap_or_default().to_string_lossy();
    let temporary = target.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    create_new(&temporary, text)?;
    std::fs::rename(&temporary, target).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        anyhow::Error::new(e).context(format!("cannot replace {}", target.display()))
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_file_names() {
        assert_eq!(workflow_name("review").unwrap(), "review");
        assert_eq!(workflow_name("a.b-c_d2").unwrap(), "a.b-c_d2");
        assert_eq!(workflow_name("review.workflow.js").unwrap(), "review");
        for bad in [
            "",
            "../x",
            "a/b",
            "a\\b",
            ".hidden",
            "-flag",
            "a..b",
            "with space",
            "é",
            ".workflow.js",
        ] {
            assert!(workflow_name(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(workflow_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn an_existing_file_is_kept_unless_forced_and_a_link_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.workflow.js");
        write_script(&target, "one", false).unwrap();
        assert!(write_script(&target, "two", false).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "one");
        write_script(&target, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "two");

        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "precious").unwrap();
        let link = dir.path().join("l.workflow.js");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        for force in [false, true] {
            let error = write_script(&link, "evil", force).unwrap_err().to_string();
            assert!(error.contains("symbolic link"), "{error}");
        }
        // A dangling link is refused as well, and create_new alone would not follow it.
        let dangling = dir.path().join("d.workflow.js");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write_script(&dangling, "evil", false).is_err());
        assert!(create_new(&dangling, "evil").is_err());
        assert!(!dir.path().join("nowhere").exists());
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "precious");
        // Nothing is left behind by the replacement.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
