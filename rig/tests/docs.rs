//! Every document the code, the fixtures and the docs cite is in the repository, and every
//! command the docs show runs.

use std::path::{Path, PathBuf};

/// Text files under `dir` (sources, fixtures, docs), skipping build output.
fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if name != "target" && name != "results" && !name.starts_with('.') {
                text_files(&p, out);
            }
        } else if [".rs", ".toml", ".md", ".csv"]
            .iter()
            .any(|x| name.ends_with(x))
        {
            out.push(p);
        }
    }
}

/// The `….md` names a text cites.
fn cited(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in text.match_indices(".md") {
        let after = text[i + 3..].chars().next();
        if after.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let start = text[..i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || "_./-".contains(c)))
            .map_or(0, |(s, c)| s + c.len_utf8());
        let name = &text[start..i + 3];
        if name.len() > 3 {
            names.push(name.to_string());
        }
    }
    names
}

#[test]
fn every_cited_document_exists() {
    let root = rig::workspace_path(".");
    let mut files = Vec::new();
    for dir in ["rig", "fixtures", "wiring", "docs", ".ci"] {
        text_files(&root.join(dir), &mut files);
    }
    files.extend(["README.md", "ARCHITECTURE.md", "Cargo.toml"].map(|f| root.join(f)));
    let mut missing = Vec::new();
    for f in &files {
        // (This file's own examples cite nothing.)
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        if f.ends_with("rig/tests/docs.rs") {
            continue;
        }
        for name in cited(&text) {
            // A path from the file's folder or any folder above it up to the root (a
            // crate's sources cite the crate's own documents by bare name).
            let found = f
                .ancestors()
                .skip(1)
                .take_while(|d| d.starts_with(&root))
                .any(|d| d.join(&name).is_file());
            if !found {
                missing.push(format!("{}: {name}", f.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited but not in the repository:\n{}",
        missing.join("\n")
    );
}

#[test]
fn citations_are_found_in_text() {
    assert_eq!(
        cited("see ARCHITECTURE.md, and (rig/lightgen/MODEL.md) or ../README.md."),
        ["ARCHITECTURE.md", "rig/lightgen/MODEL.md", "../README.md"]
    );
    assert!(cited("a .mdx file, x.mdfoo").is_empty());
}

/// The shell commands the docs show: every line of a ```sh block in README.md and docs/
/// (`#` comments stripped). ```text blocks are synopses and commands for other machines
/// (installing a package), not run.
fn documented_commands() -> Vec<(String, String)> {
    let root = rig::workspace_path(".");
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut in_sh = false;
        for line in text.lines() {
            if let Some(lang) = line.trim_start().strip_prefix("```") {
                in_sh = !in_sh && lang.trim() == "sh";
                continue;
            }
            if !in_sh {
                continue;
            }
            let cmd = line.split(" #").next().unwrap().trim();
            if !cmd.is_empty() && !cmd.starts_with('#') {
                let name = f.file_name().unwrap().to_string_lossy().to_string();
                out.push((name, cmd.to_string()));
            }
        }
    }
    out
}

/// Every `rig …` command the docs show runs here, as written, in a copy of the workspace's
/// files (with two earlier runs in `results/BASE` and `results/CANDIDATE` for the commands
/// that compare runs), and ends as its documentation says a command ends: 0, 1 (a FAIL),
/// 3 (hardware this machine does not have) or 5 (a certification without an operator for
/// the manual clauses), never 2 (a bad invocation) or a crash.
/// Every `cargo …` command they show is one `.ci/run` runs.
#[test]
fn every_command_the_docs_show_runs() {
    let root = rig::workspace_path(".");
    let ws = tempfile::tempdir().unwrap();
    for dir in ["fixtures", "wiring"] {
        copy_tree(&root.join(dir), &ws.path().join(dir));
    }
    let rig = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_rig"))
            .args(args)
            .current_dir(ws.path())
            .env_remove("RIG_HOME")
            .output()
            .unwrap()
    };
    for out in ["results/BASE", "results/CANDIDATE"] {
        let o = rig(&["run", "--family", "9611", "--out", out]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
    }
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let commands = documented_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    for (file, cmd) in &commands {
        if cmd.starts_with("cargo ") {
            assert!(
                ci.contains(cmd.as_str()),
                "{file}: `{cmd}` is not run by .ci/run"
            );
            continue;
        }
        let args: Vec<&str> = cmd
            .strip_prefix("rig ")
            .unwrap_or_else(|| {
                panic!("{file}: `{cmd}`: a ```sh block shows only rig and cargo commands")
            })
            .split_whitespace()
            .collect();
        let o = rig(&args);
        let code = o.status.code();
        assert!(
            matches!(code, Some(0 | 1 | 3 | 5)),
            "{file}: `{cmd}` exited {code:?}\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}
