//! The HTML report: one page that stands alone, pinned whole in
//! tests/snapshots/report.html (the plain run) and report-diagnosed.*.html
//! (failures explained, in each language), plus what a snapshot cannot
//! promise: that nothing a program prints becomes markup, and that nothing
//! is fetched.

mod common;

use common::{check_snapshot, diagnosed_events, events, render, render_diagnosed};
use sockspec_report::{Html, HtmlOptions, Lang, Reporter};
use sockspec_results::Event;

fn page(lang: Lang) -> String {
    let mut out = Vec::new();
    render(Html::new(&mut out, HtmlOptions { lang }));
    String::from_utf8(out).unwrap()
}

fn diagnosed(lang: Lang) -> String {
    let mut out = Vec::new();
    render_diagnosed(Html::new(&mut out, HtmlOptions { lang }));
    String::from_utf8(out).unwrap()
}

fn of_events(events: &[Event]) -> String {
    let mut out = Vec::new();
    let mut html = Html::new(&mut out, HtmlOptions::default());
    for e in events {
        html.event(e).unwrap();
    }
    drop(html);
    String::from_utf8(out).unwrap()
}

/// The section of one scenario.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let anchor = format!("id=\"s-{}\"", id.replace('/', "-"));
    let at = page.find(&anchor).unwrap_or_else(|| panic!("no {id}"));
    let start = page[..at].rfind("<section").unwrap();
    let end = start + page[start..].find("</section>").unwrap();
    &page[start..end]
}

#[test]
fn html_report_snapshot() {
    check_snapshot("report.html", &page(Lang::En));
}

#[test]
fn html_report_explains_failures_in_english() {
    check_snapshot("report-diagnosed.en.html", &diagnosed(Lang::En));
}

#[test]
fn html_report_explains_failures_in_chinese() {
    check_snapshot("report-diagnosed.zh.html", &diagnosed(Lang::Zh));
}

#[test]
fn what_programs_and_scenario_files_say_is_escaped() {
    let mut events = diagnosed_events();
    for e in &mut events {
        if let Event::ScenarioFinished(r) = e
            && r.id == "tcp-server/client-gone"
        {
            r.title = "<script>alert('title')</script> & <b>bold</b>".into();
            r.why = Some(sockspec_results::Why::Mismatch(
                sockspec_results::Mismatch::Harness("<img src=x onerror=alert(1)>".into()),
            ));
            r.hint.en = "use <code>".into();
            let f = r.failure.as_mut().unwrap();
            let t = f.target.as_mut().unwrap();
            t.stdout = "<script>alert('stdout')</script>\n".into();
            t.stderr
                .push_str("</pre><script>alert('stderr')</script>\n");
            if let sockspec_results::Diagnosis::Exception { code, .. } = &mut f.diagnoses[0] {
                *code = Some("conn.send(b'<script>')".into());
            }
        }
    }
    let page = of_events(&events);
    assert!(!page.to_lowercase().contains("<script"), "{page}");
    assert!(!page.contains("<img") && !page.contains("<b>") && !page.contains("<code>use"));
    let s = section(&page, "tcp-server/client-gone");
    for escaped in [
        "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(&#39;stdout&#39;)&lt;/script&gt;",
        "&lt;/pre&gt;&lt;script&gt;alert(&#39;stderr&#39;)&lt;/script&gt;",
        "conn.send(b&#39;&lt;script&gt;&#39;)",
        "use &lt;code&gt;",
    ] {
        assert!(s.contains(escaped), "{escaped}\n{s}");
    }
}

#[test]
fn the_page_stands_alone() {
    for page in [page(Lang::En), diagnosed(Lang::En), diagnosed(Lang::Zh)] {
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang="));
        assert!(page.ends_with("</html>\n"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(
            page.contains(
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            )
        );
        assert!(page.contains("<style>"));
        for fetch in [
            "http://", "https://", "src=", "<link", "<script", "@import", "url(",
        ] {
            assert!(!page.contains(fetch), "{fetch}");
        }
        for tag in ["section", "dl", "ul", "table", "pre", "h2", "h3", "p"] {
            let open = page.matches(&format!("<{tag}>")).count()
                + page.matches(&format!("<{tag} ")).count();
            let close = page.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "<{tag}>");
        }
    }
}

#[test]
fn each_scenario_shows_its_verdict_by_colour_and_word() {
    let page = page(Lang::En);
    for (id, class, word) in [
        ("tcp-server/reply", "pass", "PASS"),
        ("tcp-server/peer-exit", "fail", "FAIL"),
        ("tcp-server/non-utf8", "warn", "WARN"),
        ("tcp-server/restart", "error", "ERROR"),
        ("tcp-server/sticky-split", "skip", "SKIP"),
        ("udp-server/burst", "flaky", "FLAKY"),
    ] {
        let s = section(&page, id);
        assert!(s.contains(&format!("class=\"{class}\"")), "{id}: {s}");
        assert!(
            s.contains(&format!("<span class=\"label\">{word}</span>")),
            "{id}"
        );
    }
    assert!(section(&page, "udp-server/burst").contains("passed 1 of 2 tries"));
    assert!(section(&page, "tcp-server/non-utf8").contains("recommended, no points"));
    assert!(
        page.contains("1 passed, 1 flaky, 2 failed, 1 error, 1 skipped, 1 warning — points 3/7")
    );
    assert!(page.contains("(exit code 2)</p>"));
    // The failures are listed at the top, linked to their sections.
    assert!(page.contains("<a href=\"#s-tcp-server-peer-exit\">tcp-server/peer-exit</a>"));
    assert!(!page.contains("<a href=\"#s-tcp-server-reply\">"));
    let zh = self::page(Lang::Zh);
    assert!(zh.contains("<html lang=\"zh-CN\">"));
    assert!(section(&zh, "udp-server/burst").contains("<span class=\"label\">不稳定</span>"));
}

#[test]
fn a_failure_shows_everything_in_the_order_a_student_reads_it() {
    for (lang, headings) in [
        (
            Lang::En,
            [
                "diagnosis",
                "what to change",
                "why it matters",
                "timeline",
                "stderr",
                "stdout",
            ],
        ),
        (
            Lang::Zh,
            ["诊断", "怎么改", "知识点", "时间线", "stderr", "stdout"],
        ),
    ] {
        let page = diagnosed(lang);
        let s = section(&page, "tcp-server/peer-exit");
        let mut last = s.find("class=\"reason\"").unwrap();
        assert!(s[..last].contains("A client that leaves does not stop the server"));
        for h in headings {
            let at = s
                .find(&format!("<h3>{h}</h3>"))
                .unwrap_or_else(|| panic!("{h}: {s}"));
            assert!(at > last, "{h} out of order: {s}");
            last = at;
        }
        assert!(s.contains("<td class=\"ms\">2107</td>"), "{s}");
    }
    let en = diagnosed(Lang::En);
    let s = section(&en, "tcp-server/peer-exit");
    assert!(s.contains("<li>the server is spinning at 100% CPU after the peer closed"));
    assert!(s.contains("<td class=\"who\">harness a</td><td class=\"mono\">→ &quot;hello\\n&quot; (6 bytes)</td>"), "{s}");
    let zh = diagnosed(Lang::Zh);
    let s = section(&zh, "tcp-server/peer-exit");
    assert!(s.contains("<li>对方关闭连接后服务端占满 CPU 空转"), "{s}");
    assert!(s.contains("<td class=\"who\">测试端 a</td><td class=\"mono\">发送 &quot;hello\\n&quot;（6 字节）</td>"), "{s}");
    // No hint, no heading; an error shows what was found but not the lesson.
    assert!(!section(&en, "http-server/empty-request").contains("what to change"));
    let error = section(&en, "tcp-server/reply-port");
    assert!(error.contains("expected port 40001") && !error.contains("why it matters"));
}

#[test]
fn nothing_is_written_before_the_run_ends() {
    let mut out = Vec::new();
    let mut reporter = Html::new(&mut out, HtmlOptions::default());
    let events = events();
    for e in &events[..events.len() - 1] {
        reporter.event(e).unwrap();
    }
    drop(reporter);
    assert!(out.is_empty());
}

#[test]
fn each_timeline_is_drawn_as_one_arrow_per_row() {
    for lang in [Lang::En, Lang::Zh] {
        let page = diagnosed(lang);
        let mut drawn = 0;
        for s in page.split("<section").skip(1) {
            let rows = s.matches("<tr><td class=\"ms\">").count();
            let arrows = s.matches("<g class=\"arrow ").count();
            assert_eq!(rows, arrows, "{s}");
            if rows > 0 {
                drawn += 1;
                assert_eq!(s.matches("<svg ").count(), 1, "{s}");
                assert!(s.contains("role=\"img\" aria-labelledby=\"seq-s-"), "{s}");
                // The diagram comes before its table.
                assert!(s.find("<svg ").unwrap() < s.find("<table").unwrap());
            }
        }
        assert!(drawn > 0, "no timeline in the diagnosed page");
    }
}

#[test]
fn a_flood_of_output_is_cut_and_says_so() {
    let mut events = diagnosed_events();
    for e in &mut events {
        if let Event::ScenarioFinished(r) = e
            && r.id == "tcp-server/client-gone"
        {
            let t = r.failure.as_mut().unwrap().target.as_mut().unwrap();
            t.stdout = (0..5000).map(|i| format!("line {i}\n")).collect();
            t.stdout_dropped = 5 * 1024 * 1024;
        }
    }
    let page = of_events(&events);
    let s = section(&page, "tcp-server/client-gone");
    assert!(s.contains("<p class=\"cut\">4960 earlier lines ("), "{s}");
    assert!(s.contains("these are the last 40. Before them the program printed 5.0 MiB more"));
    assert!(
        s.contains("line 4999</pre>") && !s.contains("line 4959\n"),
        "{s}"
    );
}
