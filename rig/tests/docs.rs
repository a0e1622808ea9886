//! Every document the code, the fixtures and the docs cite is in the repository.

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
    for dir in ["rig", "fixtures", "wiring", ".ci"] {
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
