//! The three scripts of a bundle, filled in for one assignment. They are
//! kept as real shell files beside this one (`templates/`), so that they
//! read, and are checked, as shell; only the `@NAME@` marks are replaced,
//! each by a value quoted for the shell.
//!
//! What a student may read (the output of a results.json written when
//! sockspec could not grade) is in the bundle's language, chosen when the
//! bundle is made: the script runs where no one can pick one.

use sockspec_report::Lang;

const SETUP: &str = include_str!("templates/setup.sh");
const INSTALL: &str = include_str!("templates/install_sockspec.sh");
const RUN: &str = include_str!("templates/run_autograder");

/// What the scripts are filled in with.
pub struct Fill<'a> {
    /// The assignment's title, for the scripts' comments.
    pub name: &'a str,
    /// The assignment file, relative to the bundle's root.
    pub assignment_file: &'a str,
    /// The scenario files or folders it grades with, relative to the
    /// bundle's root (empty: the suite built into sockspec).
    pub suite: &'a [String],
    /// The Ubuntu packages to install.
    pub packages: &'a [&'a str],
    /// Gradescope's visibility of a results.json written on failure.
    pub visibility: &'a str,
    /// The wall time a grading may take, in seconds.
    pub limit_s: u64,
    /// The language of what students read.
    pub lang: Lang,
}

/// `setup.sh`.
pub fn setup(f: &Fill) -> String {
    SETUP
        .replace("@ASSIGNMENT_NAME@", &one_line(f.name))
        .replace("@PACKAGES@", &f.packages.join(" "))
}

/// `install_sockspec.sh`.
pub fn install() -> String {
    INSTALL.to_owned()
}

/// `run_autograder`.
pub fn run_autograder(f: &Fill) -> String {
    let suite: Vec<String> = f.suite.iter().map(|s| quote(s)).collect();
    let mut text = RUN
        .replace("@ASSIGNMENT_NAME@", &one_line(f.name))
        .replace("@ASSIGNMENT_FILE@", f.assignment_file)
        .replace("@SUITE@", &suite.join(" "))
        .replace("@LIMIT_S@", &f.limit_s.to_string())
        .replace("@VISIBILITY@", f.visibility)
        .replace("@LANG@", &f.lang.to_string());
    for (mark, en, zh) in MESSAGES {
        let message = match f.lang {
            Lang::En => en,
            Lang::Zh => zh,
        };
        text = text.replace(mark, &quote(message));
    }
    text
}

/// What a results.json written on failure says, by mark: `%s` is the
/// value the script puts in (seconds, an exit code).
const MESSAGES: [(&str, &str, &str); 7] = [
    (
        "@NO_BINARY@",
        "The autograder is broken: the sockspec program it ships is missing or cannot be run. This is not your fault; please tell your teacher.",
        "自动评分器出了问题：它附带的 sockspec 程序不见了或无法运行。这不是你的错，请告诉老师。",
    ),
    (
        "@NO_SUBMISSION@",
        "No submission was found to grade.",
        "没有找到可以评分的提交。",
    ),
    (
        "@NO_COPY@",
        "The submission could not be copied for grading; try submitting again.",
        "无法复制提交的文件来评分；请重新提交一次。",
    ),
    (
        "@TIMED_OUT@",
        "Grading took longer than %s seconds and was stopped, so no score could be given. Programs that never exit or never answer can cause this: try them with sockspec yourself, or ask your teacher.",
        "评分超过 %s 秒后被终止，因此无法给出分数。从不退出或从不回应的程序可能导致这种情况：请自己用 sockspec 试一试，或者询问老师。",
    ),
    (
        "@CANNOT_START@",
        "The autograder is broken: sockspec could not start on the grading machine. This is not your fault; please tell your teacher.",
        "自动评分器出了问题：sockspec 无法在评分机器上启动。这不是你的错，请告诉老师。",
    ),
    (
        "@FAILED@",
        "sockspec could not grade this submission (exit code %s). This is most likely not your fault; please tell your teacher.",
        "sockspec 无法为这份提交评分（退出码 %s）。这很可能不是你的错，请告诉老师。",
    ),
    ("@DETAILS@", "What sockspec said:", "sockspec 的输出："),
];

/// A value as one shell word, in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A title fit for a one-line comment.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_is_filled_and_quotes_survive() {
        let suite = ["assignment/suite/1-it's here".to_owned()];
        let fill = Fill {
            name: "Day 6\n— four programs",
            assignment_file: "assignment/hw.yaml",
            suite: &suite,
            packages: &["python3"],
            visibility: "after_due_date",
            limit_s: 540,
            lang: Lang::Zh,
        };
        let marks = regex::Regex::new("@[A-Z_]+@").unwrap();
        for text in [setup(&fill), run_autograder(&fill), install()] {
            assert!(!marks.is_match(&text), "{text}");
        }
        let run = run_autograder(&fill);
        assert!(
            run.contains(r"suite=('assignment/suite/1-it'\''s here')"),
            "{run}"
        );
        assert!(run.contains("--lang zh"), "{run}");
        assert!(run.contains("评分超过 %s 秒"), "{run}");
        assert!(setup(&fill).contains("# the assignment Day 6 — four programs."));
    }
}
