//! The sockspec executable a bundle ships, and whether it will run where
//! Gradescope grades: an x86-64 Linux machine built from Ubuntu 22.04,
//! whose C library is glibc 2.35. Nothing is downloaded at grading time,
//! so a binary that cannot start there fails every student at once; it is
//! better found here, before the upload.
//!
//! What is checked and why:
//! - it is an x86-64 ELF executable (Gradescope's machines are x86-64),
//!   else an error;
//! - it runs here and says it is sockspec (`--version`), else an error: a
//!   wrong `--binary` is a typo, not something to upload;
//! - the newest glibc symbol version it needs, read from its dynamic
//!   string table: above 2.35 it will not start on Ubuntu 22.04, a
//!   warning (the course may have picked a newer image); a static build
//!   (musl) needs none and runs on every image;
//! - whether it carries debug information (a debug build, ten times the
//!   size and slower), a warning that names the release build.

use std::path::{Path, PathBuf};

use object::{Object, ObjectSection};

/// The glibc of Ubuntu 22.04, Gradescope's default base image.
pub const GRADESCOPE_GLIBC: (u32, u32) = (2, 35);

/// The executable to ship, and what was found about it.
#[derive(Debug)]
pub struct Shipped {
    /// Where it is read from.
    pub path: PathBuf,
    /// What `--version` printed.
    pub version: String,
    /// The newest glibc it needs (`None`: statically linked).
    pub glibc: Option<(u32, u32)>,
    /// Whether it carries debug information.
    pub debug_info: bool,
    /// Its size in bytes.
    pub size: u64,
}

/// Why an executable cannot be shipped.
#[derive(Debug, thiserror::Error)]
pub enum BinaryError {
    /// The running program's own path is unknown.
    #[error("cannot find the path of this sockspec: {0}; give one with --binary")]
    NoSelf(std::io::Error),
    /// The file cannot be read.
    #[error("cannot read the binary {path}: {error}")]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Not an x86-64 Linux executable.
    #[error(
        "{path} is not an x86-64 Linux executable ({what}); Gradescope runs x86-64 Linux: \
         build for x86_64-unknown-linux-gnu (or -musl) and pass it with --binary"
    )]
    WrongKind { path: PathBuf, what: String },
    /// It does not run, or is not sockspec.
    #[error("{path} does not run as sockspec here ({what}); pass a sockspec build with --binary")]
    NotSockspec { path: PathBuf, what: String },
}

/// Reads and checks the executable at `path` (`None`: this one).
pub fn inspect(path: Option<&Path>) -> Result<Shipped, BinaryError> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => std::env::current_exe().map_err(BinaryError::NoSelf)?,
    };
    let data = std::fs::read(&path).map_err(|error| BinaryError::Unreadable {
        path: path.clone(),
        error,
    })?;
    let wrong = |what: String| BinaryError::WrongKind {
        path: path.clone(),
        what,
    };
    let file = object::File::parse(&*data).map_err(|e| wrong(e.to_string()))?;
    if file.format() != object::BinaryFormat::Elf {
        return Err(wrong(format!("a {:?} file", file.format())));
    }
    if file.architecture() != object::Architecture::X86_64 {
        return Err(wrong(format!("built for {:?}", file.architecture())));
    }
    let glibc = file
        .section_by_name(".dynstr")
        .and_then(|s| s.data().ok())
        .and_then(newest_glibc);
    let debug_info = file.section_by_name(".debug_info").is_some();
    let version = version_of(&path)?;
    Ok(Shipped {
        size: data.len() as u64,
        path,
        version,
        glibc,
        debug_info,
    })
}

/// The newest `GLIBC_2.N` a dynamic string table names.
fn newest_glibc(strings: &[u8]) -> Option<(u32, u32)> {
    strings
        .split(|b| *b == 0)
        .filter_map(|s| std::str::from_utf8(s).ok()?.strip_prefix("GLIBC_"))
        .filter_map(|v| {
            let mut parts = v.split('.');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .max()
}

/// What `PATH --version` prints, if it prints sockspec's.
fn version_of(path: &Path) -> Result<String, BinaryError> {
    let not = |what: String| BinaryError::NotSockspec {
        path: path.to_path_buf(),
        what,
    };
    let out = std::process::Command::new(path)
        .arg("--version")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| not(e.to_string()))?;
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || !text.starts_with("sockspec ") {
        return Err(not(format!("`--version` printed {text:?}")));
    }
    Ok(text)
}

impl Shipped {
    /// What a teacher should know before uploading it (none: all is well).
    pub fn warnings(&self) -> Vec<String> {
        let mut all = Vec::new();
        if let Some((major, minor)) = self.glibc
            && (major, minor) > GRADESCOPE_GLIBC
        {
            all.push(format!(
                "{} needs glibc {major}.{minor}, but Gradescope's Ubuntu 22.04 image has {}.{}: \
                 it will not start there. Build it on an older system, or statically \
                 (cargo build --release --target x86_64-unknown-linux-musl), and pass it with --binary",
                self.path.display(),
                GRADESCOPE_GLIBC.0,
                GRADESCOPE_GLIBC.1
            ));
        }
        if self.debug_info {
            all.push(format!(
                "{} is a debug build ({} MB): it works, but a release build is a fraction of \
                 the size and faster (cargo build --release, then --binary target/release/sockspec)",
                self.path.display(),
                self.size / 1_000_000
            ));
        }
        all
    }

    /// One line on what is shipped, for the command's summary.
    pub fn describe(&self) -> String {
        let linked = match self.glibc {
            Some((major, minor)) => format!("needs glibc {major}.{minor}"),
            None => "statically linked".to_owned(),
        };
        format!(
            "{} ({}, {} MB, {linked})",
            self.path.display(),
            self.version,
            self.size.div_ceil(1_000_000)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_glibc_is_read_from_the_string_table() {
        let table = b"\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.17\0memcpy\0";
        assert_eq!(newest_glibc(table), Some((2, 34)));
        assert_eq!(newest_glibc(b"\0libc.so\0"), None);
    }

    #[test]
    fn this_test_binary_is_an_executable_but_not_sockspec() {
        let me = std::env::current_exe().unwrap();
        let err = inspect(Some(&me)).unwrap_err();
        assert!(matches!(err, BinaryError::NotSockspec { .. }), "{err}");
        let err = inspect(Some(Path::new("Cargo.toml"))).unwrap_err();
        assert!(matches!(err, BinaryError::WrongKind { .. }), "{err}");
    }
}
