//! A submission that did not build, in every format: BUILD ERROR with the
//! compiler's own lines, said once, its scenarios not run (neither failures
//! of their own nor errors of the harness), nothing earned, exit code 1; in
//! English and in Chinese.

use std::time::Duration;

use sockspec_model::{Level, Localized, Role};
use sockspec_report::{
    Autolab, Gradescope, GradescopeOptions, Html, HtmlOptions, Human, HumanOptions, Json, Junit,
    Lang, Reporter,
};
use sockspec_results::{BuildReport, Ended, Event, ScenarioResult, Status, Summary};

const GCC: &str = "\
server.c: In function 'main':
server.c:14:17: error: expected ';' before 'while'
   14 |     listen(s, 5)
      |                 ^
      |                 ;
";

fn not_built(id: &str) -> ScenarioResult {
    ScenarioResult {
        id: format!("tcp-server/{id}"),
        title: id.into(),
        title_zh: String::new(),
        role: Role::TcpServer,
        level: Level::Required,
        counted: true,
        points: 2,
        status: Status::NotBuilt,
        duration: Duration::ZERO,
        why: None,
        concept: "a concept no one should read here".into(),
        concept_zh: String::new(),
        hint: Localized {
            en: "a hint no one should read here".into(),
            zh: String::new(),
        },
        file: String::new(),
        failure: None,
        attempts: 0,
        passes: 0,
        starts: 0,
        found: None,
        port_wait: None,
        limits_hit: Vec::new(),
        shared: false,
        replayed: false,
        cases_went_on: 0,
    }
}

fn events() -> Vec<Event> {
    let build = BuildReport {
        command: "gcc -Wall -o server server.c".into(),
        dir: "/hw/alice".into(),
        roles: vec![Role::TcpServer],
        ended: Some(Ended::Code(1)),
        deadline: Duration::from_secs(60),
        output: GCC.into(),
        duration: Duration::from_millis(310),
        not_started: None,
    };
    let results = [not_built("reply"), not_built("peer-exit")];
    let mut summary = Summary::default();
    let mut events = vec![
        Event::RunStarted {
            total: results.len(),
            target: "/hw/alice (Day 6 in C)".into(),
            contract: "--reply fixed:Thanks --framing none".into(),
        },
        Event::Built(vec![build]),
    ];
    for r in results {
        summary.add(&r);
        events.push(Event::ScenarioFinished(Box::new(r)));
    }
    events.push(Event::RunFinished {
        summary,
        wall: Duration::from_millis(400),
        peak_rss_kb: None,
    });
    events
}

fn render(mut reporter: impl Reporter) {
    for e in events() {
        reporter.event(&e).unwrap();
    }
}

fn human(lang: Lang) -> String {
    let mut out = Vec::new();
    render(Human::new(
        &mut out,
        HumanOptions {
            lang,
            durations: false,
            ..HumanOptions::default()
        },
    ));
    String::from_utf8(out).unwrap()
}

#[test]
fn the_terminal_says_build_error_once_with_the_compiler_lines() {
    let en = human(Lang::En);
    assert!(
        en.contains("BUILD ERROR: gcc -Wall -o server server.c exited with code 1 after 0.3 s"),
        "{en}"
    );
    assert!(
        en.contains("server.c:14:17: error: expected ';' before 'while'"),
        "{en}"
    );
    assert!(
        en.contains("The scenarios of tcp-server were not run"),
        "{en}"
    );
    assert!(en.contains("NOT BUILT  2 scenarios not run"), "{en}");
    assert!(!en.contains("FAIL "), "no scenario line of its own:\n{en}");
    assert!(
        !en.contains("no one should read"),
        "no hint for what never ran:\n{en}"
    );
    assert!(
        en.contains("0 passed, 0 failed, 0 errors, 0 skipped, 2 not built — points 0/4"),
        "{en}"
    );
    assert!(en.contains("(exit code 1)"), "{en}");
    let zh = human(Lang::Zh);
    assert!(
        zh.contains("编译失败：gcc -Wall -o server server.c 0.3 秒后已退出，退出码 1"),
        "{zh}"
    );
    assert!(zh.contains("tcp-server 的测试都没有运行"), "{zh}");
    assert!(zh.contains("未编译  2 项测试没有运行"), "{zh}");
    assert!(zh.contains("编译失败：有程序没有编译成功"), "{zh}");
    assert!(
        zh.contains("server.c:14:17: error:"),
        "the compiler's own words:\n{zh}"
    );
}

#[test]
fn json_gives_the_build_and_each_scenario_not_built() {
    let mut out = Vec::new();
    render(Json::new(&mut out));
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let b = &doc["builds"][0];
    assert_eq!(b["status"], "error");
    assert_eq!(b["exit_code"], 1);
    assert_eq!(b["roles"], serde_json::json!(["tcp-server"]));
    assert_eq!(b["output"], GCC);
    assert_eq!(b["timed_out"], false);
    assert!(b["text"]["zh"].as_str().unwrap().starts_with("编译失败"));
    for r in doc["results"].as_array().unwrap() {
        assert_eq!(r["status"], "not-built");
        assert_eq!(
            r["message"],
            "not run: its program did not build (see BUILD ERROR)"
        );
    }
    assert_eq!(doc["summary"]["not_built"], 2);
    assert_eq!(doc["summary"]["points_possible"], 4);
    assert_eq!(doc["summary"]["exit_code"], 1);
}

#[test]
fn junit_gradescope_autolab_and_html_say_it_too() {
    let mut out = Vec::new();
    render(Junit::new(&mut out));
    let xml = String::from_utf8(out).unwrap();
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("well-formed JUnit XML");
    let build = report
        .test_suites
        .iter()
        .find(|s| s.name.as_str() == "build")
        .expect("a build suite");
    assert_eq!(build.failures, 1, "{xml}");
    assert!(
        xml.contains("expected &apos;;&apos; before") || xml.contains("expected ';' before"),
        "{xml}"
    );

    let mut out = Vec::new();
    render(Gradescope::new(&mut out, GradescopeOptions::default()).with_lang(Lang::Zh));
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(doc["score"], 0);
    let output = doc["output"].as_str().unwrap();
    assert!(output.starts_with("编译失败：gcc"), "{output}");
    assert!(output.contains("server.c:14:17: error:"), "{output}");
    for t in doc["tests"].as_array().unwrap() {
        assert_eq!(t["status"], "failed");
        assert_eq!(t["score"], 0);
        assert_eq!(t["max_score"], 2);
    }

    let mut out = Vec::new();
    render(Autolab::new(&mut out));
    let text = String::from_utf8(out).unwrap();
    let last = text.lines().last().unwrap();
    assert_eq!(last, r#"{"scores":{"tcp-server":0},"scoreboard":[0,0]}"#);

    let mut out = Vec::new();
    render(Html::new(&mut out, HtmlOptions { lang: Lang::En }));
    let page = String::from_utf8(out).unwrap();
    assert!(
        page.contains("<section class=\"fail build\" id=\"build\">"),
        "{page}"
    );
    assert!(
        page.contains("server.c:14:17: error: expected &#39;;&#39; before &#39;while&#39;"),
        "{page}"
    );
    assert!(page.contains("NOT BUILT"), "{page}");
    assert!(
        page.contains("server.c: In function &#39;main&#39;:\nserver.c:14:17:"),
        "the compiler's lines stay lines: {page}"
    );
    assert!(!page.contains("\\n"), "no literal \\n: {page}");
}
