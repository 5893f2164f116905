//! The Autolab report: the human report without colour, then the
//! autoresult as the last line (one score per role, and the scoreboard
//! row); the whole output pinned in tests/snapshots/autolab.txt.

mod common;

use std::time::Duration;

use common::{check_snapshot, render, render_diagnosed, results};
use serde_json::{Value, json};
use sockspec_model::Role;
use sockspec_report::{Autolab, Lang, Reporter};
use sockspec_results::{Event, Status, Summary};

fn output() -> String {
    let mut out = Vec::new();
    render(Autolab::new(&mut out));
    String::from_utf8(out).unwrap()
}

fn last_line(text: &str) -> Value {
    let line = text.lines().last().unwrap();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn autolab_report_snapshot() {
    check_snapshot("autolab.txt", &output());
}

#[test]
fn the_last_line_scores_each_role_and_fills_the_scoreboard() {
    let text = output();
    assert!(text.ends_with("}\n"), "{text}");
    assert_eq!(
        last_line(&text),
        json!({"scores": {"tcp-server": 1, "udp-server": 2}, "scoreboard": [3, 1, 2]})
    );
}

#[test]
fn the_human_report_comes_first_without_colour() {
    let text = output();
    assert!(text.starts_with("sockspec: 7 scenarios against python3 server.py {port}\n"));
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.contains("\nFLAKY  udp-server/burst"), "{text}");
    let verdict = text.lines().rev().nth(1).unwrap();
    assert!(
        verdict.starts_with("ERROR: 1 scenario could not be carried out"),
        "{verdict}"
    );
}

#[test]
fn roles_follow_the_notes_and_a_role_without_points_scores_zero() {
    // broadcast-receiver sorts before tcp-server by name, but comes after it
    // in the notes; all its scenarios failed, and it still gets a score.
    let mut rs = results();
    let mut late = rs[1].clone();
    late.id = "broadcast-receiver/shared-port".into();
    late.role = Role::BroadcastReceiver;
    rs.push(late);
    let mut summary = Summary::default();
    let mut events = vec![Event::RunStarted {
        total: rs.len(),
        target: "t".into(),
        contract: "c".into(),
    }];
    for r in rs {
        summary.add(&r);
        events.push(Event::ScenarioFinished(Box::new(r)));
    }
    events.push(Event::RunFinished {
        summary,
        wall: Duration::ZERO,
        peak_rss_kb: None,
    });
    let mut out = Vec::new();
    let mut reporter = Autolab::new(&mut out);
    for e in &events {
        reporter.event(e).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    let line = text.lines().last().unwrap();
    assert_eq!(
        line,
        r#"{"scores":{"tcp-server":1,"udp-server":2,"broadcast-receiver":0},"scoreboard":[3,1,2,0]}"#
    );
}

#[test]
fn a_recommended_scenario_earns_nothing_even_when_it_passes() {
    let mut r = results()[0].clone();
    r.counted = false;
    assert_eq!(r.status, Status::Pass);
    let mut summary = Summary::default();
    summary.add(&r);
    let mut out = Vec::new();
    let mut reporter = Autolab::new(&mut out);
    for e in [
        Event::ScenarioFinished(Box::new(r)),
        Event::RunFinished {
            summary,
            wall: Duration::ZERO,
            peak_rss_kb: None,
        },
    ] {
        reporter.event(&e).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        last_line(&text),
        json!({"scores": {"tcp-server": 0}, "scoreboard": [0, 0]})
    );
}

#[test]
fn the_feedback_is_in_the_language_asked_for_and_the_scores_are_not() {
    let mut out = Vec::new();
    render_diagnosed(Autolab::new(&mut out).with_lang(Lang::Zh));
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("sockspec：对 python3 server.py {port} 运行 12 项测试\n"),
        "{text}"
    );
    assert!(
        text.contains("诊断：\n         - 服务端阻塞在 recv() 上"),
        "{text}"
    );
    assert!(text.contains("怎么改："), "{text}");
    assert!(
        !text.contains("时间线："),
        "no timeline unless asked: {text}"
    );
    assert_eq!(
        last_line(&text),
        json!({
            "scores": { "tcp-server": 1, "tcp-client": 0, "broadcast-receiver": 0, "http-server": 0 },
            "scoreboard": [1, 1, 0, 0, 0],
        })
    );
}
