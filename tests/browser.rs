//! The HTML pages in a real browser: a student's report from a real run
//! against a buggy course-style server, and the class dashboard of a real
//! small `grade --html` batch (a correct submission, a buggy one, one that
//! does not build, one missing a program, a flaky one). Headless Chromium
//! loads each page; the test reads the DOM it rendered, which is what a
//! reader gets, not the text sockspec wrote: no output block shows a
//! literal `\n`, each diagram has one arrow per row of its timeline table
//! with the same time and words, and every link of the dashboard (and of
//! a report's list of failures) leads to a file and an element that
//! exist. A screenshot of each page is kept in target/screenshots (a CI
//! artifact, not in git).
//!
//! Chromium runs in a process group of its own under a deadline, and the
//! group is killed when its guard drops, so a failing assertion or a hung
//! browser leaves nothing running. The test process is a child subreaper,
//! so the browser's helpers (zygote, renderer), orphaned when it exits,
//! come back to it and are reaped rather than left as zombies.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, sockspec};
use scraper::{ElementRef, Html, Selector};
use url::Url;

/// Longest a page may take to load and render.
const DEADLINE: Duration = Duration::from_secs(60);

/// Debian's chromium, or a clear failure saying how to get it.
fn chromium() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the browser tests need headless Chromium, which is not on PATH: \
             `apt-get install chromium` (Debian's package), then run them again"
        )
    })
}

/// A browser run: its process group is killed and reaped on drop.
struct Browser {
    child: std::process::Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
        // Every member of the group, now ours (see the module's doc), until
        // none is left.
        let members = nix::unistd::Pid::from_raw(-group.as_raw());
        while nix::sys::wait::waitpid(members, None).is_ok() {}
    }
}

/// Runs headless Chromium on `page` with `what` (`--dump-dom`, a
/// `--screenshot=…`) and returns what it printed on stdout.
fn browse(page: &Path, what: &str) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let profile = scratch.path().join("profile");
    std::fs::create_dir(&profile).unwrap();
    let (out, err) = (scratch.path().join("out"), scratch.path().join("err"));
    let url = Url::from_file_path(page).unwrap();
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(what)
    .arg(url.as_str())
    .stdin(Stdio::null())
    .stdout(std::fs::File::create(&out).unwrap())
    .stderr(std::fs::File::create(&err).unwrap());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    nix::sys::prctl::set_child_subreaper(true).expect("the test becomes a child subreaper");
    let mut browser = Browser {
        child: cmd.spawn().expect("chromium starts"),
    };
    let started = Instant::now();
    let status = loop {
        if let Some(status) = browser.child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            panic!(
                "chromium did not finish {what} {url} within {DEADLINE:?}; stderr:\n{}",
                std::fs::read_to_string(&err).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    drop(browser);
    assert!(
        status.success(),
        "chromium {what} {url}: {status}; stderr:\n{}",
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    std::fs::read_to_string(&out).unwrap()
}

/// The DOM Chromium rendered of `page`.
fn rendered(page: &Path) -> Html {
    let dom = browse(page, "--dump-dom");
    assert!(dom.contains("</html>"), "not a page: {dom}");
    Html::parse_document(&dom)
}

/// A screenshot of `page` in target/screenshots/`name`.png.
fn screenshot(page: &Path, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    browse(page, &format!("--screenshot={}", png.display()));
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(
        bytes.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
}

fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn text(e: ElementRef) -> String {
    e.text().collect()
}

/// Every `href` in `dom` (of the page at `page`) leads to a file that
/// exists and, with a fragment, to an element of that id in it.
fn links_resolve(dom: &Html, page: &Path) -> usize {
    let base = Url::from_file_path(page).unwrap();
    let mut checked = 0;
    for a in dom.select(&select("a[href]")) {
        let href = a.value().attr("href").unwrap();
        let target = base.join(href).unwrap_or_else(|e| panic!("{href}: {e}"));
        assert_eq!(target.scheme(), "file", "{href} leaves the folder");
        let path = target.to_file_path().unwrap();
        let html = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{href} → {}: {e}", path.display()));
        if let Some(id) = target.fragment() {
            let id = percent_decode(id);
            let doc = Html::parse_document(&html);
            let found = doc
                .select(&select("[id]"))
                .any(|e| e.value().id() == Some(id.as_str()));
            assert!(found, "{href}: no element #{id} in {}", path.display());
        }
        checked += 1;
    }
    checked
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A student's report, from a real run of a course-style server that
/// calls accept() once.
#[test]
fn a_students_report_reads_right_in_a_browser() {
    chromium(); // before the run: without a browser, say so first
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let output = sockspec()
        .args(["run", "--role", "tcp-server", "--target"])
        .arg(format!(
            "python3 {} {{port}}",
            fixture("tcp-server", "one_client.py").display()
        ))
        .args(["--reply", "fixed:Thanks", "--format", "html", "--out"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = rendered(&page);

    // Output blocks show real lines.
    let outputs: Vec<String> = dom.select(&select("pre.output")).map(text).collect();
    assert!(!outputs.is_empty(), "no output block");
    for o in &outputs {
        assert!(
            !o.contains("\\n"),
            "a literal \\n in an output block: {o:?}"
        );
    }
    assert!(
        outputs.iter().any(|o| o.lines().count() >= 3),
        "no output of several lines: {outputs:#?}"
    );

    // Each diagram agrees with its table, arrow for row.
    let mut diagrams = 0;
    for section in dom.select(&select("section[id]")) {
        let rows: Vec<(String, String)> = section
            .select(&select("table.timeline tbody tr"))
            .map(|tr| {
                let cell = |c: &str| text(tr.select(&select(c)).next().unwrap());
                (format!("{} ms", cell("td.ms")), cell("td.mono"))
            })
            .collect();
        let arrows: Vec<(String, String)> = section
            .select(&select("figure.seq svg g.arrow"))
            .map(|g| {
                let t = |c: &str| text(g.select(&select(c)).next().unwrap());
                (t("text.at"), t("text.what"))
            })
            .collect();
        let id = section.value().id().unwrap();
        assert_eq!(arrows, rows, "{id}: the diagram and the table differ");
        if rows.is_empty() {
            continue;
        }
        diagrams += 1;
        let svg = section.select(&select("figure.seq svg")).next().unwrap();
        assert_eq!(svg.value().attr("role"), Some("img"), "{id}");
        let title = svg.select(&select("title")).next().map(text);
        assert!(
            title.is_some_and(|t| t.contains("Sequence diagram")),
            "{id}"
        );
        // The harness's lanes and the program's are all named.
        let lanes: Vec<String> = svg.select(&select("text.lane")).map(text).collect();
        assert!(lanes.contains(&"program".to_owned()), "{id}: {lanes:?}");
        assert!(lanes.iter().any(|l| l.starts_with("harness")), "{id}");
        // Every connection of the harness that did something has a lane
        // of its own (whether the second client got as far as connecting
        // to this one-client server is a race with its exit).
        for (_, what) in &rows {
            let Some(rest) = what.strip_prefix("harness ") else {
                continue;
            };
            let name = rest.split_whitespace().next().unwrap_or_default();
            let lane = format!("harness {name}");
            assert!(lanes.contains(&lane), "{id}: no lane for {lane}: {lanes:?}");
        }
    }
    // clients-in-turn, peer-exit, vanish-close and the rest.
    assert!(diagrams >= 3, "only {diagrams} diagrams");

    assert!(links_resolve(&dom, &page) >= 3);
    screenshot(&page, "report");
}

/// The assignment of the batch: a tcp-server that must build (a byte
/// compile, so that a syntax error is a build error) and a udp-server.
const ASSIGNMENT: &str = "\
assignment: dashboard
retries: 1
budget_s: 20
programs:
  tcp-server:
    command: python3 tcp_server.py {port}
    build: python3 -m py_compile tcp_server.py
    reply: fixed:Thanks
    only: [tcp-server/reply, tcp-server/peer-exit, tcp-server/clients-in-turn]
  udp-server:
    command: python3 udp_server.py {port}
    reply: fixed:Thanks
    only: [udp-server/reply]
";

/// The class dashboard of a real batch, its links followed.
#[test]
fn the_class_dashboard_links_to_every_report_it_names() {
    chromium();
    let root = tempfile::tempdir().unwrap();
    let subs = root.path().join("submissions");
    let good_udp = Some(("udp_server.py", fixture("udp-server", "udp_server.py")));
    let tcp = |name: &str| Some(("tcp_server.py", fixture("tcp-server", name)));
    let broken = root.path().join("broken.py");
    std::fs::write(&broken, "import socket\ns = socket.socket(\n").unwrap();
    for (student, tcp, udp) in [
        ("alice", tcp("thanks_server.py"), good_udp.clone()),
        ("bao", tcp("one_client.py"), good_udp.clone()),
        (
            "chen wei",
            Some(("tcp_server.py", broken)),
            good_udp.clone(),
        ),
        ("dana", tcp("thanks_server.py"), None),
        (
            "eve",
            Some(("tcp_server.py", fixture("flaky", "first_try_wrong.py"))),
            good_udp.clone(),
        ),
    ] {
        let dir = subs.join(student);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, from) in [tcp, udp].into_iter().flatten() {
            std::fs::copy(from, dir.join(name)).unwrap();
        }
    }
    let hw = root.path().join("hw.yaml");
    std::fs::write(&hw, ASSIGNMENT).unwrap();
    let out = root.path().join("out");
    let output = common::grade(&subs, &hw, &out, &["--html", "--lang", "en"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = out.join("index.html");
    assert!(stdout.contains("class dashboard: "), "{stdout}");
    let dom = rendered(&page);

    // The most failed scenario first, linked to the failing student's
    // section of it.
    let first = dom
        .select(&select("table.scenarios tbody tr"))
        .next()
        .unwrap();
    let cells: Vec<String> = first.select(&select("td")).map(text).collect();
    assert_eq!(cells[2], "1", "{cells:?}");
    let failed_by: Vec<&str> = first
        .select(&select("td.who a"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(failed_by.len(), 1, "{cells:?}");
    assert!(failed_by[0].starts_with("bao/report.html#s-tcp-server-"));

    let review = text(dom.select(&select("section#review")).next().unwrap());
    for who in [
        "chen wei",
        "SyntaxError",
        "dana",
        "udp-server/reply",
        "eve",
        "FLAKY",
    ] {
        assert!(review.contains(who), "{who} not in review: {review}");
    }
    let bars = dom.select(&select("figure.bars svg g.bar")).count();
    assert_eq!(bars, 11);
    let counted: usize = dom
        .select(&select("figure.bars svg g.bar text.n"))
        .map(|t| text(t).parse::<usize>().unwrap())
        .sum();
    assert_eq!(counted, 5, "every graded submission has its bar");
    let students = dom.select(&select("table.submissions tbody tr")).count();
    assert_eq!(students, 5);

    // Every link leads somewhere real (a name with a space included).
    let links = links_resolve(&dom, &page);
    assert!(links >= 5 + 1 + 2, "only {links} links");
    screenshot(&page, "dashboard");
}
