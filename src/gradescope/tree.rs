//! The files of a bundle, as one list that is written either as a folder
//! (`gradescope init`, to read or adjust before zipping) or as the zip
//! Gradescope takes (`gradescope bundle`). One list, two writers: the
//! folder and the zip can never disagree on what a bundle holds.
//!
//! Gradescope unpacks the zip into /autograder/source and runs setup.sh
//! and run_autograder from there, so they sit at the zip's root (not in a
//! folder), and the scripts and the binary carry their executable bits in
//! the archive: unzip restores them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One file of a bundle.
pub struct Entry {
    /// Its path in the bundle, with `/`.
    pub path: String,
    /// What it holds.
    pub contents: Contents,
    /// Whether it is a program (mode 0755, else 0644).
    pub executable: bool,
}

/// Where a file's bytes come from.
pub enum Contents {
    /// Made here (a script).
    Text(String),
    /// Copied from a file (the binary, a scenario file).
    File(PathBuf),
}

/// Why a bundle could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file of the bundle could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The output could not be written.
    #[error("cannot write {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    /// The folder for `init` already holds files.
    #[error("{0} already exists and is not empty; choose a new folder (it may hold your edits)")]
    NotEmpty(PathBuf),
}

impl Entry {
    fn mode(&self) -> u32 {
        if self.executable { 0o755 } else { 0o644 }
    }

    fn reader(&self) -> Result<Box<dyn Read + '_>, WriteError> {
        Ok(match &self.contents {
            Contents::Text(t) => Box::new(t.as_bytes()),
            Contents::File(path) => {
                Box::new(std::fs::File::open(path).map_err(|error| WriteError::Read {
                    path: path.clone(),
                    error,
                })?)
            }
        })
    }
}

/// Writes the bundle as a zip at `out`; its size in bytes.
pub fn write_zip(entries: &[Entry], out: &Path) -> Result<u64, WriteError> {
    use zip::write::SimpleFileOptions;
    let failed = |error: std::io::Error| WriteError::Write {
        path: out.to_path_buf(),
        error,
    };
    let zip_failed = |e: zip::result::ZipError| failed(std::io::Error::other(e));
    let file = std::fs::File::create(out).map_err(failed)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    for entry in entries {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(entry.mode());
        zip.start_file(entry.path.as_str(), options)
            .map_err(zip_failed)?;
        std::io::copy(&mut entry.reader()?, &mut zip).map_err(failed)?;
    }
    let mut inner = zip.finish().map_err(zip_failed)?;
    inner.flush().map_err(failed)?;
    let size = inner.get_ref().metadata().map_err(failed)?.len();
    Ok(size)
}

/// Writes the bundle's files into the folder `dir`, which must be new or
/// empty.
pub fn write_folder(entries: &[Entry], dir: &Path) -> Result<(), WriteError> {
    use std::os::unix::fs::PermissionsExt;
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |error| WriteError::Write { path, error }
    };
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(WriteError::NotEmpty(dir.to_path_buf()));
    }
    for entry in entries {
        let path = dir.join(&entry.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(failed(parent))?;
        }
        let mut file = std::fs::File::create(&path).map_err(failed(&path))?;
        std::io::copy(&mut entry.reader()?, &mut file).map_err(failed(&path))?;
        file.set_permissions(std::fs::Permissions::from_mode(entry.mode()))
            .map_err(failed(&path))?;
    }
    Ok(())
}
