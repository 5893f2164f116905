//! How a build reads: the one place that words BUILD ERROR, so that the
//! terminal, the JSON's `reason`, JUnit, Gradescope, Autolab and the HTML
//! page all say the same thing about a submission that did not compile.
//!
//! The compiler's own output is quoted as it is (its language is the
//! compiler's); what sockspec adds around it exists in both languages.

use sockspec_results::{BuildReport, Ended};

use crate::Lang;
use crate::mismatch::ended;

/// Lines of a failed build's output shown unless asked for all: a compiler
/// says what matters first, and a page of cascading errors helps no one.
pub(crate) const OUTPUT_LINES: usize = 40;

/// The headline of one build: `BUILD ERROR: gcc … exited with code 1
/// (0.3 s)`, or `built: gcc … (0.4 s)`.
pub(crate) fn headline(b: &BuildReport, lang: Lang) -> String {
    let secs = b.duration.as_secs_f64();
    let command = &b.command;
    if b.ok() {
        return lang.pick(
            format!("built: {command} ({secs:.1} s)"),
            format!("已编译：{command}（{secs:.1} 秒）"),
        );
    }
    let how = how_it_failed(b, lang);
    lang.pick(
        format!("BUILD ERROR: {command} {how}"),
        format!("编译失败：{command} {how}"),
    )
}

/// What went wrong with a failed build, after its command.
fn how_it_failed(b: &BuildReport, lang: Lang) -> String {
    let secs = b.duration.as_secs_f64();
    if let Some(why) = &b.not_started {
        return lang.pick(
            format!("could not be started: {why}"),
            format!("无法启动：{why}"),
        );
    }
    match b.ended {
        None => lang.pick(
            format!(
                "did not finish within {:.0} s and was stopped",
                b.deadline.as_secs_f64()
            ),
            format!("{:.0} 秒内没有完成，已被终止", b.deadline.as_secs_f64()),
        ),
        Some(e @ Ended::Code(_)) | Some(e @ Ended::Signal(_)) => lang.pick(
            format!("{} after {secs:.1} s", ended(e, lang)),
            format!("{:.1} 秒后{}", secs, ended(e, lang)),
        ),
    }
}

/// What follows a failed build's output: that its programs' scenarios were
/// not run, and what to do.
pub(crate) fn consequence(b: &BuildReport, lang: Lang) -> String {
    let roles: Vec<&str> = b.roles.iter().map(|r| r.as_str()).collect();
    let not_run = match (lang, roles.is_empty()) {
        (Lang::En, true) => "No scenario was run".to_owned(),
        (Lang::En, false) => format!("The scenarios of {} were not run", roles.join(", ")),
        (Lang::Zh, true) => "没有运行任何测试".to_owned(),
        (Lang::Zh, false) => format!("{} 的测试都没有运行", roles.join("、")),
    };
    // Not the compiler's words: the shell found no such command, or the
    // build never ended. Neither is fixed in the student's code.
    if b.ended == Some(Ended::Code(127)) {
        return lang.pick(
            format!(
                "{not_run}. The shell could not find a command of the build (exit 127): \
                 check the build command itself, and that its compiler is installed on \
                 the grading machine"
            ),
            format!(
                "{not_run}。shell 找不到编译命令里的某个程序（退出码 127）：\
                 检查编译命令本身，以及评分机器上有没有装这个编译器"
            ),
        );
    }
    if b.ended.is_none() && b.not_started.is_none() {
        return lang.pick(
            format!(
                "{not_run}. A build that does not end waits for something (input, the \
                 network) or loops (a Makefile that runs the program): build it yourself \
                 and see where it stops, or give it more time (build_s)"
            ),
            format!(
                "{not_run}。一直不结束的编译是在等什么（输入、网络），或者陷入了循环\
                 （比如 Makefile 里运行了程序本身）：自己编译一遍看它停在哪里，或者给它更多时间（build_s）"
            ),
        );
    }
    match (lang, roles.is_empty()) {
        (Lang::En, true) => "No scenario was run: the programs do not exist until the \
                             submission builds. Fix the first error the compiler reports \
                             (the others often follow from it) and build it again yourself"
            .to_owned(),
        (Lang::En, false) => format!(
            "The scenarios of {} were not run: the program does not exist until it \
             builds. Fix the first error the compiler reports (the others often follow \
             from it) and build it again yourself",
            roles.join(", ")
        ),
        (Lang::Zh, true) => "没有运行任何测试：提交编译成功之前，程序根本不存在。\
                             先改编译器报的第一个错误（后面的错误常常是它引起的），\
                             然后自己重新编译一遍"
            .to_owned(),
        (Lang::Zh, false) => format!(
            "{} 的测试都没有运行：编译成功之前，程序根本不存在。\
             先改编译器报的第一个错误（后面的错误常常是它引起的），然后自己重新编译一遍",
            roles.join("、")
        ),
    }
}

/// The build's output as lines, at most `max` of them (the first ones,
/// where the first error is), with a line saying how many were left out.
pub(crate) fn output_lines(b: &BuildReport, max: usize, lang: Lang) -> Vec<String> {
    let lines: Vec<&str> = b.output.lines().collect();
    if lines.iter().all(|l| l.trim().is_empty()) {
        return vec![
            lang.pick("(it printed nothing)", "（没有任何输出）")
                .to_owned(),
        ];
    }
    let mut shown: Vec<String> = lines
        .iter()
        .take(max)
        .map(|l| crate::text::printable(l))
        .collect();
    if lines.len() > max {
        let more = lines.len() - max;
        shown.push(lang.pick(
            format!("… {more} more lines (--verbose shows them all)"),
            format!("……还有 {more} 行（--verbose 显示全部）"),
        ));
    }
    shown
}

/// Why a scenario was not run, for the formats that give each scenario a
/// line of its own (JSON's `reason`, JUnit, Gradescope, HTML).
pub(crate) fn not_built(lang: Lang) -> String {
    lang.pick(
        "not run: its program did not build (see BUILD ERROR)",
        "没有运行：它的程序没有编译成功（见“编译失败”）",
    )
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn report(ended: Option<Ended>, output: &str) -> BuildReport {
        BuildReport {
            command: "gcc -Wall -o server server.c".into(),
            dir: "/tmp/hw".into(),
            roles: vec![sockspec_model::Role::TcpServer],
            ended,
            deadline: Duration::from_secs(60),
            output: output.into(),
            duration: Duration::from_millis(340),
            not_started: None,
        }
    }

    #[test]
    fn a_failed_build_says_how_in_both_languages() {
        let b = report(Some(Ended::Code(1)), "server.c:3:1: error: expected ';'\n");
        assert_eq!(
            headline(&b, Lang::En),
            "BUILD ERROR: gcc -Wall -o server server.c exited with code 1 after 0.3 s"
        );
        assert_eq!(
            headline(&b, Lang::Zh),
            "编译失败：gcc -Wall -o server server.c 0.3 秒后已退出，退出码 1"
        );
        assert!(consequence(&b, Lang::En).starts_with("The scenarios of tcp-server were not run"));
        assert!(consequence(&b, Lang::Zh).starts_with("tcp-server 的测试都没有运行"));
        let stopped = report(None, "");
        assert!(
            headline(&stopped, Lang::En).ends_with("did not finish within 60 s and was stopped")
        );
        assert_eq!(output_lines(&stopped, 5, Lang::Zh), ["（没有任何输出）"]);
        let ok = report(Some(Ended::Code(0)), "");
        assert_eq!(
            headline(&ok, Lang::En),
            "built: gcc -Wall -o server server.c (0.3 s)"
        );
    }

    /// A command the shell cannot find, or a build that never ends, is
    /// not the student's compile error: the advice says what to check.
    #[test]
    fn a_missing_compiler_and_a_hung_build_get_their_own_advice() {
        let missing = report(Some(Ended::Code(127)), "sh: 1: gccc: not found\n");
        assert!(
            consequence(&missing, Lang::En).contains("The shell could not find a command"),
            "{}",
            consequence(&missing, Lang::En)
        );
        assert!(consequence(&missing, Lang::Zh).contains("退出码 127"));
        let hung = report(None, "");
        assert!(consequence(&hung, Lang::En).contains("give it more time (build_s)"));
        assert!(consequence(&hung, Lang::Zh).contains("build_s"));
    }

    #[test]
    fn long_output_is_cut_after_the_first_lines() {
        let text: String = (0..100).map(|i| format!("error {i}\n")).collect();
        let b = report(Some(Ended::Code(1)), &text);
        let lines = output_lines(&b, 3, Lang::En);
        assert_eq!(lines[..3], ["error 0", "error 1", "error 2"]);
        assert_eq!(lines[3], "… 97 more lines (--verbose shows them all)");
    }
}
