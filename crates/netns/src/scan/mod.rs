//! What addresses a submission uses, read from its source the way a
//! teacher would read it: the quoted IPv4 addresses, the host names, and
//! the (host, port) pairs it binds, connects or sends to, whether written
//! as a tuple `('10.16.129.97', 7777)`, as `HOST = '...'` and `PORT = 7777`
//! beside it, or as a URL. Homework is graded as handed in, so the private
//! network of a target is made to carry exactly these.
//!
//! Only quoted addresses count: a version number or a timestamp in a
//! comment is not an address a program can bind, and a line that is a
//! comment (`# s.connect(('10.0.0.1', 80))`, code the student turned off)
//! is not read at all.
//!
//! A name is a host only where the text says so, because a wrong guess
//! costs: without a private network, a client that names a host is not
//! run. So a dotted name counts in a (host, port) pair, as a URL's host, in
//! a variable whose name says host or server, or as what is looked up
//! (`gethostbyname`, `getaddrinfo`, `HTTPConnection`); a name without a dot
//! (`'tedu-server'`) only where the context says host (such a variable, a
//! look-up, `connect((...))` or `sendto(..., (...))`), never in any pair:
//! `('ok', 200)` is a reply and a status. A dotted word whose last part is
//! a file type (`'index.html'`) or a number (`'3.11.7'`) is never a host.
//!
//! One idea a file: the result ([`found`]), whether a word is a host name
//! ([`host`]), reading a source file's text ([`text`]), reading a command
//! line ([`args`]), and walking a submission's folder ([`folder`]).

mod args;
mod folder;
mod found;
mod host;
mod text;

pub use args::scan_args;
pub use folder::scan_folder;
pub use found::{Endpoint, Found};
pub use text::scan_text;

#[cfg(test)]
mod args_tests;
#[cfg(test)]
mod tests;
