//! The human report, pinned whole in tests/snapshots/human.txt (durations
//! off), plus what the snapshot cannot show: colours, durations, verbose
//! mode and the verdict line of other kinds of runs.

mod common;

use std::time::Duration;

use common::{check_snapshot, events, missing_file_events, render, render_diagnosed, results};
use sockspec_report::{Human, HumanOptions, Lang, Reporter};
use sockspec_results::{Event, Status, Summary};

fn human(options: HumanOptions) -> String {
    let mut out = Vec::new();
    render(Human::new(&mut out, options));
    String::from_utf8(out).unwrap()
}

fn pinned() -> HumanOptions {
    HumanOptions {
        durations: false,
        ..HumanOptions::default()
    }
}

#[test]
fn human_report() {
    check_snapshot("human.txt", &human(pinned()));
}

fn diagnosed(options: HumanOptions) -> String {
    let mut out = Vec::new();
    render_diagnosed(Human::new(&mut out, options));
    String::from_utf8(out).unwrap()
}

fn explained(lang: Lang) -> String {
    diagnosed(HumanOptions {
        lang,
        timeline: true,
        ..pinned()
    })
}

#[test]
fn human_report_explains_failures_in_english() {
    check_snapshot("human-diagnosed.en.txt", &explained(Lang::En));
}

#[test]
fn human_report_explains_failures_in_chinese() {
    check_snapshot("human-diagnosed.zh.txt", &explained(Lang::Zh));
}

#[test]
fn human_report_in_chinese() {
    check_snapshot(
        "human.zh.txt",
        &human(HumanOptions {
            lang: Lang::Zh,
            ..pinned()
        }),
    );
}

#[test]
fn without_colour_no_escape_code_reaches_the_terminal() {
    let text = human(pinned());
    assert!(!text.contains('\x1b'), "{text}");
    // The target printed a colour code; it is shown, not obeyed.
    assert!(text.contains("| \\u{1b}[32mlistening"), "{text}");
}

#[test]
fn colour_marks_verdicts() {
    let text = human(HumanOptions {
        color: true,
        ..pinned()
    });
    for (code, label) in [
        ("32", "PASS"),
        ("31", "FAIL"),
        ("33", "WARN"),
        ("31", "ERROR"),
        ("33", "FLAKY"),
    ] {
        assert!(
            text.contains(&format!("\x1b[{code}m{label}")),
            "{label}: {text}"
        );
    }
    assert!(text.contains("\x1b[2mSKIP"), "{text}");
}

#[test]
fn durations_are_shown_unless_pinned() {
    let text = human(HumanOptions::default());
    assert!(text.contains("A client that leaves does not stop the server (12 ms)"));
    assert!(text.contains(" — 1.3 s\n"), "{text}");
    let pinned = human(pinned());
    assert!(
        !pinned.contains(" ms)") && !pinned.contains(" — 1.3 s"),
        "{pinned}"
    );
}

#[test]
fn verbose_shows_long_values_and_all_output_whole() {
    let short = human(pinned());
    let long = human(HumanOptions {
        verbose: true,
        ..pinned()
    });
    let big = format!("{:?}", "你".repeat(100));
    assert!(!short.contains(&big) && long.contains(&big));
    assert!(short.contains("stdout (last 15 of 20 lines):"), "{short}");
    assert!(!short.contains("| received b'message 5'\n"), "{short}");
    assert!(long.contains("| received b'message 1'\n"), "{long}");
}

#[test]
fn prose_fits_80_columns_and_long_values_are_shortened() {
    // Verdict lines carry the id and the title, which are as long as they
    // are. Messages and concepts are wrapped to fit a terminal; values and
    // output lines are shortened by their middle to at most 160 columns.
    for line in human(pinned()).lines() {
        let columns = unicode_columns(line);
        let verdict = ["PASS", "FAIL", "WARN", "ERROR", "SKIP", "FLAKY"]
            .iter()
            .any(|l| line.starts_with(l));
        let value = [
            "sent:",
            "expected:",
            "received:",
            "at step",
            "target:",
            "| ",
        ]
        .iter()
        .any(|l| line.trim_start().starts_with(l));
        if !verdict {
            let limit = if value { 7 + 11 + 160 + 25 } else { 80 };
            assert!(columns <= limit, "{columns} columns: {line}");
        }
    }
}

/// Terminal columns, counting CJK as two, without a dependency for it.
fn unicode_columns(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// The summary and verdict lines for a run of these statuses, counted
/// (required) or not (recommended).
fn verdict(statuses: &[(Status, bool)]) -> String {
    let mut summary = Summary::default();
    for (i, &(status, counted)) in statuses.iter().enumerate() {
        let mut r = results()[0].clone();
        r.id = format!("tcp-server/s{i}");
        r.status = status;
        r.counted = counted;
        summary.add(&r);
    }
    let mut out = Vec::new();
    let mut reporter = Human::new(&mut out, pinned());
    reporter
        .event(&Event::RunFinished {
            summary,
            wall: Duration::ZERO,
            peak_rss_kb: None,
        })
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_verdict_line_says_what_the_exit_code_means() {
    assert_eq!(
        verdict(&[(Status::Pass, true), (Status::Skip, true)]),
        "1 passed, 0 failed, 0 errors, 1 skipped — points 1/1\n\
         PASSED: every counted scenario passed (exit code 0)\n"
    );
    assert_eq!(
        verdict(&[(Status::Pass, true), (Status::Fail, false)]),
        "1 passed, 0 failed, 0 errors, 0 skipped, 1 warning — points 1/1\n\
         PASSED with 1 warning: recommended scenarios that fail count only under --strict (exit code 0)\n"
    );
    assert_eq!(
        verdict(&[(Status::Fail, true), (Status::Fail, true)]),
        "0 passed, 2 failed, 0 errors, 0 skipped — points 0/2\n\
         FAILED: 2 counted scenarios failed; the first failure above is the place to start (exit code 1)\n"
    );
    assert_eq!(
        verdict(&[(Status::Skip, true)]),
        "0 passed, 0 failed, 0 errors, 1 skipped\n\
         NOTHING CHECKED: no scenario applied to this contract (exit code 0)\n"
    );
}

#[test]
fn the_verdict_line_never_lets_a_flaky_scenario_pass_unmentioned() {
    assert_eq!(
        verdict(&[(Status::Pass, true), (Status::Flaky, true)]),
        "1 passed, 1 flaky, 0 failed, 0 errors, 0 skipped — points 2/2\n\
         PASSED with 1 flaky scenario: flaky scenarios passed on some tries only and earn \
         their points, but review them for a race (or a loaded machine) (exit code 0)\n"
    );
    assert_eq!(
        verdict(&[(Status::Flaky, true)]).lines().nth(1).unwrap(),
        "PASSED with 1 flaky scenario: flaky scenarios passed on some tries only and earn \
         their points, but review them for a race (or a loaded machine) (exit code 0)",
        "a run of flaky scenarios only did check something"
    );
    assert_eq!(
        verdict(&[(Status::Flaky, true), (Status::Fail, false)])
            .lines()
            .nth(1)
            .unwrap(),
        "PASSED with 1 warning and 1 flaky scenario: recommended scenarios that fail count \
         only under --strict; flaky scenarios passed on some tries only and earn their \
         points, but review them for a race (or a loaded machine) (exit code 0)"
    );
    assert_eq!(
        verdict(&[
            (Status::Flaky, true),
            (Status::Flaky, true),
            (Status::Fail, true)
        ]),
        "0 passed, 2 flaky, 1 failed, 0 errors, 0 skipped — points 2/3\n\
         FAILED: 1 counted scenario failed; the first failure above is the place to start; \
         2 flaky scenarios to review (exit code 1)\n"
    );
}

#[test]
fn a_flaky_scenario_shows_its_pass_rate_and_the_failed_try() {
    let text = human(pinned());
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("FLAKY"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        block[0],
        "FLAKY  udp-server/burst                A burst of datagrams gets one reply each (passed 1 of 2 tries)"
    );
    // The reason of the failed try, without repeating the pass rate.
    assert_eq!(
        block[1],
        "       the first failed: no reply 4 of 4 within 2.0 s"
    );
    for evidence in [
        "at step 3 (scenarios/udp-server/burst.yaml:11): expect 4 replies on a",
        "sent:      \"m4\" (2 bytes)",
        "target:    running — python3 udp_server.py 40003",
        "  | got b'm3'",
        "why it matters:",
    ] {
        assert!(
            block
                .iter()
                .any(|l| l.trim_start().starts_with(evidence.trim_start())),
            "{evidence}\n{text}"
        );
    }
    assert!(
        !text.contains("PASS   udp-server/burst"),
        "flaky is never a pass"
    );
}

#[test]
fn every_event_of_the_run_is_accepted_in_any_order_of_finishing() {
    // Parallel runs finish scenarios in any order; the human report streams
    // them as they come and still ends with the same summary.
    let mut shuffled = events();
    let last = shuffled.len() - 1;
    shuffled[1..last].reverse();
    let mut out = Vec::new();
    let mut reporter = Human::new(&mut out, pinned());
    for e in &shuffled {
        reporter.event(e).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    let tail = |t: &str| {
        t.lines()
            .rev()
            .take(2)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(tail(&text), tail(&human(pinned())));
}

/// The block of one scenario: its verdict line and what follows, up to the
/// blank line.
fn block<'a>(text: &'a str, id: &str) -> Vec<&'a str> {
    text.lines()
        .skip_while(|l| !l.contains(&format!(" {id} ")))
        .take_while(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_timeline_is_shown_when_asked_for_or_verbose() {
    let plain = diagnosed(pinned());
    assert!(!plain.contains("timeline:"), "{plain}");
    assert!(!plain.contains("harness a connected"), "{plain}");
    let verbose = diagnosed(HumanOptions {
        verbose: true,
        ..pinned()
    });
    assert!(verbose.contains("timeline:"), "{verbose}");
    let asked = explained(Lang::En);
    let lines = block(&asked, "tcp-server/peer-exit");
    let start = lines.iter().position(|l| l.trim() == "timeline:").unwrap();
    assert_eq!(
        lines[start + 1..start + 7],
        [
            "            0 ms  program   started: python3 server.py 40001",
            "           98 ms  program   listening on 127.0.0.1:40001",
            "          101 ms  harness a connected",
            "          102 ms  harness a → \"hello\\n\" (6 bytes)",
            "          103 ms  harness a ← \"Thanks\" (6 bytes)",
            "          104 ms  harness a closed (FIN)",
        ]
    );
    // Without a timeline nothing else changes.
    let without: Vec<&str> = lines[..start]
        .iter()
        .chain(lines[start + 10..].iter())
        .copied()
        .collect();
    assert_eq!(without, block(&plain, "tcp-server/peer-exit"));
}

#[test]
fn diagnoses_follow_the_evidence_and_the_hint_ends_the_block() {
    let text = explained(Lang::En);
    let lines = block(&text, "tcp-server/client-gone");
    let at = |heading: &str| {
        lines
            .iter()
            .position(|l| l.trim() == heading)
            .unwrap_or_else(|| panic!("{heading}\n{text}"))
    };
    let target = lines
        .iter()
        .position(|l| l.trim_start().starts_with("target:"))
        .unwrap();
    assert!(at("diagnosis:") < target);
    assert!(target < at("why it matters:"));
    assert!(at("why it matters:") < at("what to change:"));
    assert!(
        lines[at("diagnosis:") + 1]
            .trim_start()
            .starts_with("- BrokenPipeError at server.py, line 18: conn.send(data) — ")
    );
}

#[test]
fn the_hint_is_shown_only_when_the_scenario_has_one() {
    for lang in [Lang::En, Lang::Zh] {
        let text = explained(lang);
        let heading = if lang == Lang::En {
            "what to change:"
        } else {
            "怎么改："
        };
        assert!(
            block(&text, "tcp-server/pieces")
                .iter()
                .any(|l| l.trim() == heading)
        );
        assert!(
            !block(&text, "http-server/empty-request")
                .iter()
                .any(|l| l.trim() == heading),
            "no hint given, no heading"
        );
        // An error could not be carried out: neither the lesson nor the fix
        // of the scenario applies, but what the runner found does.
        let error = block(&text, "tcp-server/reply-port");
        assert!(!error.iter().any(|l| l.trim() == heading), "{error:?}");
        assert!(error.iter().any(|l| l.contains("40001")), "{error:?}");
    }
    // The plain run has no hints, diagnoses or timelines: its English is
    // what it was before there were any.
    let plain = human(pinned());
    assert!(!plain.contains("what to change:") && !plain.contains("diagnosis:"));
}

#[test]
fn chinese_says_everything_of_its_own_in_chinese() {
    let text = explained(Lang::Zh);
    for english in [
        "why it matters",
        "what to change",
        "diagnosis:",
        "timeline:",
        "expected:",
        "received:",
        "sent:",
        "target:",
        "(nothing)",
        " bytes)",
        "at step",
        "exit code",
        "is blocked in",
        "spinning at",
        "started:",
        "listening on",
        "nothing came",
        "harness a",
    ] {
        assert!(!text.contains(english), "{english:?} in:\n{text}");
    }
    for chinese in [
        "诊断：",
        "时间线：",
        "知识点：",
        "怎么改：",
        "退出码 2",
        "得分 1/12",
    ] {
        assert!(text.contains(chinese), "{chinese:?} not in:\n{text}");
    }
}

#[test]
fn explained_prose_fits_80_columns_in_both_languages() {
    for lang in [Lang::En, Lang::Zh] {
        for line in explained(lang).lines() {
            let columns = unicode_columns(line);
            let exempt = ["PASS", "FAIL", "WARN", "ERROR", "SKIP", "FLAKY"]
                .iter()
                .any(|l| line.starts_with(l))
                || ["at step", "第 ", "| ", "通过 ", "出错：", "sockspec"]
                    .iter()
                    .any(|l| line.trim_start().starts_with(l));
            if !exempt {
                assert!(columns <= 80, "{columns} columns: {line}");
            }
        }
    }
}

#[test]
fn a_missing_file_is_said_in_full_once_and_named_after() {
    let said = |options: HumanOptions| {
        let mut out = Vec::new();
        let mut human = Human::new(&mut out, options);
        for e in missing_file_events() {
            human.event(&e).unwrap();
        }
        drop(human);
        String::from_utf8(out).unwrap()
    };
    let en = said(pinned());
    assert_eq!(
        en.matches("the submission has no tcp_server.py (").count(),
        1,
        "{en}"
    );
    assert_eq!(
        en.matches("the submission has no tcp_client.py (").count(),
        1,
        "{en}"
    );
    assert_eq!(
        en.matches("as in tcp-server/reply: the submission has no tcp_server.py\n")
            .count(),
        2,
        "{en}"
    );
    let zh = said(HumanOptions {
        lang: Lang::Zh,
        ..pinned()
    });
    assert_eq!(
        zh.matches("同 tcp-server/reply：提交的作业里没有 tcp_server.py\n")
            .count(),
        2,
        "{zh}"
    );
    // --verbose keeps every block whole.
    let whole = said(HumanOptions {
        verbose: true,
        ..pinned()
    });
    assert_eq!(
        whole
            .matches("the submission has no tcp_server.py (")
            .count(),
        3,
        "{whole}"
    );
}

/// With durations, the summary says how often programs were started and
/// how many starts sharing saved: a server handed to the next scenario,
/// or a client typed the next property case.
#[test]
fn the_summary_counts_the_starts_sharing_saved_in_both_languages() {
    let mut shared = results()[0].clone();
    (shared.status, shared.shared, shared.starts) = (Status::Pass, true, 0);
    let mut client = results()[0].clone();
    (
        client.id,
        client.status,
        client.starts,
        client.cases_went_on,
    ) = ("udp-client/datagram-lines".into(), Status::Pass, 1, 9);
    let mut summary = Summary::default();
    summary.add(&shared);
    summary.add(&client);
    let line = |lang| {
        let mut out = Vec::new();
        Human::new(
            &mut out,
            HumanOptions {
                lang,
                durations: true,
                ..pinned()
            },
        )
        .event(&Event::RunFinished {
            summary,
            wall: Duration::from_millis(1300),
            peak_rss_kb: None,
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let en = line(Lang::En);
    assert!(
        en.contains(
            "— 1.3 s, 1 program start (10 saved: an idle program served the next scenario or case)"
        ),
        "{en}"
    );
    let zh = line(Lang::Zh);
    assert!(
        zh.contains("启动程序 1 次（省下 10 次：空闲的程序接着用于下一个场景或用例）"),
        "{zh}"
    );
}
