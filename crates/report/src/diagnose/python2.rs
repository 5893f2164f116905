//! Python 2 code run by Python 3 (or Python 3 code run by python2). Its
//! traceback, a SyntaxError or a NameError, would send the student looking
//! for a typo; the cause is the interpreter, so the sentence names the sign
//! that gives the version away and both ways out: run it with the version
//! it was written for, or port it.

use sockspec_results::{Python2Sign, SourceLine};

use crate::Lang;

/// What Python 3 calls a name Python 2 had.
fn python3_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "raw_input" => "input()",
        "xrange" => "range()",
        "unicode" => "str()",
        "unichr" => "chr()",
        "execfile" => "exec(open(f).read())",
        _ => return None,
    })
}

pub(super) fn python2(
    sign: &Python2Sign,
    at: Option<&SourceLine>,
    python2: Option<&str>,
    lang: Lang,
) -> String {
    if *sign == Python2Sign::InputEvaluates {
        return input_evaluates(at, lang);
    }
    let what = match (sign, lang) {
        (Python2Sign::PrintStatement, Lang::En) => "a print statement".to_owned(),
        (Python2Sign::PrintStatement, Lang::Zh) => "print 语句".to_owned(),
        (Python2Sign::ExceptComma, Lang::En) => {
            "except E, e: (Python 3 writes except E as e:)".to_owned()
        }
        (Python2Sign::ExceptComma, Lang::Zh) => {
            "except E, e: 的写法（Python 3 要写成 except E as e:）".to_owned()
        }
        (Python2Sign::Backticks, Lang::En) => "backticks for repr()".to_owned(),
        (Python2Sign::Backticks, Lang::Zh) => "用反引号表示 repr()".to_owned(),
        (Python2Sign::Builtin(name), Lang::En) => match python3_name(name) {
            Some(new) => format!("{name}(), which Python 3 calls {new}"),
            None => format!("{name}(), which Python 3 does not have"),
        },
        (Python2Sign::Builtin(name), Lang::Zh) => match python3_name(name) {
            Some(new) => format!("{name}()，Python 3 里叫 {new}"),
            None => format!("{name}()，Python 3 里没有它"),
        },
        (Python2Sign::InputEvaluates, _) => unreachable!("said above"),
    };
    let script = at.map_or("server.py", |a| a.file.as_str());
    let head = match (at, lang) {
        (Some(a), Lang::En) => format!(
            "this is Python 2 code ({what}, at {}, line {}: {})",
            a.file, a.line, a.code
        ),
        (None, Lang::En) => format!("this is Python 2 code ({what})"),
        (Some(a), Lang::Zh) => format!(
            "这是 Python 2 的代码（{} 第 {} 行 {}：{what}）",
            a.file, a.line, a.code
        ),
        (None, Lang::Zh) => format!("这是 Python 2 的代码（{what}）"),
    };
    let mut text = match lang {
        Lang::En => format!(
            "{head}, which Python 3 cannot run: run it with python2, or port it to Python 3 \
             (print(...), input(), bytes: .encode()/.decode())"
        ),
        Lang::Zh => format!(
            "{head}，Python 3 运行不了：用 python2 运行它，或者改成 Python 3 的写法\
             （print(...)、input()，字节串用 .encode()/.decode()）"
        ),
    };
    if let Some(python2) = python2 {
        text.push_str(&match lang {
            Lang::En => format!(
                "; this machine has {python2}, so an assignment can name it (command: \
                 {python2} {script} {{port}})"
            ),
            Lang::Zh => format!(
                "；这台机器上有 {python2}，作业文件里可以指定它（command: {python2} {script} {{port}}）"
            ),
        });
    }
    text
}

/// Python 3 code whose input() python2 evaluated.
fn input_evaluates(at: Option<&SourceLine>, lang: Lang) -> String {
    let line = match (at, lang) {
        (Some(a), Lang::En) => format!(" ({}, line {}: {})", a.file, a.line, a.code),
        (Some(a), Lang::Zh) => format!("（{} 第 {} 行：{}）", a.file, a.line, a.code),
        (None, _) => String::new(),
    };
    match lang {
        Lang::En => format!(
            "this is Python 3 code run by python2, whose input() evaluates what is typed as \
             Python code{line}: a typed word is a name it does not know; run it with python3, \
             or read lines with raw_input() in Python 2"
        ),
        Lang::Zh => format!(
            "这是 Python 3 的代码，却是用 python2 运行的：Python 2 的 input() 会把输入的内容\
             当作 Python 代码来求值{line}，输入一个单词就成了一个它不认识的名字；\
             用 python3 运行它，或者在 Python 2 里用 raw_input() 读一行"
        ),
    }
}
