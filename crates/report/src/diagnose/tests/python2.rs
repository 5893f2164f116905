//! Python 2 code run by Python 3, and the other way round.

use sockspec_results::{Diagnosis, Language, Python2Sign, SourceLine};

use super::has;

fn python2(sign: Python2Sign, at: Option<(&str, u32, &str)>, python2: Option<&str>) -> Diagnosis {
    Diagnosis::Python2 {
        sign,
        at: at.map(|(file, line, code)| SourceLine {
            file: file.into(),
            line,
            code: code.into(),
        }),
        python2: python2.map(str::to_owned),
    }
}

fn say(d: &Diagnosis) -> (String, String) {
    let t = super::super::both(d, sockspec_model::Role::TcpServer, Language::Python2);
    (t.en, t.zh)
}

#[test]
fn a_print_statement_run_by_python3() {
    let d = python2(
        Python2Sign::PrintStatement,
        Some(("server.py", 3, "print \"listening\"")),
        None,
    );
    let (en, zh) = say(&d);
    assert_eq!(
        en,
        "this is Python 2 code (a print statement, at server.py, line 3: print \"listening\"), \
         which Python 3 cannot run: run it with python2, or port it to Python 3 (print(...), \
         input(), bytes: .encode()/.decode())"
    );
    assert_eq!(
        zh,
        "这是 Python 2 的代码（server.py 第 3 行 print \"listening\"：print 语句），\
         Python 3 运行不了：用 python2 运行它，或者改成 Python 3 的写法\
         （print(...)、input()，字节串用 .encode()/.decode()）"
    );
    // Where the machine has a python2, the assignment can name it.
    let d = python2(
        Python2Sign::PrintStatement,
        Some(("server.py", 3, "print \"listening\"")),
        Some("/root/.pyenv/versions/2.7.18/bin/python2"),
    );
    let (en, zh) = say(&d);
    has(
        &en,
        &[
            "; this machine has /root/.pyenv/versions/2.7.18/bin/python2, so an assignment can name it (command: /root/.pyenv/versions/2.7.18/bin/python2 server.py {port})",
        ],
    );
    has(
        &zh,
        &[
            "作业文件里可以指定它（command: /root/.pyenv/versions/2.7.18/bin/python2 server.py {port}）",
        ],
    );
}

#[test]
fn every_sign_is_named() {
    let (en, zh) = say(&python2(
        Python2Sign::Builtin("raw_input".into()),
        Some(("client.py", 7, "line = raw_input()")),
        None,
    ));
    has(
        &en,
        &[
            "raw_input(), which Python 3 calls input()",
            "client.py, line 7",
        ],
    );
    has(&zh, &["raw_input()，Python 3 里叫 input()"]);
    let (en, _) = say(&python2(Python2Sign::ExceptComma, None, None));
    has(
        &en,
        &["this is Python 2 code (except E, e: (Python 3 writes except E as e:))"],
    );
    let (en, _) = say(&python2(Python2Sign::Backticks, None, None));
    has(&en, &["backticks for repr()"]);
    let (en, zh) = say(&python2(
        Python2Sign::InputEvaluates,
        Some(("client.py", 5, "line = input()")),
        None,
    ));
    has(
        &en,
        &[
            "Python 3 code run by python2",
            "input() evaluates what is typed",
            "client.py, line 5",
            "run it with python3",
            "raw_input()",
        ],
    );
    has(&zh, &["python2 运行", "求值", "raw_input()"]);
}
