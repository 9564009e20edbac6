//! The dependency rules of ARCHITECTURE.md, checked against `cargo metadata`.

use std::process::Command;

fn direct_dependencies(metadata: &serde_json::Value, package: &str) -> Vec<String> {
    let packages = metadata["packages"].as_array().unwrap();
    let found = packages
        .iter()
        .find(|p| p["name"] == package)
        .unwrap_or_else(|| panic!("no package {package}"));
    found["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"].is_null())
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

fn workspace_packages(metadata: &serde_json::Value) -> Vec<String> {
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dependencies_flow_one_way() {
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    // The mock LLM server is for tests only: no shipped crate may depend on it.
    let forbidden: [(&str, &[&str]); 10] = [
        ("baton", &["baton-testkit"]),
        (
            "baton-model",
            &[
                "baton-script",
                "baton-sim",
                "baton-engine",
                "tokio",
                "rquickjs",
            ],
        ),
        ("baton-script", &["baton-sim", "baton-engine", "tokio"]),
        ("baton-sim", &["baton-script", "baton-engine", "rquickjs"]),
        (
            "baton-engine",
            &[
                "baton-sim",
                "baton-llm",
                "baton-tools",
                "baton-agent",
                "clap",
                "rquickjs",
                "reqwest",
            ],
        ),
        (
            "baton-llm",
            &["baton-script", "baton-engine", "baton-tools", "rquickjs"],
        ),
        (
            "baton-tools",
            &["baton-llm", "baton-engine", "reqwest", "rquickjs"],
        ),
        (
            "baton-agent",
            &["baton-engine", "baton-script", "reqwest", "rquickjs"],
        ),
        // The monitor is a view over events: it knows the model crate and nothing else of baton.
        (
            "baton-tui",
            &[
                "baton-script",
                "baton-sim",
                "baton-engine",
                "baton-llm",
                "baton-tools",
                "baton-agent",
                "baton-journal",
                "tokio",
                "rquickjs",
            ],
        ),
        (
            "baton-journal",
            &[
                "baton-script",
                "baton-engine",
                "baton-llm",
                "baton-agent",
                "rquickjs",
            ],
        ),
    ];
    for (package, banned) in forbidden {
        let dependencies = direct_dependencies(&metadata, package);
        for name in banned {
            assert!(
                !dependencies.iter().any(|d| d == name),
                "{package} must not depend on {name}"
            );
        }
    }

    // Only the monitor draws on the terminal.
    for package in workspace_packages(&metadata) {
        if package != "baton-tui" {
            assert!(
                !direct_dependencies(&metadata, &package).contains(&"ratatui".to_string()),
                "only baton-tui may depend on ratatui, not {package}"
            );
        }
    }

    // Only the journal speaks SQL; the engine knows it only as an event sink.
    for package in workspace_packages(&metadata) {
        if package != "baton-journal" {
            assert!(
                !direct_dependencies(&metadata, &package).contains(&"rusqlite".to_string()),
                "only baton-journal may depend on rusqlite, not {package}"
            );
        }
    }
}
