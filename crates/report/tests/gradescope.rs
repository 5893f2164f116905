//! The Gradescope report: the fields of Gradescope's autograder
//! specification and no others, the points of each kind of verdict, and
//! the whole document pinned in tests/snapshots/gradescope.json.

mod common;

use common::{check_snapshot, events, render, render_diagnosed};
use serde_json::{Value, json};
use sockspec_report::{Gradescope, GradescopeOptions, Lang, Reporter};

fn document(options: GradescopeOptions) -> (String, Value) {
    let mut out = Vec::new();
    render(Gradescope::new(&mut out, options));
    let text = String::from_utf8(out).unwrap();
    let doc = serde_json::from_str(&text).unwrap();
    (text, doc)
}

fn test<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().unwrap().starts_with(&format!("{id} — ")))
        .unwrap_or_else(|| panic!("no test {id}"))
}

#[test]
fn gradescope_report_snapshot() {
    check_snapshot("gradescope.json", &document(GradescopeOptions::default()).0);
}

#[test]
fn only_fields_of_the_specification() {
    let (_, doc) = document(GradescopeOptions::default());
    let top = [
        "score",
        "execution_time",
        "output",
        "output_format",
        "test_output_format",
        "test_name_format",
        "visibility",
        "stdout_visibility",
        "extra_data",
        "tests",
        "leaderboard",
    ];
    for key in doc.as_object().unwrap().keys() {
        assert!(top.contains(&key.as_str()), "{key} is not in the spec");
    }
    let per_test = [
        "score",
        "max_score",
        "status",
        "name",
        "name_format",
        "number",
        "output",
        "output_format",
        "tags",
        "visibility",
        "extra_data",
    ];
    for t in doc["tests"].as_array().unwrap() {
        for key in t.as_object().unwrap().keys() {
            assert!(per_test.contains(&key.as_str()), "{key} is not in the spec");
        }
        assert!(["passed", "failed"].contains(&t["status"].as_str().unwrap()));
    }
    // Evidence quotes `<module>`: plain text, never HTML.
    assert_eq!(doc["output_format"], "text");
    assert_eq!(doc["test_output_format"], "text");
    assert_eq!(doc["test_name_format"], "text");
}

#[test]
fn the_score_is_the_points_of_passed_and_flaky_counted_scenarios() {
    let (_, doc) = document(GradescopeOptions::default());
    assert_eq!(doc["score"], 3);
    let sum: u64 = doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["score"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 3, "the top-level score is the tests' total");
    assert_eq!(doc["execution_time"], 1);
    assert_eq!(doc["extra_data"]["summary"]["points_possible"], 7);
    assert_eq!(doc["extra_data"]["summary"]["exit_code"], 2);
    assert_eq!(doc["extra_data"]["target"], "python3 server.py {port}");
}

#[test]
fn each_verdict_scores_as_a_student_should_see_it() {
    let (_, doc) = document(GradescopeOptions::default());
    let pass = test(&doc, "tcp-server/reply");
    assert_eq!(
        pass["name"],
        "tcp-server/reply — The server answers a client's message as the contract says"
    );
    assert_eq!((&pass["score"], &pass["max_score"]), (&json!(1), &json!(1)));
    assert_eq!(pass["status"], "passed");
    assert_eq!(pass["tags"], json!(["tcp-server", "required"]));
    assert!(pass.get("output").is_none(), "nothing to say: {pass}");

    let fail = test(&doc, "tcp-server/peer-exit");
    assert_eq!((&fail["score"], &fail["max_score"]), (&json!(0), &json!(2)));
    assert_eq!(fail["status"], "failed");
    let output = fail["output"].as_str().unwrap();
    assert!(
        output.starts_with("the connection was reset before the reply arrived\n"),
        "{output}"
    );
    for line in [
        "received:  nothing (0 bytes)",
        "stdout (last 15 of 20 lines):",
        "  |     conn.send(b'Thanks')",
        "why it matters:",
    ] {
        assert!(output.contains(line), "{line}\n{output}");
    }
    assert!(!output.contains('\x1b'), "no colour: {output}");

    let error = test(&doc, "tcp-server/restart");
    assert_eq!(
        (&error["score"], &error["max_score"]),
        (&json!(0), &json!(1))
    );
    assert_eq!(error["status"], "failed");

    let advice = test(&doc, "tcp-server/non-utf8");
    assert!(
        advice["name"]
            .as_str()
            .unwrap()
            .ends_with(" (recommended, no points)")
    );
    assert_eq!(
        (&advice["score"], &advice["max_score"]),
        (&json!(0), &json!(0))
    );
    assert_eq!(advice["status"], "failed");
    assert!(
        advice["output"]
            .as_str()
            .unwrap()
            .starts_with("recommended: shown as advice, it earns no points")
    );
    assert_eq!(advice["tags"], json!(["tcp-server", "recommended"]));
}

#[test]
fn a_flaky_scenario_earns_its_points_and_says_it_is_flaky() {
    let (_, doc) = document(GradescopeOptions::default());
    let flaky = test(&doc, "udp-server/burst");
    assert_eq!(
        flaky["name"],
        "udp-server/burst — A burst of datagrams gets one reply each (flaky: passed 1 of 2 tries)"
    );
    assert_eq!(
        (&flaky["score"], &flaky["max_score"]),
        (&json!(2), &json!(2))
    );
    assert_eq!(flaky["status"], "passed");
    assert_eq!(flaky["tags"], json!(["udp-server", "required", "flaky"]));
    let output = flaky["output"].as_str().unwrap();
    assert!(
        output.starts_with("FLAKY: passed 1 of 2 tries. It earns its points"),
        "{output}"
    );
    assert!(
        output.contains("\nthe first failed: no reply 4 of 4 within 2.0 s\n"),
        "{output}"
    );
    assert!(output.contains("expected:  exactly \"Thanks\""), "{output}");
    let overview = doc["output"].as_str().unwrap();
    assert!(
        overview.starts_with(
            "1 passed, 1 flaky, 2 failed, 1 error, 1 skipped, 1 warning — points 3/7\n"
        ),
        "{overview}"
    );
    assert!(overview.contains("1 flaky scenario passed on some tries only"));
}

#[test]
fn a_skipped_scenario_is_no_test_but_is_listed_with_its_reason() {
    let (_, doc) = document(GradescopeOptions::default());
    let names: Vec<&str> = doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(!names.iter().any(|n| n.contains("sticky-split")));
    let overview = doc["output"].as_str().unwrap();
    assert!(
        overview.ends_with(
            "not graded, as they do not apply to this contract:\n  \
             tcp-server/sticky-split: applies to framing line/len32 only; the contract says none"
        ),
        "{overview}"
    );
}

#[test]
fn tests_come_in_the_order_of_the_notes_then_by_id() {
    let (_, doc) = document(GradescopeOptions::default());
    let ids: Vec<&str> = doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().split(" — ").next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "tcp-server/echo-stream",
            "tcp-server/non-utf8",
            "tcp-server/peer-exit",
            "tcp-server/reply",
            "tcp-server/restart",
            "udp-server/burst",
        ]
    );
}

#[test]
fn visibility_applies_to_the_submission_and_each_test() {
    let (_, doc) = document(GradescopeOptions {
        visibility: "after_due_date".into(),
        ..Default::default()
    });
    assert_eq!(doc["visibility"], "after_due_date");
    for t in doc["tests"].as_array().unwrap() {
        assert_eq!(t["visibility"], "after_due_date");
    }
    assert!(doc.get("stdout_visibility").is_none());
    assert_eq!(GradescopeOptions::default().visibility, "visible");
    assert!(GradescopeOptions::VISIBILITIES.contains(&"after_published"));
}

#[test]
fn nothing_is_written_before_the_run_ends() {
    let mut out = Vec::new();
    let mut reporter = Gradescope::new(&mut out, GradescopeOptions::default());
    let events = events();
    for e in &events[..events.len() - 1] {
        reporter.event(e).unwrap();
    }
    drop(reporter);
    assert!(out.is_empty());
}

fn in_lang(lang: Lang, diagnosed: bool) -> Value {
    let mut out = Vec::new();
    let reporter = Gradescope::new(&mut out, GradescopeOptions::default()).with_lang(lang);
    if diagnosed {
        render_diagnosed(reporter);
    } else {
        render(reporter);
    }
    serde_json::from_str(std::str::from_utf8(&out).unwrap()).unwrap()
}

#[test]
fn a_test_output_carries_the_diagnosis_and_the_hint() {
    let doc = in_lang(Lang::En, true);
    let output = test(&doc, "tcp-server/peer-exit")["output"]
        .as_str()
        .unwrap();
    assert!(
        output.contains("diagnosis:\n  - the server is spinning at 100% CPU after the peer closed"),
        "{output}"
    );
    assert!(
        output.contains("what to change:\n  When recv() returns b''"),
        "{output}"
    );
    let doc = in_lang(Lang::Zh, true);
    let output = test(&doc, "tcp-server/peer-exit")["output"]
        .as_str()
        .unwrap();
    assert!(
        output.contains("诊断：\n  - 对方关闭连接后服务端占满 CPU 空转"),
        "{output}"
    );
    assert!(
        output.contains("怎么改：\n  recv() 返回 b'' 时跳出这个客户端的循环"),
        "{output}"
    );
    assert!(
        output.contains("知识点：\n  TCP 连接中一端退出时"),
        "{output}"
    );
}

#[test]
fn what_students_read_is_in_chinese_when_asked() {
    let doc = in_lang(Lang::Zh, false);
    let output = doc["output"].as_str().unwrap();
    assert!(
        output
            .starts_with("通过 1，不稳定 1，失败 2，出错 1，跳过 1，警告 1 — 得分 3/7\n被测程序："),
        "{output}"
    );
    assert!(
        output.contains("以下测试不适用于这个约定，不评分：\n  tcp-server/sticky-split: "),
        "{output}"
    );
    let flaky = test(&doc, "udp-server/burst");
    assert!(
        flaky["name"]
            .as_str()
            .unwrap()
            .ends_with("（不稳定：2 次尝试中通过 1 次）"),
        "{flaky}"
    );
    assert!(
        flaky["output"]
            .as_str()
            .unwrap()
            .starts_with("不稳定：2 次尝试中通过 1 次。"),
        "{flaky}"
    );
    let advice = test(&doc, "tcp-server/non-utf8");
    assert!(
        advice["name"]
            .as_str()
            .unwrap()
            .ends_with("（推荐项，不计分）"),
        "{advice}"
    );
    // The scores do not depend on the language.
    let en = in_lang(Lang::En, false);
    assert_eq!(doc["score"], en["score"]);
    for (a, b) in doc["tests"]
        .as_array()
        .unwrap()
        .iter()
        .zip(en["tests"].as_array().unwrap())
    {
        assert_eq!(
            (&a["score"], &a["max_score"], &a["status"]),
            (&b["score"], &b["max_score"], &b["status"])
        );
    }
}
