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
    const SOURCES: [&str; 10] = [
        "py", "js", "rb", "pl", "sh", "jar", "class", "php", "lua", "java",
    ];
    let words = shlex::split(command)?;
    let missing = missing_class(&words, cwd).or_else(|| {
        words
            .iter()
            .find(|w| {
                let path = Path::new(w.as_str());
                let names_a_file = path
                    .extension()
                    .is_some_and(|x| SOURCES.contains(&x.to_string_lossy().as_ref()))
                    || (w.contains('/') && path.is_relative());
                names_a_file
                    && !w.contains('{')
                    && !w.contains('*')
                    && !w.starts_with('-')
                    && path.is_relative()
                    && !cwd.join(path).exists()
            })
            .cloned()
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
        file: missing,
        command: command.to_owned(),
        dir: cwd.display().to_string(),
        has: files,
    })
}

/// The class file a `java Main` command needs and the submission lacks,
/// named as the JVM would look for it (`Main.class`, `pkg/Main.class` under
/// each folder of `-cp`): the JVM's own "Could not find or load main class"
/// does not say that the student's class is spelt `TCPServer`.
fn missing_class(words: &[String], cwd: &Path) -> Option<String> {
    let java = words
        .iter()
        .position(|w| Path::new(w).file_name().is_some_and(|n| n == "java"))?;
    let mut classpath = vec![".".to_owned()];
    let mut rest = words[java + 1..].iter();
    while let Some(w) = rest.next() {
        match w.as_str() {
            "-cp" | "-classpath" | "--class-path" => {
                let cp = rest.next()?;
                classpath = cp.split(':').map(str::to_owned).collect();
            }
            // A jar, a module or a source file: not a class to look for.
            "-jar" | "-m" | "--module" => return None,
            w if w.starts_with('-') => {}
            class => {
                let valid = !class.is_empty()
                    && class.split('.').all(|part| {
                        part.chars()
                            .next()
                            .is_some_and(|c| c.is_alphabetic() || c == '_')
                            && part
                                .chars()
                                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
                    });
                // `java Server.java` runs a source file, checked as one.
                if !valid || class.ends_with(".java") || classpath.iter().any(|e| e.contains('*')) {
                    return None;
                }
                let file = format!("{}.class", class.replace('.', "/"));
                let found = classpath.iter().any(|dir| {
                    let dir = Path::new(dir);
                    dir.extension().is_some_and(|x| x == "jar")
                        || cwd.join(dir).join(&file).exists()
                });
                return (!found).then_some(file);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(command: &str, files: &[&str]) -> Option<String> {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let path = dir.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        match missing_file(command, dir.path())? {
            Unrunnable::MissingFile { file, .. } => Some(file),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_java_class_is_looked_for_as_the_jvm_would() {
        let class = Some("TcpServer.class".to_owned());
        assert_eq!(
            missing("java TcpServer {port}", &["TCPServer.class"]),
            class
        );
        assert_eq!(missing("java TcpServer {port}", &["TcpServer.class"]), None);
        assert_eq!(
            missing("java -Xmx64m TcpServer 7", &["TCPServer.java"]),
            class
        );
        assert_eq!(
            missing("java -cp out TcpServer {port}", &["out/TcpServer.class"]),
            None
        );
        assert_eq!(
            missing("java -cp out TcpServer {port}", &["TcpServer.class"]),
            Some("TcpServer.class".into())
        );
        assert_eq!(missing("java hw.Server {port}", &["hw/Server.class"]), None);
        assert_eq!(
            missing("java hw.Server {port}", &[]),
            Some("hw/Server.class".into())
        );
        // Jars, modules and wildcards are the JVM's to resolve.
        assert_eq!(
            missing("java -jar server.jar {port}", &["server.jar"]),
            None
        );
        assert_eq!(missing("java -cp 'lib/*' Server {port}", &[]), None);
        // A source file is a file.
        assert_eq!(
            missing("java Server.java {port}", &[]),
            Some("Server.java".into())
        );
        assert_eq!(missing("java Server.java {port}", &["Server.java"]), None);
    }

    #[test]
    fn a_python_file_is_looked_for_in_its_folder() {
        assert_eq!(
            missing("python3 tcp_server.py {port}", &["server.py"]),
            Some("tcp_server.py".into())
        );
        assert_eq!(
            missing("python3 tcp_server.py {port}", &["tcp_server.py"]),
            None
        );
        assert_eq!(missing("python3 -u {port}", &[]), None);
    }
}
