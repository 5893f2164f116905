//! A page server that answered 404 to its own page. Its cause is the
//! working directory the program was started in, which the grader chooses
//! (`--cwd`) as much as the program does, so its sentence says both how to
//! start it and how the program can find its page wherever it starts.

use sockspec_results::Language;

use super::{Words, words};
use crate::Lang;

/// A page server that answered 404 to its own page: where it looked.
pub(super) fn page_not_found(
    path: &str,
    cwd: &std::path::Path,
    language: Language,
    lang: Lang,
) -> String {
    let cwd = cwd.display();
    if words(language) != Words::Python {
        return match lang {
            Lang::En => format!(
                "GET {path} was answered 404 Not Found: a page server opens index.html relative to its working directory, here {cwd}; start it in the folder of its page with --cwd DIR (cwd: in an assignment)"
            ),
            Lang::Zh => format!(
                "GET {path} 得到的是 404 Not Found：网页服务器是相对当前工作目录（这里是 {cwd}）去打开 index.html 的；请用 --cwd 目录 让它在网页所在的文件夹里启动（作业文件里写 cwd:）"
            ),
        };
    }
    match lang {
        Lang::En => format!(
            "GET {path} was answered 404 Not Found: a page server opens index.html relative to its working directory, here {cwd}; start it in the folder of its page with --cwd DIR (cwd: in an assignment), or have it build the path from __file__"
        ),
        Lang::Zh => format!(
            "GET {path} 得到的是 404 Not Found：网页服务器是相对当前工作目录（这里是 {cwd}）去打开 index.html 的；请用 --cwd 目录 让它在网页所在的文件夹里启动（作业文件里写 cwd:），或者让程序用 __file__ 拼出文件路径"
        ),
    }
}
