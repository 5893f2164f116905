//! The JUnit report: well-formed (quick-junit reads it back), with the
//! elements and attributes CI systems look for, pinned whole in
//! tests/snapshots/junit.xml.

mod common;

use common::{check_snapshot, render, render_diagnosed};
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use sockspec_report::{Junit, Lang};

fn xml() -> String {
    let mut out = Vec::new();
    render(Junit::new(&mut out));
    String::from_utf8(out).unwrap()
}

#[test]
fn junit_report_snapshot() {
    check_snapshot("junit.xml", &xml());
}

#[test]
fn it_is_well_formed_and_counts_match() {
    let report = Report::deserialize_from_str(&xml()).expect("well-formed JUnit XML");
    assert_eq!(report.name.as_ref().map(|n| n.as_str()), Some("sockspec"));
    assert_eq!(report.tests, 7);
    assert_eq!(report.failures, 2, "a flaky scenario is not a failure");
    assert_eq!(report.errors, 1);
    assert_eq!(report.test_suites.len(), 2);
    let suite = &report.test_suites[0];
    assert_eq!(suite.name.as_str(), "tcp-server");
    let case = |name: &str| {
        suite
            .test_cases
            .iter()
            .find(|c| c.name.as_str() == name)
            .unwrap_or_else(|| panic!("no test case {name}"))
    };
    let peer_exit = case("tcp-server/peer-exit");
    assert_eq!(peer_exit.classname.as_ref().unwrap().as_str(), "tcp-server");
    match &peer_exit.status {
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Failure,
            message,
            description,
            ..
        } => {
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                "the connection was reset before the reply arrived"
            );
            let text = description.as_ref().unwrap().as_str();
            assert!(text.contains("received:  nothing (0 bytes)"), "{text}");
            assert!(text.contains("why it matters:"), "{text}");
        }
        other => panic!("peer-exit should fail: {other:?}"),
    }
    assert!(matches!(
        case("tcp-server/restart").status,
        TestCaseStatus::NonSuccess {
            kind: NonSuccessKind::Error,
            ..
        }
    ));
    assert!(matches!(
        case("tcp-server/reply").status,
        TestCaseStatus::Success { .. }
    ));
    for skipped in ["tcp-server/sticky-split", "tcp-server/non-utf8"] {
        assert!(
            matches!(case(skipped).status, TestCaseStatus::Skipped { .. }),
            "{skipped}"
        );
    }
}

#[test]
fn it_has_the_elements_ci_systems_read() {
    let xml = xml();
    for needle in [
        r#"<testsuites name="sockspec" tests="7" skipped="2" failures="2" errors="1" time="1.300">"#,
        r#"<testsuite name="tcp-server" tests="6""#,
        r#"<testsuite name="udp-server" tests="1" skipped="0" errors="0" failures="0">"#,
        r#"<property name="target" value="python3 server.py {port}"/>"#,
        r#"<testcase name="tcp-server/peer-exit" classname="tcp-server" time="0.012">"#,
        r#"<failure message="the connection was reset before the reply arrived">"#,
        r#"<error message="the target exited with code 1 before it listened on TCP port 40001">"#,
        r#"<skipped message="applies to framing line/len32 only; the contract says none"/>"#,
        r#"<skipped message="recommended, not counted: the target is no longer running: it exited with code 1">"#,
        "<system-err>Traceback (most recent call last):",
        "<system-out>received b&apos;message 1&apos;",
    ] {
        assert!(xml.contains(needle), "missing {needle}\n{xml}");
    }
    // The colour code the target printed cannot be carried by XML 1.0.
    assert!(!xml.contains('\x1b'));
}

#[test]
fn a_flaky_scenario_is_a_success_with_its_failed_try_recorded() {
    let xml = xml();
    let report = Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    let suite = &report.test_suites[1];
    assert_eq!(suite.name.as_str(), "udp-server");
    let case = &suite.test_cases[0];
    assert_eq!(case.name.as_str(), "udp-server/burst");
    let TestCaseStatus::Success { flaky_runs } = &case.status else {
        panic!("a flaky scenario passes in CI: {:?}", case.status);
    };
    assert_eq!(flaky_runs.len(), 1);
    let run = &flaky_runs[0];
    assert_eq!(run.kind, NonSuccessKind::Failure);
    assert_eq!(
        run.message.as_ref().unwrap().as_str(),
        "flaky: passed 1 of 2 tries; the first failed: no reply 4 of 4 within 2.0 s"
    );
    let trace = run.stack_trace.as_ref().unwrap().as_str();
    assert!(
        trace.starts_with("the first failed: no reply 4 of 4 within 2.0 s\n"),
        "{trace}"
    );
    assert!(trace.contains("expected:  exactly \"Thanks\""), "{trace}");
    assert!(trace.contains("why it matters:"), "{trace}");
    // The failed try's output is with the failed try, not on the test case.
    assert!(
        run.system_out
            .as_ref()
            .unwrap()
            .as_str()
            .contains("got b'm3'")
    );
    assert!(case.system_out.is_none());
    // Surefire's element, with the type its schema requires.
    assert!(
        xml.contains(r#"<flakyFailure message="flaky: passed 1 of 2 tries; the first failed: no reply 4 of 4 within 2.0 s" type="failed try">"#),
        "{xml}"
    );
    assert!(xml.contains("<stackTrace>the first failed:"), "{xml}");
}

/// The failure text of `id` in the diagnosed run, in `lang`.
fn description(lang: Lang, id: &str) -> String {
    let mut out = Vec::new();
    render_diagnosed(Junit::new(&mut out).with_lang(lang));
    let report = Report::deserialize_from_str(std::str::from_utf8(&out).unwrap()).unwrap();
    let case = report
        .test_suites
        .iter()
        .flat_map(|s| &s.test_cases)
        .find(|c| c.name.as_str() == id)
        .unwrap_or_else(|| panic!("no {id}"));
    match &case.status {
        TestCaseStatus::NonSuccess { description, .. } => description.as_ref().unwrap().to_string(),
        other => panic!("{id}: {other:?}"),
    }
}

#[test]
fn a_failure_explains_itself_in_the_language_asked_for() {
    let en = description(Lang::En, "tcp-server/pieces");
    for part in [
        "diagnosis:",
        "  - the server is blocked in recv() on",
        "127.0.0.1:40001 ← 127.0.0.1:51234",
        "what to change:",
        "  Keep what recv() returns in a buffer",
    ] {
        assert!(en.contains(part), "{part:?} not in:\n{en}");
    }
    assert!(!en.contains("timeline:"), "CI pages get no timeline: {en}");
    let zh = description(Lang::Zh, "tcp-server/pieces");
    for part in [
        "诊断：",
        "  - 服务端阻塞在 recv() 上",
        "知识点：",
        "怎么改：",
        "发送：     \"hello\\n\"（6 字节）",
    ] {
        assert!(zh.contains(part), "{part:?} not in:\n{zh}");
    }
    // The plain report is the English it always was.
    assert_eq!(
        description(Lang::En, "tcp-server/client-gone")
            .lines()
            .nth(2),
        Some("diagnosis:")
    );
}
