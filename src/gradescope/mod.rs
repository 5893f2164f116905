//! `sockspec gradescope`: the autograder a course uploads to Gradescope,
//! made from the assignment file the teacher already grades with, so that
//! what Gradescope runs is what `sockspec run --assignment` runs here.
//!
//! Gradescope runs nothing but a zip of `setup.sh` (once, when it builds
//! the image) and `run_autograder` (for each submission). The bundle
//! carries, besides those, the sockspec binary (nothing is downloaded at
//! grading time) and the assignment with the scenario files it names, so
//! it is whole on its own. Everything that can be checked before the
//! upload is checked here: the assignment and its scenarios load, its
//! patterns match, and the binary is one that starts on Gradescope's
//! Ubuntu.

mod binary;
mod needs;
mod scripts;
mod tree;

use std::path::{Path, PathBuf};

use sockspec_model::{Assignment, LoadError, Source};

use crate::cli::{BundleArgs, GradescopeCommand, SourceArgs};
use tree::{Contents, Entry};

/// Why no bundle was made.
#[derive(Debug, thiserror::Error)]
enum BundleError {
    #[error("cannot read the assignment {path}: {error}")]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}")]
    Assignment(LoadError),
    #[error("{}\n{} scenario file(s) of the assignment's suite could not be loaded", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n\n"), .0.len())]
    Suite(Vec<LoadError>),
    #[error("the suite path {0} of the assignment does not exist")]
    NoSuitePath(PathBuf),
    #[error("{0}")]
    Binary(#[from] binary::BinaryError),
    #[error("{0}")]
    Write(#[from] tree::WriteError),
}

/// Runs `gradescope bundle` or `gradescope init`; the exit code.
pub fn gradescope(command: GradescopeCommand) -> u8 {
    let made = match &command {
        GradescopeCommand::Bundle(BundleArgs { source, out }) => make(source).and_then(|b| {
            let size = tree::write_zip(&b.entries, out)?;
            Ok((
                b,
                format!("{} ({} MB)", out.display(), size.div_ceil(1_000_000)),
            ))
        }),
        GradescopeCommand::Init(args) => make(&args.source).and_then(|b| {
            tree::write_folder(&b.entries, &args.dir)?;
            Ok((b, format!("{}/", args.dir.display())))
        }),
    };
    match made {
        Ok((bundle, written)) => {
            for w in bundle.shipped.warnings() {
                eprintln!("warning: {w}");
            }
            print!("{}", bundle.summary(&written, &command));
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

/// A bundle's files, and what a teacher is told about them.
struct Bundle {
    entries: Vec<Entry>,
    assignment: Assignment,
    packages: Vec<&'static str>,
    shipped: binary::Shipped,
    scenarios: usize,
    /// Scenarios whose `test_visibility` is not the assignment's.
    shown_otherwise: usize,
}

/// The bundle of an assignment.
fn make(args: &SourceArgs) -> Result<Bundle, BundleError> {
    let text =
        std::fs::read_to_string(&args.assignment).map_err(|error| BundleError::Unreadable {
            path: args.assignment.clone(),
            error,
        })?;
    let src = Source {
        name: args.assignment.display().to_string(),
        text,
    };
    let assignment = sockspec_model::load_assignment(&src).map_err(BundleError::Assignment)?;
    let base = args.assignment.parent().unwrap_or(Path::new("."));
    let suite_paths: Vec<PathBuf> = assignment.suite.iter().map(|p| base.join(p)).collect();
    if let Some(missing) = suite_paths.iter().find(|p| !p.exists()) {
        return Err(BundleError::NoSuitePath(missing.clone()));
    }
    let (suite, errors) = if suite_paths.is_empty() {
        crate::builtin::suite()
    } else {
        sockspec_model::load_paths(&suite_paths)
    };
    if !errors.is_empty() {
        return Err(BundleError::Suite(errors));
    }
    let selected = assignment.select(suite).map_err(BundleError::Assignment)?;
    let scenarios = selected.len();
    let shown_otherwise = selected
        .iter()
        .filter(|s| assignment.visibility_of(&s.id) != assignment.visibility)
        .count();
    let shipped = binary::inspect(args.binary.as_deref())?;
    let packages = needs::packages(&assignment);

    let in_bundle = format!("assignment/{}", file_name(&args.assignment));
    let mut entries = vec![Entry {
        path: in_bundle.clone(),
        contents: Contents::File(args.assignment.clone()),
        executable: false,
    }];
    let mut suite_in_bundle = Vec::new();
    for (i, path) in suite_paths.iter().enumerate() {
        let at = format!("assignment/suite/{}-{}", i + 1, file_name(path));
        scenario_files(path, &at, &mut entries);
        suite_in_bundle.push(at);
    }
    let fill = scripts::Fill {
        name: &assignment.name,
        assignment_file: &in_bundle,
        suite: &suite_in_bundle,
        packages: &packages,
        visibility: assignment.visibility.as_str(),
        limit_s: args.time_limit_s,
        lang: args.lang,
    };
    let script = |path: &str, text: String| Entry {
        path: path.to_owned(),
        contents: Contents::Text(text),
        executable: true,
    };
    entries.extend([
        script("setup.sh", scripts::setup(&fill)),
        script("install_sockspec.sh", scripts::install()),
        script("run_autograder", scripts::run_autograder(&fill)),
        Entry {
            path: "bin/sockspec".to_owned(),
            contents: Contents::File(shipped.path.clone()),
            executable: true,
        },
    ]);
    Ok(Bundle {
        entries,
        assignment,
        packages,
        shipped,
        scenarios,
        shown_otherwise,
    })
}

/// A path's last part, with every character a shell or a zip tool could
/// misread replaced (the name goes into run_autograder).
fn file_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "suite".to_owned());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The scenario files under `path` (what `sockspec run PATH` loads: the
/// file itself, or a folder's YAML files at any depth), as entries under
/// `at`.
fn scenario_files(path: &Path, at: &str, entries: &mut Vec<Entry>) {
    if !path.is_dir() {
        entries.push(Entry {
            path: at.to_owned(),
            contents: Contents::File(path.to_path_buf()),
            executable: false,
        });
        return;
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    children.sort();
    for child in children {
        let is_yaml = child.extension().is_some_and(|x| x == "yaml" || x == "yml");
        if child.is_dir() || is_yaml {
            scenario_files(&child, &format!("{at}/{}", file_name(&child)), entries);
        }
    }
}

impl Bundle {
    /// What was made, and the steps to the upload.
    fn summary(&self, written: &str, command: &GradescopeCommand) -> String {
        let a = &self.assignment;
        let mut s = format!("wrote {written} for {}\n", a.name);
        s += &format!(
            "  grades: {} program(s), {} scenario(s)\n",
            a.programs.len(),
            self.scenarios
        );
        s += &format!("  setup.sh installs: {}\n", self.packages.join(" "));
        s += &format!("  ships: {}\n", self.shipped.describe());
        s += &format!("  results visible to students: {}", a.visibility.as_str());
        if self.shown_otherwise > 0 {
            s += &format!(
                " ({} scenario(s) otherwise, by test_visibility)",
                self.shown_otherwise
            );
        }
        s += "\n";
        let zip = match command {
            GradescopeCommand::Bundle(b) => b.out.display().to_string(),
            GradescopeCommand::Init(i) => {
                s += &format!(
                    "next: adjust what you need, then zip the files (not the folder): \
                     (cd {} && zip -r ../autograder.zip .)\n",
                    i.dir.display()
                );
                "autograder.zip".to_owned()
            }
        };
        s += &format!(
            "upload: Gradescope → the assignment → Configure Autograder → Zip file upload → {zip} \
             (base image Ubuntu 22.04)\n"
        );
        s
    }
}
