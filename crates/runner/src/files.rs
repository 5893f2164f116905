//! Whether a program's files are there before it is started: a command
//! that names `tcp_server.py` in a submission without one is one error
//! saying so, not a traceback in every scenario. Asked after the builds,
//! since `./server` exists only once `gcc` has made it.

use std::path::Path;

use sockspec_results::Unrunnable;

/// Says which file a submission lacks, if the command names a file (a word
/// with a source-file extension, or a relative path) that is not in the
/// folder it runs in: "the submission has no tcp_server.py" is the grade a
/// teacher wants, not a traceback from python3 in every scenario.
pub fn missing_file(command: &str, cwd: &Path) -> Option<Unrunnable> {
    const SOURCES: [&str; 9] = ["py", "js", "rb", "pl", "sh", "jar", "class", "php", "lua"];
    let words = shlex::split(command)?;
    let missing = words.iter().find(|w| {
        let path = Path::new(w.as_str());
        let names_a_file = path
            .extension()
            .is_some_and(|x| SOURCES.contains(&x.to_string_lossy().as_ref()))
            || (w.contains('/') && path.is_relative());
        names_a_file
            && !w.contains('{')
            && !w.starts_with('-')
            && path.is_relative()
            && !cwd.join(path).exists()
    })?;
    let mut files: Vec<String> = std::fs::read_dir(cwd)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    Some(Unrunnable::MissingFile {
        file: missing.clone(),
        command: command.to_owned(),
        dir: cwd.display().to_string(),
        has: files,
    })
}
