//! Builds a submission before any scenario: `gcc -Wall -o server
//! server.c`, `javac *.java`, `make`, once, in the submission's folder.
//!
//! A build is the grader's command, not the student's program, so it runs
//! under `sh -c` (globs and `&&` work) with stderr joined to stdout, so
//! that the compiler's lines stay in the order it wrote them. It is still
//! the student's code being compiled (a Makefile runs anything), so it runs
//! under the submission's sandbox, with two limits of its own: the wall
//! time of [`Build::deadline`] instead of the CPU limit of a program, and
//! no cap on address space, which a JVM (javac) or a linker reserves in
//! gigabytes it never uses.

use std::path::PathBuf;
use std::time::Duration;

use sockspec_model::Role;
use sockspec_process::{Sandbox, Target, TargetSpec};
use sockspec_results::BuildReport;
use tokio::time::Instant;

use crate::Timing;

/// A build's wall time when the grader sets none (`build_s`), before the
/// time scale: a C file compiles in a second, `javac` in two, a slow
/// machine with a class's worth of builds at once in many more.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// Output kept of a build: a screenful of C++ template errors fits.
const OUTPUT_CAP: usize = 256 * 1024;

/// One build command of a submission.
#[derive(Clone, Debug)]
pub struct Build {
    /// The command, as the grader wrote it.
    pub command: String,
    /// The folder it runs in.
    pub dir: PathBuf,
    /// The roles whose programs it builds (empty: every one).
    pub roles: Vec<Role>,
    /// The sandbox of the submission's programs (`None`: run as it is).
    pub sandbox: Option<Sandbox>,
    /// Its wall time, before the time scale.
    pub deadline: Duration,
}

impl Build {
    /// Whether it builds the program of `role`.
    pub fn builds(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }
}

/// Runs `build` to its end or its deadline, and says how it went.
pub(crate) async fn run(build: &Build, timing: &Timing) -> BuildReport {
    let deadline = timing.pause(build.deadline);
    let started = Instant::now();
    let report = |ended, output: String, not_started: Option<String>| BuildReport {
        command: build.command.clone(),
        dir: build.dir.display().to_string(),
        roles: build.roles.clone(),
        ended,
        deadline,
        output,
        duration: started.elapsed(),
        not_started,
    };
    let spec = TargetSpec {
        command: shell_template(&build.command),
        cwd: Some(build.dir.clone()),
        output_cap: OUTPUT_CAP,
        sandbox: build.sandbox.clone().map(|mut s| {
            s.limits.memory_bytes = u64::MAX;
            // The wall-time deadline stops a build; CPU time is no
            // measure of a compiler stuck on nothing.
            s.limits.cpu_seconds = deadline.as_secs().saturating_add(1).max(1);
            s.limits.processes = s.limits.processes.max(256);
            s
        }),
        waits: timing.waits(),
        ..TargetSpec::default()
    };
    let mut target = match Target::spawn(&spec).await {
        Ok(t) => t,
        Err(e) => return report(None, String::new(), Some(e.to_string())),
    };
    let ended = match target.wait_exit(started + deadline).await {
        Some(state) => Some(crate::start::ended(state)),
        None => {
            target.kill().await;
            None
        }
    };
    report(ended, target.output().stdout, None)
}

/// `sh -c 'exec 2>&1; COMMAND'` as a target template: quoted for the
/// splitter, with braces doubled so that none is read as a placeholder.
fn shell_template(command: &str) -> String {
    let script = format!("exec 2>&1; {command}").replace('\'', "'\\''");
    format!("sh -c '{}'", script.replace('{', "{{").replace('}', "}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_command_is_one_shell_word_without_placeholders() {
        let t = shell_template("gcc -o s s.c && echo '{port}' \"$HOME\"");
        let argv = sockspec_process::split_command(&t, "127.0.0.1", 1, "b").unwrap();
        assert_eq!(
            argv,
            [
                "sh",
                "-c",
                "exec 2>&1; gcc -o s s.c && echo '{port}' \"$HOME\""
            ]
        );
    }

    #[tokio::test]
    async fn a_build_reports_its_output_exit_and_deadline() {
        let dir = std::env::temp_dir();
        let timing = Timing::scaled(1.0);
        let build = |command: &str, deadline: u64| Build {
            command: command.into(),
            dir: dir.clone(),
            roles: vec![Role::TcpServer],
            sandbox: None,
            deadline: Duration::from_secs(deadline),
        };
        let ok = run(&build("echo out; echo err >&2", 30), &timing).await;
        assert!(ok.ok(), "{ok:?}");
        assert_eq!(ok.output, "out\nerr\n");
        let failed = run(&build("echo 'x.c:1: error: oops'; exit 3", 30), &timing).await;
        assert_eq!(failed.ended, Some(sockspec_results::Ended::Code(3)));
        assert!(!failed.ok());
        assert_eq!(failed.output, "x.c:1: error: oops\n");
        let stuck = run(&build("sleep 30", 1), &timing).await;
        assert_eq!(stuck.ended, None);
        assert!(stuck.duration < Duration::from_secs(10), "{stuck:?}");
    }
}
