//! Discovery and precedence of saved workflows on real folders: project over personal, the
//! nearest folder first, broken files kept with their reason.

use super::*;

fn script(name: &str, description: &str) -> String {
    format!(
        "export const meta = {{ name: \"{name}\", description: \"{description}\", phases: [{{ title: \"One\" }}] }};\nreturn 1;\n"
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The project's and personal workflows found (the built-in ones are always there).
fn names(workflows: &[SavedWorkflow]) -> Vec<(&str, Scope)> {
    workflows
        .iter()
        .filter(|w| w.scope != Scope::BuiltIn)
        .map(|w| (w.name.as_str(), w.scope))
        .collect()
}

#[test]
fn project_wins_and_nearest_folder_is_used() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let project = root.path().join("project");
    let nested = project.join("a/b");
    std::fs::create_dir_all(&nested).unwrap();
    write(
        &home.join(".claude/workflows/sweep.workflow.js"),
        &script("sweep", "personal"),
    );
    write(
        &home.join(".claude/workflows/mine.workflow.js"),
        &script("mine", "personal"),
    );
    write(
        &project.join(".claude/workflows/sweep.workflow.js"),
        &script("sweep", "project"),
    );
    write(&project.join(".claude/workflows/notes.txt"), "");

    let library = WorkflowLibrary::discover(&nested, Some(&home));
    assert_eq!(
        names(&library.list()),
        vec![("mine", Scope::Personal), ("sweep", Scope::Project)]
    );
    let sweep = library.find("sweep").unwrap();
    assert_eq!(
        sweep.path,
        project.join(".claude/workflows/sweep.workflow.js")
    );

    // The personal copy is still listed, as shadowed by the project's.
    let catalog = library.catalog();
    let shadowed: Vec<_> = catalog.iter().filter(|e| e.shadowed_by.is_some()).collect();
    assert_eq!(shadowed.len(), 1);
    assert_eq!(shadowed[0].workflow.scope, Scope::Personal);
    assert_eq!(shadowed[0].shadowed_by.as_ref().unwrap().path, sweep.path);
}

#[test]
fn the_nearer_folder_wins_and_baton_wins_over_claude_in_one_directory() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    let sub = project.join("sub");
    let deeper = sub.join("deeper");
    std::fs::create_dir_all(&deeper).unwrap();
    write(
        &project.join(".baton/workflows/far.workflow.js"),
        &script("far", "outer"),
    );
    write(
        &project.join(".claude/workflows/x.workflow.js"),
        &script("x", "outer claude"),
    );
    write(
        &sub.join(".claude/workflows/x.workflow.js"),
        &script("x", "inner claude"),
    );
    write(
        &sub.join(".baton/workflows/x.workflow.js"),
        &script("x", "inner baton"),
    );

    let library = WorkflowLibrary::discover(&deeper, None);
    let found = library.find("x").unwrap();
    assert_eq!(found.path, sub.join(".baton/workflows/x.workflow.js"));
    // Only the nearest folder of each kind is searched: the outer `.claude/` is not, the
    // outer `.baton/` neither (the inner one is nearer).
    let folders: Vec<&PathBuf> = library.folders().iter().map(|(f, _)| f).collect();
    assert_eq!(
        folders,
        vec![
            &sub.join(".baton/workflows"),
            &sub.join(".claude/workflows")
        ]
    );
    assert!(library.find("far").is_none());

    // From the project root, the outer folders are the nearest.
    let outer = WorkflowLibrary::discover(&project, None);
    assert_eq!(
        outer.find("x").unwrap().path,
        project.join(".claude/workflows/x.workflow.js")
    );
    assert!(outer.find("far").is_some());
}

#[test]
fn home_folders_are_personal_even_inside_home() {
    let home = tempfile::tempdir().unwrap();
    let project = home.path().join("code/project");
    std::fs::create_dir_all(&project).unwrap();
    write(
        &home.path().join(".baton/workflows/mine.workflow.js"),
        &script("mine", "personal"),
    );
    let library = WorkflowLibrary::discover(&project, Some(home.path()));
    assert_eq!(names(&library.list()), vec![("mine", Scope::Personal)]);
}

#[test]
fn broken_files_are_listed_with_a_reason_and_still_win_their_name() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let project = root.path().join("project");
    write(
        &project.join(".baton/workflows/nometa.workflow.js"),
        "return 1;\n",
    );
    write(
        &project.join(".baton/workflows/badmeta.workflow.js"),
        "export const meta = { name: \"b\", description: 42 };\nreturn 1;\n",
    );
    write(
        &project.join(".baton/workflows/binary.workflow.js"),
        "\u{0}\u{0}",
    );
    std::fs::write(
        project.join(".baton/workflows/latin1.workflow.js"),
        [0x66, 0xe9, 0x0a],
    )
    .unwrap();
    std::fs::create_dir_all(project.join(".baton/workflows/dir.workflow.js")).unwrap();
    write(
        &project.join(".baton/workflows/good.workflow.js"),
        &script("good", "fine"),
    );
    write(
        &home.join(".baton/workflows/badmeta.workflow.js"),
        &script("badmeta", "a valid personal copy"),
    );

    let library = WorkflowLibrary::discover(&project, Some(&home));
    let catalog = library.catalog();
    let reason = |name: &str| -> String {
        let entry = catalog
            .iter()
            .find(|e| e.workflow.name == name && e.workflow.scope == Scope::Project)
            .unwrap_or_else(|| panic!("{name} is listed"));
        entry.meta.clone().expect_err(name)
    };
    assert!(reason("nometa").contains("meta"), "{}", reason("nometa"));
    assert!(
        reason("badmeta").starts_with("line 1:"),
        "{}",
        reason("badmeta")
    );
    assert!(reason("badmeta").contains("description"));
    assert!(!reason("binary").is_empty());
    assert_eq!(reason("latin1"), "not UTF-8 text");
    assert!(reason("dir").contains("directory"));

    // Only the good one runs by name; the broken project copy still wins its name over the
    // valid personal one, so running it reports why instead of running another file.
    assert_eq!(names(&library.list()), vec![("good", Scope::Project)]);
    let winner = library.find("badmeta").unwrap();
    assert_eq!(winner.scope, Scope::Project);
    let personal = catalog
        .iter()
        .find(|e| e.workflow.name == "badmeta" && e.workflow.scope == Scope::Personal)
        .unwrap();
    assert!(personal.meta.is_ok());
    assert_eq!(personal.shadowed_by.as_ref().unwrap().path, winner.path);
    assert!(!personal.is_runnable());
}

#[test]
fn a_name_never_reaches_outside_the_folders() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    write(
        &root.path().join("evil.workflow.js"),
        &script("evil", "outside"),
    );
    std::fs::create_dir_all(project.join(".baton/workflows")).unwrap();
    let library = WorkflowLibrary::discover(&project, None);
    assert!(library.find("../../evil").is_none());
    assert!(library.find("").is_none());
}

#[test]
fn built_in_workflows_come_last_and_a_file_of_the_same_name_wins() {
    let root = tempfile::tempdir().unwrap();
    let library = WorkflowLibrary::discover(root.path(), None);
    let research = library.find("deep-research").unwrap();
    assert_eq!(research.scope, Scope::BuiltIn);
    assert!(research.source().unwrap().contains("name: 'deep-research'"));
    // Every built-in one passes the static check a run uses.
    let catalog = library.catalog();
    for (name, _) in built_in::BUILT_IN {
        let entry = catalog.iter().find(|e| e.workflow.name == name).unwrap();
        assert!(entry.is_runnable(), "{name}: {:?}", entry.meta);
    }

    let home = root.path().join("home");
    write(
        &home.join(".baton/workflows/deep-research.workflow.js"),
        &script("deep-research", "mine"),
    );
    let library = WorkflowLibrary::discover(root.path(), Some(&home));
    let mine = library.find("deep-research").unwrap();
    assert_eq!(mine.scope, Scope::Personal);
    assert!(mine.source().unwrap().contains("description: \"mine\""));
    let shadowed: Vec<_> = library
        .catalog()
        .into_iter()
        .filter(|e| e.workflow.name == "deep-research" && e.shadowed_by.is_some())
        .collect();
    assert_eq!(shadowed.len(), 1);
    assert_eq!(shadowed[0].workflow.scope, Scope::BuiltIn);
}
