//! Diagnoses by language, end to end: a C server that dies of SIGPIPE, a
//! Java server that makes its ServerSocket again for each client, and
//! Python 2 code run by python3, each built (or written) in a temporary
//! folder and graded by the binary. The report must say what language the
//! program is in and diagnose it in that language's terms, in both
//! languages. A machine without gcc or a JDK skips that case, and says so.

mod common;

use std::path::Path;
use std::process::Command;

use common::run_json;
use serde_json::Value;

/// Whether `tool` can be run here (`gcc --version`).
fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The report of `target` (run in `dir`) under scenario `only`, in JSON:
/// the one result.
fn result(dir: &Path, target: &str, only: &str) -> Value {
    let dir = dir.to_str().expect("a UTF-8 path");
    let (_, report) = run_json(&[
        "--role",
        "tcp-server",
        "--target",
        target,
        "--reply",
        "fixed:Thanks",
        "--cwd",
        dir,
        "--only",
        only,
    ]);
    report["results"][0].clone()
}

/// The diagnosis of `kind` in `failure`, or a panic that shows them all.
fn diagnosis<'a>(failure: &'a Value, kind: &str) -> &'a Value {
    failure["diagnoses"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["kind"] == kind))
        .unwrap_or_else(|| panic!("no {kind} in {failure:#}"))
}

const C_SERVER: &str = r#"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(atoi(argv[1]));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) { perror("bind"); return 1; }
    listen(s, 5);
    for (;;) {
        int c = accept(s, NULL, NULL);
        char buf[1024];
        for (;;) {
            /* recv()'s 0 is never checked: after the client leaves, the
               second send() to it raises SIGPIPE. */
            recv(c, buf, sizeof buf, 0);
            send(c, "Thanks", 6, 0);
        }
    }
}
"#;

#[test]
fn a_c_server_dead_of_sigpipe_is_told_about_sig_ign() {
    if !have("gcc") {
        eprintln!("no gcc here: the C case is not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("server.c"), C_SERVER).unwrap();
    let built = Command::new("gcc")
        .args(["-o", "server", "server.c"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let r = result(dir.path(), "./server {port}", "tcp-server/peer-exit");
    // The scenario's own advice in C's terms.
    let hint = r["hint"]["en"].as_str().unwrap();
    assert!(hint.contains("recv() returns 0"), "{hint}");
    let f = &r["failure"];
    assert_eq!(f["target"]["language"], "c", "{f:#}");
    let d = diagnosis(f, "signaled");
    assert_eq!(d["signal"], "SIGPIPE");
    let en = d["text"]["en"].as_str().unwrap();
    assert!(en.contains("signal(SIGPIPE, SIG_IGN);"), "{en}");
    assert!(en.contains("MSG_NOSIGNAL"), "{en}");
    assert!(!en.contains("BrokenPipeError"), "{en}");
    let zh = d["text"]["zh"].as_str().unwrap();
    assert!(zh.contains("SIGPIPE 信号（13）终止了"), "{zh}");
}

const JAVA_SERVER: &str = r#"
import java.io.*;
import java.net.*;

public class Server {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        while (true) {
            ServerSocket ss = new ServerSocket(port);
            Socket c = ss.accept();
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            byte[] buf = new byte[1024];
            while (in.read(buf) > 0) {
                out.write("Thanks".getBytes());
            }
            c.close();
        }
    }
}
"#;

#[test]
fn a_java_server_is_read_from_its_stack_trace() {
    if !have("javac") || !have("java") {
        eprintln!("no JDK here: the Java case is not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Server.java"), JAVA_SERVER).unwrap();
    let built = Command::new("javac")
        .arg("Server.java")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let r = result(dir.path(), "java Server {port}", "tcp-server/peer-exit");
    let hint = r["hint"]["en"].as_str().unwrap();
    assert!(hint.contains("InputStream.read() returns -1"), "{hint}");
    let f = &r["failure"];
    assert_eq!(f["target"]["language"], "java", "{f:#}");
    let d = diagnosis(f, "java_exception");
    assert_eq!(d["class"], "java.net.BindException");
    assert_eq!(d["at"]["method"], "Server.main");
    assert_eq!(d["at"]["line"], 9);
    let en = d["text"]["en"].as_str().unwrap();
    assert!(
        en.contains("Create the ServerSocket once, before the accept() loop"),
        "{en}"
    );
    let zh = d["text"]["zh"].as_str().unwrap();
    assert!(zh.contains("ServerSocket 只创建一次"), "{zh}");
}

#[test]
fn python2_code_run_by_python3_is_said_to_be_python2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("server.py"),
        "import socket, sys\ns = socket.socket()\nprint \"listening on\", sys.argv[1]\n",
    )
    .unwrap();
    let r = result(
        dir.path(),
        "python3 server.py {port}",
        "tcp-server/peer-exit",
    );
    let f = &r["failure"];
    assert_eq!(f["target"]["language"], "python2", "{f:#}");
    let d = diagnosis(f, "python2");
    assert_eq!(d["sign"], "print_statement");
    assert_eq!(d["at"]["line"], 3);
    let en = d["text"]["en"].as_str().unwrap();
    assert!(
        en.contains("this is Python 2 code (a print statement"),
        "{en}"
    );
    assert!(en.contains("run it with python2, or port it"), "{en}");
    let zh = d["text"]["zh"].as_str().unwrap();
    assert!(zh.contains("这是 Python 2 的代码"), "{zh}");
    // The generic exception advice is replaced, not added to.
    assert!(
        !f["diagnoses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "exception"),
        "{f:#}"
    );
}
