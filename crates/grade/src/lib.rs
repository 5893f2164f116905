//! Grading many submissions: which folders are submissions, which of them a
//! CI job takes (`--partition K/N`), what each one scored, and the batch
//! outputs a teacher reads or uploads (a summary table, a CSV of scores, a
//! batch JSON that `sockspec merge` can join across CI jobs).
//!
//! Running a submission is not this crate's business: the binary grades
//! each one in a `sockspec run` process of its own (so a submission that
//! brings the harness down, or needs a network namespace of its own, takes
//! nothing else with it) and hands the JSON report here. Everything here is
//! plain data, so it is tested without sockets.

#![warn(missing_docs)]

mod batch;
mod class;
pub mod jobs;
mod partition;

pub use batch::{BatchReport, MergeError, SubmissionGrade};
pub use class::{Bucket, ClassView, ScenarioTally};
pub use jobs::Jobs;
pub use partition::{Partition, PartitionError};

use std::path::{Path, PathBuf};

/// One submission: a folder, named after its student.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// The folder's name, used as the student's name in every output.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

/// The submissions in `dir`: every sub-folder whose name does not start
/// with a dot, sorted by name (so partitions and reports are stable).
/// Plain files beside them (a class list, a README) are ignored.
pub fn discover(dir: &Path) -> std::io::Result<Vec<Submission>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        found.push(Submission {
            name,
            dir: entry.path(),
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}
