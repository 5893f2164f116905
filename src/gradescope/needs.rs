//! What the grading machine must install for an assignment's programs to
//! run: read from the commands the assignment states (its builds and its
//! programs), never from a submission, since the image is built once,
//! before any student hands anything in.
//!
//! Gradescope's base image is a bare Ubuntu: even python3 is not certain
//! there, and a compiler never is. A word a command runs (`gcc`, `make`,
//! `javac`, `java`, …) names the Ubuntu packages that provide it; python3
//! is always installed, because the course's programs are Python and the
//! autograder's own script checks the report with it.

use std::collections::BTreeSet;

use sockspec_model::Assignment;

/// A word a command may run, and the Ubuntu packages that provide it.
const PROVIDERS: &[(&str, &[&str])] = &[
    // gcc on Ubuntu only recommends libc6-dev; without it there is no
    // <stdio.h>, and setup installs without recommends.
    ("gcc", &["gcc", "libc6-dev"]),
    ("cc", &["gcc", "libc6-dev"]),
    ("g++", &["g++", "libc6-dev"]),
    ("c++", &["g++", "libc6-dev"]),
    ("clang", &["clang", "libc6-dev"]),
    // A Makefile of this course compiles C.
    ("make", &["make", "gcc", "libc6-dev"]),
    ("javac", &["default-jdk-headless"]),
    ("java", &["default-jdk-headless"]),
    ("jar", &["default-jdk-headless"]),
    ("python2", &["python2"]),
    ("socat", &["socat"]),
    ("curl", &["curl"]),
    ("nc", &["netcat-openbsd"]),
    ("node", &["nodejs"]),
    ("go", &["golang-go"]),
];

/// The Ubuntu packages the assignment's commands need, sorted, python3
/// first among them always.
pub fn packages(assignment: &Assignment) -> Vec<&'static str> {
    let mut commands: Vec<&str> = assignment
        .programs
        .iter()
        .flat_map(|p| [Some(p.command.as_str()), p.build.as_deref()])
        .flatten()
        .collect();
    commands.extend(assignment.build.as_deref());
    let mut wanted: BTreeSet<&'static str> = BTreeSet::from(["python3"]);
    for word in commands.iter().flat_map(|c| words(c)) {
        if let Some((_, packages)) = PROVIDERS.iter().find(|(w, _)| *w == word) {
            wanted.extend(packages.iter().copied());
        }
    }
    wanted.into_iter().collect()
}

/// The words of a command line that could be programs it runs: split at
/// spaces and at the shell's operators, each taken by its file name
/// (`/usr/bin/gcc` is gcc). A file name such as `Server.java` stays one
/// word, so it never reads as `java`.
fn words(command: &str) -> impl Iterator<Item = &str> {
    command
        .split(|c: char| c.is_whitespace() || ";&|()<>'\"`$*{}=".contains(c))
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit('/').next().unwrap_or(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(programs: &str, build: &str) -> Assignment {
        let src = sockspec_model::Source {
            name: "hw.yaml".into(),
            text: format!("assignment: x\n{build}programs:\n{programs}"),
        };
        sockspec_model::load_assignment(&src).expect("the assignment loads")
    }

    #[test]
    fn python_alone_needs_only_python() {
        let a = assignment("  tcp-server:\n    command: python3 s.py {port}\n", "");
        assert_eq!(packages(&a), ["python3"]);
    }

    #[test]
    fn builds_and_commands_name_their_compilers_and_runtimes() {
        let a = assignment(
            "  tcp-server:\n    build: /usr/bin/gcc -o s s.c && strip s\n    command: ./s {port}\n",
            "",
        );
        assert_eq!(packages(&a), ["gcc", "libc6-dev", "python3"]);
        let a = assignment(
            "  tcp-server:\n    command: java Server {port}\n",
            "build: javac *.java\n",
        );
        assert_eq!(packages(&a), ["default-jdk-headless", "python3"]);
        // A file named after a language is not its runtime.
        let a = assignment(
            "  tcp-server:\n    command: python3 Server.java.py {port}\n",
            "",
        );
        assert_eq!(packages(&a), ["python3"]);
        let a = assignment(
            "  tcp-server:\n    command: socat TCP-LISTEN:{port},fork EXEC:cat\n",
            "build: make\n",
        );
        assert_eq!(
            packages(&a),
            ["gcc", "libc6-dev", "make", "python3", "socat"]
        );
    }
}
