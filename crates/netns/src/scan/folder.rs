//! Walking a submission's folder: which files are read (hidden ones,
//! `__pycache__`, anything over 1 MiB or too deep are not a student's
//! source) and how (leniently, so GBK comments do not stop it). Kept
//! apart from the text scanner, which never touches the file system.

use std::path::Path;

use super::Found;
use super::text::scan_text;

/// Files larger than this are not source code a student wrote.
const MAX_FILE: u64 = 1 << 20;
/// How deep below the submission's folder to look.
const MAX_DEPTH: usize = 3;

/// Scans the source files of a submission's folder (every file up to
/// 1 MiB, a few levels deep; text read leniently, so GBK comments do not
/// stop it).
pub fn scan_folder(dir: &Path) -> Found {
    let mut found = Found::default();
    scan_into(dir, 0, &mut found);
    found
}

fn scan_into(dir: &Path, depth: usize, found: &mut Found) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "__pycache__" {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                scan_into(&path, depth + 1, found);
            }
            continue;
        }
        if path.metadata().is_ok_and(|m| m.len() <= MAX_FILE)
            && let Ok(bytes) = std::fs::read(&path)
        {
            found.extend(scan_text(&String::from_utf8_lossy(&bytes)));
        }
    }
}
