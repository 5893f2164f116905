//! The block under a failure: what went wrong, where in the scenario file,
//! what was sent, expected and received, what the runner found out about
//! why, the exchange that led there, what the program printed, the note of
//! the course that explains it and what to change. The human report shows
//! it on the terminal, the JUnit and Gradescope reports put it in the
//! failure's text and the HTML report lays the same parts out as a page,
//! so a student reads the same explanation wherever the grade reached them.

use sockspec_model::Bytes;
use sockspec_results::{Mismatch, ScenarioResult, Status, TargetReport, Why};

mod bytes;

pub(crate) use bytes::bytes;

use crate::Lang;
use crate::diagnose;
use crate::text::{elide, printable, width, wrap};
use crate::timeline::{self, Row};

/// How a line of the block is meant to look; only the human report paints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tone {
    /// The one-line reason, in the verdict's colour.
    Headline,
    /// Evidence.
    Plain,
    /// Captured output and other background, dimmed.
    Quiet,
    /// A heading (`why it matters:`).
    Heading,
}

/// How much of long values and outputs to show, and in which language.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Trailing lines of stdout and stderr.
    pub output_lines: usize,
    /// Show sent/expected/received and output lines whole.
    pub full: bool,
    /// The language of every word the block adds to the evidence.
    pub lang: Lang,
    /// Show the timeline of the exchange.
    pub timeline: bool,
}

impl Limits {
    /// The block as CI and graders' pages show it: values shortened, the
    /// last 15 lines of output, no timeline.
    pub(crate) fn page(lang: Lang) -> Limits {
        Limits {
            output_lines: 15,
            full: false,
            lang,
            timeline: false,
        }
    }
}

/// Columns the block's text may take; it is indented by 7 under the
/// verdict line, which keeps it within 80 columns.
const TEXT_WIDTH: usize = 72;
/// Longest line of output, or value, shown when not `full`.
const VALUE_WIDTH: usize = 160;
/// Columns of a field's label (`received:  `), so values line up.
const LABEL_WIDTH: usize = 11;

/// A value the block shows next to a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// What the harness sent.
    Sent,
    /// What the contract wanted.
    Expected,
    /// What came back.
    Received,
    /// The program's state and command line.
    Target,
}

impl Field {
    /// The label's word.
    pub(crate) fn name(self, lang: Lang) -> &'static str {
        match self {
            Field::Sent => lang.pick("sent", "发送"),
            Field::Expected => lang.pick("expected", "预期"),
            Field::Received => lang.pick("received", "实际收到"),
            Field::Target => lang.pick("target", "程序"),
        }
    }
}

/// The end of one of the program's outputs.
pub(crate) struct Output {
    /// `stderr` or `stdout`.
    pub name: &'static str,
    /// Lines it printed in all.
    pub total: usize,
    /// The last of them, control characters made visible.
    pub lines: Vec<String>,
    /// Bytes of the captured lines before `lines`, not shown.
    pub hidden_bytes: usize,
    /// Bytes the program printed before what was captured, which the
    /// capture's cap dropped (not counted in `total`).
    pub dropped: usize,
}

impl Output {
    /// The heading: `stderr:`, `stdout (last 15 of 20 lines):`.
    pub(crate) fn heading(&self, lang: Lang) -> String {
        let name = self.name;
        let shown = self.lines.len();
        if shown < self.total {
            match lang {
                Lang::En => format!("{name} (last {shown} of {} lines):", self.total),
                Lang::Zh => format!("{name}（最后 {shown} 行，共 {} 行）：", self.total),
            }
        } else {
            format!("{name}{}", colon(lang))
        }
    }
}

/// The parts of the block, each in the language of the limits.
pub(crate) struct Parts {
    /// Why it failed, the runner's message (lines kept).
    pub reason: String,
    /// Where in the scenario: "at step 7 (file:17): expect a reply on b".
    pub location: Option<String>,
    /// Sent, expected, received, target, as far as known.
    pub fields: Vec<(Field, String)>,
    /// The diagnosis sentences.
    pub diagnoses: Vec<String>,
    /// The exchange (empty unless asked for).
    pub timeline: Vec<Row>,
    /// The program's stderr, then stdout (when the target was captured).
    pub outputs: Vec<Output>,
    /// The note of the course (not for an error, whose cause lies elsewhere).
    pub concept: Option<String>,
    /// What to change, when the scenario says.
    pub hint: Option<String>,
}

fn colon(lang: Lang) -> &'static str {
    lang.pick(":", "：")
}

/// `text` padded with spaces to `columns`.
fn pad(text: &str, columns: usize) -> String {
    let fill = columns.saturating_sub(width(text)).max(1);
    format!("{text}{}", " ".repeat(fill))
}

/// The block's parts for `r`.
pub(crate) fn parts(r: &ScenarioResult, limits: Limits) -> Parts {
    let lang = limits.lang;
    let zh = lang.is_zh();
    let value = |s: &str| {
        if limits.full {
            s.to_owned()
        } else {
            elide(s, VALUE_WIDTH)
        }
    };
    let max = (!limits.full).then_some(VALUE_WIDTH);
    let shown = |b: &Bytes| bytes(&b.0, b.0.len(), max.unwrap_or(usize::MAX), lang);
    let mut p = Parts {
        reason: reason(r, lang),
        location: None,
        fields: Vec::new(),
        diagnoses: Vec::new(),
        timeline: Vec::new(),
        outputs: Vec::new(),
        concept: None,
        hint: None,
    };
    if let Some(f) = &r.failure {
        let what = crate::step::failed_at(&f.at, lang);
        p.location = if f.step > 0 {
            Some(match lang {
                Lang::En => format!(
                    "at step {} ({}:{}): {}",
                    f.step,
                    r.file,
                    f.line,
                    value(&what)
                ),
                Lang::Zh => format!(
                    "第 {} 步（{}:{}）：{}",
                    f.step,
                    r.file,
                    f.line,
                    value(&what)
                ),
            })
        } else if !what.is_empty() {
            Some(match lang {
                Lang::En => format!("in {} ({})", value(&what), r.file),
                Lang::Zh => format!("在 {} 中（{}）", value(&what), r.file),
            })
        } else if f.target.is_some() {
            Some(match lang {
                Lang::En => format!("before step 1 ({})", r.file),
                Lang::Zh => format!("第 1 步之前（{}）", r.file),
            })
        } else {
            None
        };
        if let Some(sent) = &f.sent {
            p.fields.push((Field::Sent, shown(sent)));
        }
        if let Some(expected) = &f.expected {
            p.fields.push((
                Field::Expected,
                value(&crate::mismatch::expectation(expected, lang)),
            ));
        }
        if let Some(received) = &f.received {
            p.fields.push((Field::Received, shown(received)));
        }
        let language = f.target.as_ref().map_or(Default::default(), |t| t.language);
        p.diagnoses = f
            .diagnoses
            .iter()
            .map(|d| diagnose::sentence(d, r.role, language, lang))
            .collect();
        if limits.timeline {
            p.timeline = timeline::rows(&f.timeline, r.role, lang, limits.full);
        }
        if let Some(t) = &f.target {
            p.fields.push((
                Field::Target,
                format!("{} — {}", crate::mismatch::state(t.ended, lang), t.command),
            ));
            p.outputs = outputs(t, limits);
        }
    }
    // An error says the scenario could not be carried out, and a program
    // that ended or never listened before the first step did nothing the
    // scenario is about: its lesson (and its fix) would point the student
    // at the wrong cause; the output and the diagnosis tell the real one.
    let before_the_scenario = r.failure.as_ref().is_some_and(|f| f.program_start);
    // Nor has a scenario that never ran because its program did not build.
    if !matches!(r.status, Status::Error | Status::NotBuilt) && !before_the_scenario {
        let concept = if zh && !r.concept_zh.trim().is_empty() {
            &r.concept_zh
        } else {
            &r.concept
        };
        p.concept = (!concept.trim().is_empty()).then(|| concept.clone());
        let hint = r.hint.get(zh);
        p.hint = (!hint.trim().is_empty()).then(|| hint.to_owned());
    }
    p
}

/// The lines of the block, without indentation.
pub(crate) fn evidence(r: &ScenarioResult, limits: Limits) -> Vec<(Tone, String)> {
    let lang = limits.lang;
    let p = parts(r, limits);
    let mut out = Vec::new();
    let mut push = |tone: Tone, text: String| out.push((tone, text));
    // Lines the message breaks itself (a list of problems, a generated
    // case) stay lines, each wrapped on its own with its indentation.
    for para in p.reason.lines() {
        let body = para.trim_start();
        let indent = &para[..para.len() - body.len()];
        for l in wrap(body, TEXT_WIDTH.saturating_sub(indent.len()).max(20)) {
            push(Tone::Headline, format!("{indent}{l}"));
        }
    }
    if let Some(location) = p.location {
        push(Tone::Plain, location);
    }
    let label = |field: Field| pad(&format!("{}{}", field.name(lang), colon(lang)), LABEL_WIDTH);
    for (field, text) in p.fields.iter().filter(|(f, _)| *f != Field::Target) {
        push(Tone::Plain, format!("{}{text}", label(*field)));
    }
    if !p.diagnoses.is_empty() {
        push(
            Tone::Heading,
            format!("{}{}", lang.pick("diagnosis", "诊断"), colon(lang)),
        );
        for d in &p.diagnoses {
            for (i, l) in wrap(d, TEXT_WIDTH - 4).into_iter().enumerate() {
                let bullet = if i == 0 { "  - " } else { "    " };
                push(Tone::Plain, format!("{bullet}{l}"));
            }
        }
    }
    if !p.timeline.is_empty() {
        push(
            Tone::Heading,
            format!("{}{}", lang.pick("timeline", "时间线"), colon(lang)),
        );
        for l in timeline::lines(&p.timeline) {
            push(Tone::Plain, format!("  {l}"));
        }
    }
    if let Some((_, target)) = p.fields.iter().find(|(f, _)| *f == Field::Target) {
        push(Tone::Plain, format!("{}{target}", label(Field::Target)));
    }
    for o in &p.outputs {
        if o.total == 0 {
            let none = lang.pick("(nothing)", "（没有输出）");
            push(
                Tone::Plain,
                format!(
                    "{}{none}",
                    pad(&format!("{}{}", o.name, colon(lang)), LABEL_WIDTH)
                ),
            );
            continue;
        }
        push(Tone::Plain, o.heading(lang));
        for l in &o.lines {
            push(Tone::Quiet, format!("  | {l}"));
        }
    }
    for (heading, text) in [
        (lang.pick("why it matters", "知识点"), &p.concept),
        (lang.pick("what to change", "怎么改"), &p.hint),
    ] {
        if let Some(text) = text {
            push(Tone::Heading, format!("{heading}{}", colon(lang)));
            for l in wrap(text, TEXT_WIDTH - 2) {
                push(Tone::Plain, format!("  {l}"));
            }
        }
    }
    out
}

/// Why a scenario was slow to begin: it waited for the port its program
/// hard-codes to leave the TIME_WAIT of the scenario before.
pub(crate) fn port_wait(w: &sockspec_results::PortWait, lang: Lang) -> String {
    let secs = w.waited.as_secs_f64();
    match (lang, w.freed) {
        (Lang::En, true) => format!(
            "waited {secs:.1} s before it began for port {} to leave TIME_WAIT: the program hard-codes its port and runs without a private network, so its scenarios run one after another on the same port",
            w.port
        ),
        (Lang::En, false) => format!(
            "waited {secs:.1} s for port {} to be free, and it was still in use: the scenario went ahead (the program hard-codes its port and runs without a private network)",
            w.port
        ),
        (Lang::Zh, true) => format!(
            "开始前等了 {secs:.1} 秒，等端口 {} 的 TIME_WAIT 结束：程序写死了端口，又没有在私有网络里运行，所以它的测试只能在同一个端口上一个接一个地跑",
            w.port
        ),
        (Lang::Zh, false) => format!(
            "等了 {secs:.1} 秒端口 {} 仍被占用，测试照常进行（程序写死了端口，又没有在私有网络里运行）",
            w.port
        ),
    }
}

/// Where a program that chose its own address or port was found, or where
/// its hard-coded host name took it.
pub(crate) fn found(f: &sockspec_results::Found, lang: Lang) -> String {
    use sockspec_results::Found;
    match (f, lang) {
        (Found::OwnPort { addr, udp }, Lang::En) => {
            let verb = if *udp { "bound to" } else { "listening on" };
            format!("{verb} {addr} (its own choice of port)")
        }
        (Found::OwnAddress { addr, udp }, Lang::En) => {
            let verb = if *udp { "bound to" } else { "listening on" };
            format!("{verb} {addr} (its own choice of address)")
        }
        (Found::OwnPort { addr, udp }, Lang::Zh) => {
            let verb = if *udp { "绑定在" } else { "监听在" };
            format!("{verb} {addr}（端口是它自己选的）")
        }
        (Found::OwnAddress { addr, udp }, Lang::Zh) => {
            let verb = if *udp { "绑定在" } else { "监听在" };
            format!("{verb} {addr}（地址是它自己选的）")
        }
        (
            Found::Mapped {
                name,
                port,
                ip,
                connects,
            },
            Lang::En,
        ) => {
            let verb = if *connects { "connects to" } else { "sends to" };
            format!("{verb} {name}:{port} (mapped to {ip} in its private network)")
        }
        (
            Found::Mapped {
                name,
                port,
                ip,
                connects,
            },
            Lang::Zh,
        ) => {
            let verb = if *connects { "连接" } else { "发往" };
            format!("{verb} {name}:{port}（在它的私有网络里映射到 {ip}）")
        }
    }
}

/// How often a scenario passed: "passed 1 of 2 tries".
pub(crate) fn pass_rate(r: &ScenarioResult) -> String {
    let tries = if r.attempts == 1 { "try" } else { "tries" };
    format!("passed {} of {} {tries}", r.passes, r.attempts)
}

/// [`pass_rate`] in `lang`: "2 次尝试中通过 1 次".
pub(crate) fn pass_rate_in(r: &ScenarioResult, lang: Lang) -> String {
    match lang {
        Lang::En => pass_rate(r),
        Lang::Zh => format!("{} 次尝试中通过 {} 次", r.attempts, r.passes),
    }
}

/// The reason without what every report already says on its own: a
/// flaky result's pass rate is shown by the verdict label and
/// [`pass_rate`], so the block starts with the failed try's reason.
pub(crate) fn reason(r: &ScenarioResult, lang: Lang) -> String {
    match &r.why {
        Some(Why::Mismatch(Mismatch::Flaky { first, .. })) => {
            let first = crate::mismatch::mismatch(first, lang);
            match lang {
                Lang::En => format!("the first failed: {first}"),
                Lang::Zh => format!("第一次失败的原因：{first}"),
            }
        }
        Some(w) => crate::mismatch::why(w, lang),
        None => String::new(),
    }
}

/// The target's output, stderr first: that is where a Python traceback
/// lands, and it usually names the bug.
fn outputs(t: &TargetReport, limits: Limits) -> Vec<Output> {
    [
        ("stderr", &t.stderr, t.stderr_dropped),
        ("stdout", &t.stdout, t.stdout_dropped),
    ]
    .into_iter()
    .map(|(name, text, dropped)| {
        let lines: Vec<&str> = text.lines().collect();
        let skip = lines.len().saturating_sub(limits.output_lines);
        Output {
            name,
            total: lines.len(),
            // Each hidden line ended with a line end.
            hidden_bytes: lines[..skip].iter().map(|l| l.len() + 1).sum(),
            dropped,
            lines: lines[skip..]
                .iter()
                .map(|l| {
                    let l = printable(l);
                    if limits.full {
                        l
                    } else {
                        elide(&l, VALUE_WIDTH)
                    }
                })
                .collect(),
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(b: &[u8], full: bool) -> String {
        let max = if full { usize::MAX } else { VALUE_WIDTH };
        bytes(b, b.len(), max, Lang::En)
    }

    #[test]
    fn bytes_show_text_hex_and_size() {
        assert_eq!(show(b"ok\n", false), "\"ok\\n\" (3 bytes)");
        assert_eq!(
            show(&[0xe4, 0xbd, 0xa0, 0xe5], false),
            "hex e4bda0e5 (4 bytes, not UTF-8)"
        );
        assert_eq!(show(b"", false), "nothing (0 bytes)");
        // "收到你的消息" as GBK, the way some homework encodes its replies.
        let gbk = [
            0xca, 0xd5, 0xb5, 0xbd, 0xc4, 0xe3, 0xb5, 0xc4, 0xcf, 0xfb, 0xcf, 0xa2,
        ];
        assert_eq!(
            show(&gbk, false),
            "hex cad5b5bdc4e3b5c4cffbcfa2 (12 bytes, not UTF-8; as GBK: \"收到你的消息\")"
        );
        // Bytes that are valid GBK without any Chinese stay hex only.
        assert_eq!(show(&[0xff, 0xfe], false), "hex fffe (2 bytes, not UTF-8)");
    }

    fn flaky(attempts: u32, passes: u32) -> ScenarioResult {
        ScenarioResult {
            id: "tcp-server/x".into(),
            title: String::new(),
            title_zh: String::new(),
            role: sockspec_model::Role::TcpServer,
            level: sockspec_model::Level::Required,
            counted: true,
            points: 1,
            status: Status::Flaky,
            duration: std::time::Duration::ZERO,
            why: None,
            concept: String::new(),
            concept_zh: String::new(),
            hint: Default::default(),
            file: String::new(),
            failure: None,
            attempts,
            passes,
            starts: 1,
            found: None,
            port_wait: None,
            limits_hit: Vec::new(),
            shared: false,
            replayed: false,
            cases_went_on: 0,
        }
    }

    #[test]
    fn where_a_program_was_found_reads_in_both_languages() {
        use sockspec_results::Found;
        let addr = "10.16.129.97:8888".parse().unwrap();
        let cases = [
            (
                Found::OwnAddress { addr, udp: false },
                "listening on 10.16.129.97:8888 (its own choice of address)",
                "监听在 10.16.129.97:8888（地址是它自己选的）",
            ),
            (
                Found::OwnPort { addr, udp: true },
                "bound to 10.16.129.97:8888 (its own choice of port)",
                "绑定在 10.16.129.97:8888（端口是它自己选的）",
            ),
            (
                Found::Mapped {
                    name: "www.python.org".into(),
                    port: 80,
                    ip: std::net::Ipv4Addr::new(127, 77, 0, 1),
                    connects: true,
                },
                "connects to www.python.org:80 (mapped to 127.77.0.1 in its private network)",
                "连接 www.python.org:80（在它的私有网络里映射到 127.77.0.1）",
            ),
        ];
        for (f, en, zh) in cases {
            assert_eq!(found(&f, Lang::En), en);
            assert_eq!(found(&f, Lang::Zh), zh);
        }
    }

    #[test]
    fn a_flaky_reason_drops_what_the_verdict_line_says() {
        let first = Mismatch::NoReply {
            nth: sockspec_results::Nth::The,
            within: std::time::Duration::from_secs(2),
        };
        let mut r = flaky(3, 1);
        r.why = Some(Why::Mismatch(Mismatch::Flaky {
            passes: 1,
            attempts: 3,
            first: Box::new(first.clone()),
        }));
        assert_eq!(pass_rate(&r), "passed 1 of 3 tries");
        assert_eq!(
            reason(&r, Lang::En),
            "the first failed: no reply within 2.0 s"
        );
        assert_eq!(
            reason(&r, Lang::Zh),
            "第一次失败的原因：2.0 秒内没有收到回复"
        );
        r.status = Status::Fail;
        r.why = Some(Why::Mismatch(first));
        assert_eq!(reason(&r, Lang::En), "no reply within 2.0 s");
    }

    #[test]
    fn bytes_and_states_in_chinese() {
        assert_eq!(
            bytes(b"ok\n", 3, VALUE_WIDTH, Lang::Zh),
            "\"ok\\n\"（3 字节）"
        );
        assert_eq!(bytes(b"", 0, VALUE_WIDTH, Lang::Zh), "没有数据（0 字节）");
        assert_eq!(
            bytes(&[0xff, 0xfe], 2, VALUE_WIDTH, Lang::Zh),
            "十六进制 fffe（2 字节，不是 UTF-8）"
        );
        assert_eq!(
            bytes(b"abc", 10, VALUE_WIDTH, Lang::En),
            "\"abc\" … (10 bytes)"
        );
        use crate::mismatch::state;
        use sockspec_results::Ended;
        assert_eq!(state(None, Lang::Zh), "仍在运行");
        assert_eq!(state(Some(Ended::Code(1)), Lang::Zh), "已退出，退出码 1");
        assert_eq!(
            state(Some(Ended::Signal(9)), Lang::Zh),
            "被信号 9（SIGKILL）终止"
        );
        assert_eq!(state(Some(Ended::Signal(64)), Lang::Zh), "被信号 64 终止");
        assert_eq!(state(Some(Ended::Code(1)), Lang::En), "exited with code 1");
    }

    #[test]
    fn long_bytes_show_both_ends_unless_full() {
        let big = Bytes("你".repeat(1000).into_bytes());
        let short = show(&big.0, false);
        assert!(
            short.contains(" … ") && short.ends_with("(3000 bytes)"),
            "{short}"
        );
        assert!(width(&short) < 200, "{short}");
        assert!(show(&big.0, true).len() > 3000);
        let binary = Bytes(vec![0xff; 100]);
        assert!(show(&binary.0, false).contains(" … "));
    }
}
