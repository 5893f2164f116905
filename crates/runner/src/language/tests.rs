use std::ffi::OsString;
use std::path::Path;

use proptest::prelude::*;
use sockspec_results::{Language, Python2Sign};

use super::{python2_sign, recognise};

fn words(command: &str) -> Vec<String> {
    shlex::split(command).expect("a command")
}

/// A folder holding `files` (name, bytes), and the language of `command`
/// run there, with that folder as PATH too.
fn in_dir(files: &[(&str, &[u8])], command: &str) -> super::Recognised {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).expect("written");
    }
    let path = OsString::from(dir.path());
    recognise(&words(command), dir.path(), Some(&path))
}

fn language(command: &str) -> Language {
    recognise(&words(command), Path::new("/nonexistent"), None).language
}

#[test]
fn python_interpreters_by_name() {
    for command in [
        "python3 server.py {port}",
        "python server.py 9000",
        "python3.11 -u server.py 9000",
        "/usr/bin/python3 server.py",
        "env PYTHONUNBUFFERED=1 python3 server.py",
        "timeout -s INT 30 python3 server.py",
        "stdbuf -oL python3 server.py",
        "sh -c 'cd hw && python3 server.py 9000'",
    ] {
        // `sh -c 'cd hw && ...'` is not looked into further than its
        // first command: cd is no interpreter.
        let expected = if command.contains("cd hw") {
            Language::Unknown
        } else {
            Language::Python
        };
        assert_eq!(language(command), expected, "{command}");
    }
    assert_eq!(
        language("sh -c 'exec python3 server.py 9000'"),
        Language::Python
    );
    for command in [
        "python2 server.py",
        "python2.7 server.py",
        "env python2 s.py",
    ] {
        let r = recognise(&words(command), Path::new("/nonexistent"), None);
        assert_eq!(r.language, Language::Python2, "{command}");
        assert!(r.by_python2);
    }
    assert_eq!(language("python3 -c 'print(1)'"), Language::Python);
    assert_eq!(language("pythonista server.py"), Language::Unknown);
}

#[test]
fn java_by_its_launcher_or_its_classes() {
    for command in [
        "java Server {port}",
        "java -cp . Server 9000",
        "java -jar server.jar 9000",
        "/usr/lib/jvm/java-17/bin/java Server",
        "timeout 30 java Server",
    ] {
        assert_eq!(language(command), Language::Java, "{command}");
    }
}

#[test]
fn an_elf_is_native_code_found_in_the_folder_or_on_path() {
    let elf: &[u8] = b"\x7fELF\x02\x01\x01\0rest of the header";
    assert_eq!(
        in_dir(&[("server", elf)], "./server {port}").language,
        Language::C
    );
    // A bare name is looked up on PATH (here the same folder).
    assert_eq!(
        in_dir(&[("server", elf)], "server 9000").language,
        Language::C
    );
    assert_eq!(
        in_dir(&[("server", elf)], "env -i stdbuf -o0 ./server 9000").language,
        Language::C
    );
    // Not there (yet): nothing can be said.
    assert_eq!(in_dir(&[], "./server 9000").language, Language::Unknown);
    // A native interpreter running another language's script.
    assert_eq!(
        in_dir(&[("node", elf)], "node server.js").language,
        Language::Unknown
    );
    // A shell script is not C.
    assert_eq!(
        in_dir(&[("run", b"#!/bin/sh\nexec ./server\n")], "./run").language,
        Language::Unknown
    );
}

#[test]
fn a_script_run_by_its_shebang() {
    let r = in_dir(
        &[("server.py", b"#!/usr/bin/env python3\nprint('hi')\n")],
        "./server.py 9000",
    );
    assert_eq!(r.language, Language::Python);
    let r = in_dir(
        &[("server", b"#!/usr/bin/python2\nprint 'hi'\n")],
        "./server 9000",
    );
    assert_eq!(r.language, Language::Python2);
    assert!(r.by_python2);
}

#[test]
fn python2_source_run_by_python3() {
    let r = in_dir(
        &[(
            "server.py",
            b"import socket\n# print 'in a comment'\ns = socket.socket()\nprint \"listening\"\n",
        )],
        "python3 server.py 9000",
    );
    assert_eq!(r.language, Language::Python2);
    assert!(!r.by_python2);
    let (sign, at) = r.python2_sign.expect("a sign");
    assert_eq!(sign, Python2Sign::PrintStatement);
    assert_eq!((at.file.as_str(), at.line), ("server.py", 4));
    assert_eq!(at.code, "print \"listening\"");
    // Python 3 source stays Python.
    let r = in_dir(
        &[(
            "server.py",
            b"s = '''\nprint \"in a docstring\"\n'''\nprint (s)\nprint(\"x\", end='')\nprint\n",
        )],
        "python3 server.py",
    );
    assert_eq!(r.language, Language::Python, "{r:?}");
}

#[test]
fn every_sign_of_python2_with_its_line() {
    let sign = |src: &str| python2_sign(src).map(|(s, line, _)| (s, line));
    assert_eq!(
        sign("x = 1\nprint x\n"),
        Some((Python2Sign::PrintStatement, 2))
    );
    assert_eq!(
        sign("print >>sys.stderr, 'x'"),
        Some((Python2Sign::PrintStatement, 1))
    );
    assert_eq!(
        sign("if ok: print 'yes'"),
        Some((Python2Sign::PrintStatement, 1))
    );
    assert_eq!(
        sign("try:\n    pass\nexcept socket.error, e:\n    pass\n"),
        Some((Python2Sign::ExceptComma, 3))
    );
    assert_eq!(
        sign("try:\n    pass\nexcept (OSError, IOError), e:\n    pass\n"),
        Some((Python2Sign::ExceptComma, 3))
    );
    assert_eq!(sign("y = `x`\n"), Some((Python2Sign::Backticks, 1)));
    assert_eq!(
        sign("name = raw_input('name: ')\n"),
        Some((Python2Sign::Builtin("raw_input".into()), 1))
    );
    // A syntax sign further down wins over a name: python3 stops there
    // before it runs anything.
    assert_eq!(
        sign("n = raw_input()\nprint n\n"),
        Some((Python2Sign::PrintStatement, 2))
    );
    for python3 in [
        "print('x')",
        "print (a, b)",
        "print",
        "except (OSError, IOError) as e:",
        "except OSError:",
        "s = 'print x'",
        "data = conn.recv(1024)  # print data",
        "def raw_input(prompt): return input(prompt)",
        "x = obj.unicode(3)",
        "input = raw_input",
        "msg = \"`quoted`\"",
        "print = log",
    ] {
        assert_eq!(sign(python3), None, "{python3}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever a file holds, looking at it never panics.
    #[test]
    fn any_source_is_looked_at_without_panicking(src in "(?s).{0,300}") {
        let _ = python2_sign(&src);
    }

    #[test]
    fn any_command_is_looked_at_without_panicking(ws in prop::collection::vec("[a-z./ =-]{0,12}", 0..6)) {
        let _ = recognise(&ws, Path::new("/nonexistent"), None);
    }
}
