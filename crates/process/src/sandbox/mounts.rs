//! The private file system: everything read-only but the submission's
//! folder, and a private `/tmp`.
//!
//! A stray write must fail with `EROFS` instead of landing in another
//! submission or the teacher's home, and what one target leaves in `/tmp`
//! must not be seen by the next. Which mounts to make is decided here, in
//! the harness, where reading the file system and allocating are allowed:
//! the paths as C strings, and the folders to rebuild inside the private
//! `/tmp` so that the writable folder and what the target must read come
//! back at their own paths. The mounts themselves are made after the fork,
//! in [`postfork`](super::postfork).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The private file system: paths as C strings, built before the fork.
pub(super) struct FsPlan {
    pub(super) folder: CString,
    pub(super) cwd: CString,
    /// Where a private tmpfs goes (`/tmp`, `/dev/shm`).
    pub(super) tmpfs: Vec<CString>,
    pub(super) tmpfs_data: CString,
    /// Folders to create in a private tmpfs so the writable folder, when it
    /// lies under it, can be mounted back at its own path.
    pub(super) mkdirs: Vec<CString>,
    /// Folders under a private tmpfs that the target needs to read (its
    /// script, its interpreter, its working directory, when they live in
    /// the host's /tmp): mounted back there, read-only, at most [`KEEP`].
    pub(super) keep: Vec<CString>,
    /// The tmpfs that would hide the working directory, if any.
    pub(super) hidden_cwd: Option<&'static str>,
}

/// Folders a private /tmp mounts back for the target to read, at most.
pub(super) const KEEP: usize = 8;

impl FsPlan {
    pub(super) fn new(
        folder: &Path,
        cwd: &Path,
        tmp_bytes: u64,
        needed: &[PathBuf],
    ) -> Result<FsPlan, std::ffi::NulError> {
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes());
        let mut tmpfs = Vec::new();
        let mut mkdirs = Vec::new();
        let mut keep: Vec<CString> = Vec::new();
        let mut hidden_cwd = None;
        for point in ["/tmp", "/dev/shm"] {
            let p = Path::new(point);
            // A folder that is the mount point or contains it is writable
            // anyway; a private tmpfs there would only hide it.
            if !p.is_dir() || p.starts_with(folder) {
                continue;
            }
            let make_path =
                |to: &Path, mkdirs: &mut Vec<CString>| -> Result<(), std::ffi::NulError> {
                    if let Ok(below) = to.strip_prefix(p) {
                        let mut at = p.to_path_buf();
                        for part in below.components() {
                            at.push(part);
                            let dir = c(&at)?;
                            if !mkdirs.contains(&dir) {
                                mkdirs.push(dir);
                            }
                        }
                    }
                    Ok(())
                };
            make_path(folder, &mut mkdirs)?;
            // What the target reads from the host's /tmp comes back,
            // read-only: its working directory, and the folders of the
            // files its command names (a clone checked out under /tmp).
            let wanted = std::iter::once(cwd).chain(needed.iter().map(PathBuf::as_path));
            for dir in wanted {
                if !dir.starts_with(p) || dir.starts_with(folder) || !dir.is_dir() {
                    continue;
                }
                let d = c(dir)?;
                if keep.contains(&d) {
                    continue;
                }
                if keep.len() == KEEP {
                    if dir == cwd {
                        hidden_cwd = Some(point);
                    }
                    continue;
                }
                make_path(dir, &mut mkdirs)?;
                keep.push(d);
            }
            tmpfs.push(c(p)?);
        }
        let size = tmp_bytes.clamp(1 << 20, 1 << 30);
        Ok(FsPlan {
            folder: c(folder)?,
            cwd: c(cwd)?,
            tmpfs,
            tmpfs_data: CString::new(format!("mode=1777,size={size},nr_inodes=16384"))?,
            mkdirs,
            keep,
            hidden_cwd,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_under_tmp_is_rebuilt_in_the_private_tmp() {
        let plan = FsPlan::new(Path::new("/tmp/a/b"), Path::new("/tmp/a/b"), 5, &[]).unwrap();
        assert_eq!(
            plan.mkdirs,
            vec![c"/tmp/a".to_owned(), c"/tmp/a/b".to_owned()]
        );
        assert_eq!(plan.hidden_cwd, None);
        assert!(plan.tmpfs.contains(&c"/tmp".to_owned()));
        assert!(plan.tmpfs_data.to_str().unwrap().contains("size=1048576"));
        // A working directory and a script's folder in the host's /tmp
        // come back, read-only, inside the private one.
        let cwd = tempfile::tempdir_in("/tmp").unwrap();
        let script = tempfile::tempdir_in("/tmp").unwrap();
        let plan = FsPlan::new(
            Path::new("/srv/hw"),
            cwd.path(),
            5,
            &[script.path().to_path_buf()],
        )
        .unwrap();
        let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).unwrap();
        assert_eq!(plan.keep, vec![c(cwd.path()), c(script.path())]);
        assert!(plan.mkdirs.contains(&c(cwd.path())));
        assert_eq!(plan.hidden_cwd, None);
        // More than KEEP of them: the working directory would be hidden.
        let many: Vec<tempfile::TempDir> = (0..KEEP)
            .map(|_| tempfile::tempdir_in("/tmp").unwrap())
            .collect();
        let paths: Vec<PathBuf> = many.iter().map(|d| d.path().to_path_buf()).collect();
        let crowded = FsPlan::new(Path::new("/srv/hw"), cwd.path(), 5, &paths).unwrap();
        assert_eq!(crowded.keep.len(), KEEP);
    }
}
