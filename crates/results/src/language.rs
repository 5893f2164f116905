//! The language a program under test is written in. The wire does not care,
//! but the student does: a C server that dies of SIGPIPE must be told about
//! `signal(SIGPIPE, SIG_IGN)`, not about BrokenPipeError, and a Java stack
//! trace names its own classes. The runner recognises the language once,
//! from the command and the files, and records it here so that each
//! reporter can pick the words that program's author writes.

use serde::Serialize;

/// What the program is written in, as far as its command and files show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python 3: run by a Python interpreter (`python3 server.py`).
    Python,
    /// Python 2: run by `python2`, or a source whose syntax is Python 2's
    /// (a print statement, `raw_input(`, `except E, e:`) whoever runs it.
    Python2,
    /// Native code from C or C++ (an ELF executable): both report errors
    /// through errno and die of the same signals, so they are told alike.
    C,
    /// Java: `java Server`, `java -jar`, `java -cp`, or a `.class` file.
    Java,
    /// Anything else (a shell script, another interpreter), or a program
    /// that could not be looked at.
    #[default]
    Unknown,
}

impl Language {
    /// The name reports use (`"c"`), as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Python2 => "python2",
            Language::C => "c",
            Language::Java => "java",
            Language::Unknown => "unknown",
        }
    }

    /// Whether it is Python, of either version.
    pub fn is_python(self) -> bool {
        matches!(self, Language::Python | Language::Python2)
    }
}
