//! The JSON report: every field of the contract in DESIGN.md, checked on the
//! parsed document, and the whole document pinned in
//! tests/snapshots/report.json (and, for the diagnosed run, in
//! tests/snapshots/report-diagnosed.json).

mod common;

use common::{check_snapshot, events, render, render_diagnosed};
use serde_json::{Value, json};
use sockspec_report::{Json, Reporter};

fn document() -> (String, Value) {
    let mut out = Vec::new();
    render(Json::new(&mut out));
    let text = String::from_utf8(out).unwrap();
    let doc = serde_json::from_str(&text).unwrap();
    (text, doc)
}

fn diagnosed_document() -> (String, Value) {
    let mut out = Vec::new();
    render_diagnosed(Json::new(&mut out));
    let text = String::from_utf8(out).unwrap();
    let doc = serde_json::from_str(&text).unwrap();
    (text, doc)
}

fn result<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

#[test]
fn json_report_snapshot() {
    check_snapshot("report.json", &document().0);
}

#[test]
fn top_level_and_summary_fields() {
    let (_, doc) = document();
    assert_eq!(doc["target"], "python3 server.py {port}");
    assert_eq!(doc["contract"], "--reply fixed:Thanks --framing none");
    assert_eq!(doc["duration_ms"], 1300);
    assert_eq!(
        doc["summary"],
        json!({
            "passed": 1, "failed": 3, "errors": 1, "skipped": 1, "flaky": 1, "not_built": 0,
            "counted_failed": 2, "points": 3, "points_possible": 7,
            "starts": 7, "starts_saved": 0, "exit_code": 2,
        })
    );
    assert_eq!(doc["builds"], json!([]), "no builds: an empty list");
}

#[test]
fn results_are_sorted_by_id() {
    let (_, doc) = document();
    let ids: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "tcp-server/echo-stream",
            "tcp-server/non-utf8",
            "tcp-server/peer-exit",
            "tcp-server/reply",
            "tcp-server/restart",
            "tcp-server/sticky-split",
            "udp-server/burst",
        ]
    );
}

#[test]
fn a_pass_has_every_field_and_a_null_failure() {
    let (_, doc) = document();
    let r = result(&doc, "tcp-server/reply");
    assert_eq!(r["role"], "tcp-server");
    assert_eq!(r["level"], "required");
    assert_eq!(r["status"], "pass");
    assert_eq!(r["duration_ms"], 12);
    assert_eq!(r["message"], "");
    assert_eq!(r["counted"], true);
    assert_eq!(r["points"], 1);
    assert_eq!(
        r["title"],
        "The server answers a client's message as the contract says"
    );
    assert_eq!(r["file"], "scenarios/tcp-server/reply.yaml");
    assert_eq!(r["attempts"], 1);
    assert_eq!(r["passes"], 1);
    assert_eq!(r["pass_rate"], 1.0);
    assert!(r["failure"].is_null());
}

#[test]
fn a_flaky_result_has_its_pass_rate_and_the_failed_try() {
    let (_, doc) = document();
    let r = result(&doc, "udp-server/burst");
    assert_eq!(r["status"], "flaky");
    assert_eq!(r["role"], "udp-server");
    assert_eq!(r["attempts"], 2);
    assert_eq!(r["passes"], 1);
    assert_eq!(r["pass_rate"], 0.5);
    assert_eq!(r["points"], 2);
    // The runner's message, whole; the evidence of the try that failed.
    assert_eq!(
        r["message"],
        "flaky: passed 1 of 2 tries; the first failed: no reply 4 of 4 within 2.0 s"
    );
    assert_eq!(r["failure"]["step_text"], "expect 4 replies on a");
    assert_eq!(r["failure"]["target"]["state"], "running");
}

#[test]
fn every_result_has_the_fields_of_the_contract_and_the_retry_fields() {
    // DESIGN.md: extended, never broken. Every result keeps the promised
    // fields, and gains attempts, passes and pass_rate.
    let (_, doc) = document();
    for r in doc["results"].as_array().unwrap() {
        for key in [
            "id",
            "role",
            "level",
            "status",
            "duration_ms",
            "message",
            "attempts",
            "passes",
            "pass_rate",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
        let status = r["status"].as_str().unwrap();
        assert!(
            ["pass", "fail", "error", "skip", "flaky"].contains(&status),
            "{status}"
        );
        if status == "skip" {
            assert!(r["pass_rate"].is_null(), "a skip was never played: {r}");
        } else {
            let rate = r["pass_rate"].as_f64().unwrap();
            let expected = r["passes"].as_f64().unwrap() / r["attempts"].as_f64().unwrap();
            assert_eq!(rate, expected, "{r}");
        }
    }
}

#[test]
fn a_failure_carries_the_evidence_and_the_target() {
    let (_, doc) = document();
    let r = result(&doc, "tcp-server/peer-exit");
    assert_eq!(r["status"], "fail");
    assert_eq!(
        r["message"],
        "the connection was reset before the reply arrived"
    );
    assert_eq!(r["points"], 2);
    assert!(r["concept"].as_str().unwrap().contains("b''"));
    let f = &r["failure"];
    assert_eq!(f["step"], 7);
    assert_eq!(f["step_text"], "expect a reply on b");
    assert_eq!(f["line"], 17);
    assert_eq!(f["sent"], "are you still there?");
    assert_eq!(f["sent_hex"], hex(b"are you still there?"));
    assert_eq!(f["expected"], "exactly \"Thanks\" (reply rule fixed)");
    assert_eq!(f["received"], "");
    assert_eq!(f["received_hex"], "");
    let t = &f["target"];
    assert_eq!(t["command"], "python3 server.py 40001");
    assert_eq!(t["state"], "exited with code 1");
    assert!(
        t["stderr"]
            .as_str()
            .unwrap()
            .starts_with("Traceback (most recent call last):")
    );
    assert!(
        t["stdout"]
            .as_str()
            .unwrap()
            .contains("received b'message 1'\n")
    );
}

#[test]
fn bytes_that_are_not_utf8_are_hex_and_exact() {
    let (_, doc) = document();
    let f = &result(&doc, "tcp-server/echo-stream")["failure"];
    assert_eq!(f["sent"], "你好");
    assert_eq!(f["received"], "hex e4bda0e5");
    assert_eq!(f["received_hex"], "e4bda0e5");
    assert!(f["target"].is_null());
}

#[test]
fn nothing_is_shortened_for_tools() {
    let (_, doc) = document();
    let r = result(&doc, "tcp-server/non-utf8");
    assert_eq!(r["level"], "recommended");
    assert_eq!(r["counted"], false);
    assert_eq!(r["failure"]["sent"], "你".repeat(100));
    assert!(r["failure"]["received"].is_null());
    assert!(r["failure"]["received_hex"].is_null());
}

#[test]
fn error_and_skip() {
    let (_, doc) = document();
    let e = result(&doc, "tcp-server/restart");
    assert_eq!(e["status"], "error");
    assert_eq!(e["failure"]["step"], 0);
    assert!(
        e["failure"]["target"]["stderr"]
            .as_str()
            .unwrap()
            .contains("SyntaxError")
    );
    let s = result(&doc, "tcp-server/sticky-split");
    assert_eq!(s["status"], "skip");
    assert_eq!(
        s["message"],
        "applies to framing line/len32 only; the contract says none"
    );
}

#[test]
fn nothing_is_written_before_the_run_ends() {
    let mut out = Vec::new();
    let mut reporter = Json::new(&mut out);
    let events = events();
    for e in &events[..events.len() - 1] {
        reporter.event(e).unwrap();
    }
    drop(reporter);
    assert!(out.is_empty());
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn json_report_with_diagnoses_snapshot() {
    check_snapshot("report-diagnosed.json", &diagnosed_document().0);
}

#[test]
fn every_result_has_concept_zh_and_a_hint_in_both_languages() {
    for (_, doc) in [document(), diagnosed_document()] {
        for r in doc["results"].as_array().unwrap() {
            assert!(r["concept_zh"].is_string(), "{r}");
            assert!(
                r["hint"]["en"].is_string() && r["hint"]["zh"].is_string(),
                "{r}"
            );
            if let Some(f) = r["failure"].as_object() {
                assert!(f["diagnoses"].is_array() && f["timeline"].is_array(), "{r}");
            }
        }
    }
    let (_, doc) = diagnosed_document();
    let r = result(&doc, "tcp-server/peer-exit");
    assert!(r["concept_zh"].as_str().unwrap().contains("空字节串 b''"));
    assert!(
        r["hint"]["en"]
            .as_str()
            .unwrap()
            .starts_with("When recv() returns b''")
    );
    assert!(
        r["hint"]["zh"]
            .as_str()
            .unwrap()
            .contains("跳出这个客户端的循环")
    );
}

#[test]
fn a_diagnosis_carries_its_facts_and_its_sentence_in_both_languages() {
    let (_, doc) = diagnosed_document();
    let d = &result(&doc, "tcp-server/pieces")["failure"]["diagnoses"][0];
    assert_eq!(
        d,
        &json!({
            "kind": "blocked",
            "call": "recv",
            "syscall": null,
            "socket": {
                "proto": "tcp",
                "local": "127.0.0.1:40001",
                "peer": "127.0.0.1:51234",
                "rx_queue": 0,
                "tx_queue": 0,
                "state": "ESTABLISHED",
            },
            "text": {
                "en": "the server is blocked in recv() on 127.0.0.1:40001 ← 127.0.0.1:51234; \
                       nothing is queued either way: both ends are waiting to receive (the \
                       notes: prevent both ends from blocking — pair recv and send)",
                "zh": "服务端阻塞在 recv() 上（127.0.0.1:40001 ← 127.0.0.1:51234），\
                       双方缓冲区都是空的：两端都在等对方发消息（笔记：防止两端都阻塞，\
                       recv 和 send 要配合使用）",
            },
        })
    );
}

#[test]
fn each_kind_of_diagnosis_has_its_fields() {
    let (_, doc) = diagnosed_document();
    let first = |id: &str| result(&doc, id)["failure"]["diagnoses"][0].clone();
    let kinds = [
        (
            "tcp-server/peer-exit",
            "spinning",
            &["cpu_percent", "window_ms", "after_peer_closed"][..],
        ),
        (
            "tcp-server/close-each",
            "leaking_sockets",
            &["counts", "close_wait"],
        ),
        (
            "tcp-server/client-gone",
            "exception",
            &["class", "detail", "at", "code"],
        ),
        (
            "tcp-server/reply-port",
            "bound",
            &["addr", "problem", "expected_port"],
        ),
        (
            "tcp-server/second-message",
            "blocked",
            &["call", "syscall", "socket"],
        ),
    ];
    for (id, kind, fields) in kinds {
        let d = first(id);
        assert_eq!(d["kind"], kind, "{id}: {d}");
        for f in fields {
            assert!(d.get(f).is_some(), "{id}: {f} missing in {d}");
        }
        assert!(
            d["text"]["en"].as_str().is_some_and(|t| !t.is_empty()),
            "{d}"
        );
        assert!(
            d["text"]["zh"].as_str().is_some_and(|t| !t.is_empty()),
            "{d}"
        );
    }
    assert_eq!(first("tcp-server/peer-exit")["window_ms"], 2000);
    assert_eq!(first("tcp-server/close-each")["counts"], json!([3, 4, 5]));
    assert_eq!(first("tcp-server/client-gone")["class"], "BrokenPipeError");
    assert_eq!(first("tcp-server/reply-port")["problem"], "wrong_port");
    assert_eq!(first("tcp-server/reply-port")["expected_port"], 40001);
    let all = first("broadcast-receiver/all-addresses");
    assert_eq!(all["problem"], "not_all_addresses");
    assert!(all["expected_port"].is_null());
    assert_eq!(
        first("tcp-server/second-message")["socket"]["peer"],
        Value::Null
    );
    assert_eq!(first("tcp-client/each-line")["call"], "read_stdin");
}

#[test]
fn a_timeline_entry_has_its_time_actor_what_and_text() {
    let (_, doc) = diagnosed_document();
    let timeline = result(&doc, "tcp-server/peer-exit")["failure"]["timeline"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(timeline.len(), 9);
    assert_eq!(
        timeline[3],
        json!({
            "at_ms": 102,
            "actor": { "kind": "harness", "name": "a" },
            "what": { "kind": "sent", "bytes": "hello\n", "bytes_hex": "68656c6c6f0a", "len": 6 },
            "text": { "en": "harness a → \"hello\\n\" (6 bytes)", "zh": "测试端 a 发送 \"hello\\n\"（6 字节）" },
        })
    );
    assert_eq!(
        timeline[0]["actor"],
        json!({ "kind": "target" }),
        "the program is the target, as in failure.target"
    );
    assert_eq!(timeline[0]["what"]["command"], "python3 server.py 40001");
    assert_eq!(timeline[5]["what"], json!({ "kind": "closed" }));
    assert_eq!(timeline[5]["text"]["en"], "harness a closed (FIN)");
    assert_eq!(
        timeline[8]["what"],
        json!({ "kind": "waited", "what": "expect a reply on b", "waited_ms": 2000 })
    );
    assert_eq!(
        timeline[8]["actor"],
        json!({ "kind": "harness", "name": "" })
    );
    assert_eq!(
        timeline[8]["text"],
        json!({
            "en": "harness waited 2.0 s for a reply on b: nothing came",
            "zh": "测试端等待 b 上的回复：2.0 秒内没有等到",
        })
    );
}
