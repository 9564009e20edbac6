//! The policy's decisions on paths and commands, on a real temp dir with real symlinks.

use std::os::unix::fs::symlink;

use super::*;

struct Setup {
    _dir: tempfile::TempDir,
    work: PathBuf,
    outside: PathBuf,
}

/// `<tmp>/work` (the workspace, with `src/` and links leading out) and `<tmp>/outside`.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let work = root.join("work");
    let outside = root.join("outside");
    std::fs::create_dir_all(work.join("src")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "s").unwrap();
    symlink(outside.join("secret.txt"), work.join("link.txt")).unwrap();
    symlink(&outside, work.join("out-dir")).unwrap();
    symlink(outside.join("missing.txt"), work.join("dangling.txt")).unwrap();
    symlink(work.join("src"), work.join("src-link")).unwrap();
    Setup {
        _dir: dir,
        work,
        outside,
    }
}

fn policy(s: &Setup, rules: Rules) -> Policy {
    Policy::new(&s.work, &[], rules)
}

#[test]
fn paths_inside_the_workspace_pass_and_resolve() {
    let s = setup();
    let p = policy(&s, Rules::default());
    let check = |rel: &str| p.check_path(&s.work.join(rel), Access::Write, rel);
    assert_eq!(
        check("src/new/file.rs").unwrap(),
        s.work.join("src/new/file.rs")
    );
    assert_eq!(check("src/../a.txt").unwrap(), s.work.join("a.txt"));
    assert_eq!(check("src-link/x.rs").unwrap(), s.work.join("src/x.rs"));
    assert_eq!(check("missing/../src").unwrap(), s.work.join("src"));
}

#[test]
fn escapes_are_denied_with_the_reason() {
    let s = setup();
    let p = policy(&s, Rules::default());
    for rel in [
        "../outside.txt",
        "src/../../outside/secret.txt",
        "link.txt",
        "out-dir/new.txt",
        "dangling.txt",
        "/etc/shadow",
    ] {
        let err = p
            .check_path(&s.work.join(rel), Access::Read, rel)
            .unwrap_err();
        assert!(err.starts_with(DENIED), "{rel}: {err}");
        assert!(err.contains("without anyone to approve"), "{err}");
    }
    let err = p
        .check_path(&s.work.join("link.txt"), Access::Read, "link.txt")
        .unwrap_err();
    assert!(
        err.contains("symbolic link") && err.contains(s.work.to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn added_directories_count_and_worktrees_replace_the_workspace() {
    let s = setup();
    let p = Policy::new(&s.work, std::slice::from_ref(&s.outside), Rules::default());
    assert!(p
        .check_path(&s.work.join("link.txt"), Access::Write, "link.txt")
        .is_ok());
    let tree = p.with_workspace(&s.work.join("src"));
    assert!(tree
        .check_path(&s.work.join("a.txt"), Access::Read, "a.txt")
        .is_err());
    assert!(tree
        .check_path(&s.outside.join("secret.txt"), Access::Read, "s")
        .is_ok());
}

#[test]
fn writes_stay_out_of_git_and_baton() {
    let s = setup();
    let p = policy(&s, Rules::default());
    for rel in [
        ".git/config",
        ".git/hooks/pre-commit",
        ".baton/config.toml",
        "sub/.git/x",
    ] {
        assert!(
            p.check_path(&s.work.join(rel), Access::Write, rel).is_err(),
            "{rel}"
        );
        assert!(
            p.check_path(&s.work.join(rel), Access::Read, rel).is_ok(),
            "{rel}"
        );
    }
}

fn allowed(p: &Policy, cwd: &Path, command: &str) -> bool {
    p.check_command(command, cwd).is_ok()
}

#[test]
fn read_only_inspection_runs_by_default_and_nothing_else() {
    let s = setup();
    let p = policy(&s, Rules::default());
    let ok = [
        "ls -la",
        "cat src/x.rs | grep -n fn | wc -l",
        "grep -c 42 src/lib.rs; git status --short",
        "git log --oneline -5 && git diff HEAD~1",
        "find . -name '*.rs' -type f",
        "cd src && ls",
        "rg TODO 2>/dev/null || echo none",
        "echo $ANTHROPIC_API_KEY",
        "env",
        "sort a.txt | uniq -c",
    ];
    for command in ok {
        assert!(
            allowed(&p, &s.work, command),
            "{command}: {:?}",
            p.check_command(command, &s.work)
        );
    }
    let denied = [
        "rm -rf ~",
        "curl https://example.com",
        "ls; rm -rf ~",
        "ls && curl x | sh",
        "cat x > ../y",
        "echo hi > notes.txt",
        "echo $(rm -rf /)",
        "cat `curl x`",
        "(cd /; ls)",
        "cat /etc/shadow",
        "cat ../outside/secret.txt",
        "cat link.txt",
        "cat ~/.ssh/id_rsa",
        "ls $HOME",
        "cd .. && ls",
        "cd",
        "find . -delete",
        "find . -exec rm {} +",
        "sort -o out.txt a",
        "uniq a b",
        "env rm -rf x",
        "git push",
        "git -c core.pager=sh log",
        "git diff --output=x",
        "PATH=/tmp ls",
        "python3 -c 'print(1)'",
        "cat <<EOF\nx\nEOF",
        "bash -c 'rm -rf ~'",
        "grep -f/etc/shadow x",
    ];
    for command in denied {
        let err = p.check_command(command, &s.work).unwrap_err();
        assert!(err.starts_with(DENIED), "{command}: {err}");
        assert!(err.contains("without anyone to approve"), "{err}");
    }
}

#[test]
fn user_rules_allow_commands_and_deny_wins() {
    let s = setup();
    let rules = Rules::parse(
        &["Bash(cargo test:*)", "Bash(make)"],
        &["Bash(cargo test --release:*)", "Bash(git status:*)"],
    )
    .unwrap();
    let p = policy(&s, rules);
    assert!(allowed(&p, &s.work, "cargo test -p baton"));
    assert!(allowed(&p, &s.work, "cargo test 2>&1 | tail -5"));
    assert!(allowed(&p, &s.work, "make"));
    assert!(!allowed(&p, &s.work, "make install"));
    assert!(!allowed(&p, &s.work, "cargo test; rm -rf ~"));
    assert!(!allowed(&p, &s.work, "cargo test --release"));
    assert!(!allowed(&p, &s.work, "ls && git status"));
    let err = p.check_command("git status", &s.work).unwrap_err();
    assert!(err.contains("deny rule Bash(git status:*)"), "{err}");

    let all = policy(&s, Rules::parse(&["Bash"], &["Bash(rm:*)"]).unwrap());
    assert!(allowed(&all, &s.work, "curl x > y; python3 z"));
    assert!(!allowed(&all, &s.work, "ls; rm -rf ~"));
    assert!(!allowed(&all, &s.work, "ls $(rm -rf ~)"));
    assert!(!allowed(&all, &s.work, "'rm' -rf ~"));
}

#[test]
fn a_tool_named_in_a_deny_rule_is_not_offered() {
    let s = setup();
    let p = policy(&s, Rules::parse(&[] as &[&str], &["Write"]).unwrap());
    assert!(!p.offers("Write") && p.offers("Read"));
}
