//! The built-in suite is compiled into the binary (include_dir), which does
//! not tell cargo about files added to `scenarios/`; this does, so a new
//! scenario file is picked up without touching the source.
fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    // The verdict matrix and the bad-scenario files are test cases named by
    // rstest's `#[files]` at compile time: a new one must rebuild the tests.
    println!("cargo:rerun-if-changed=tests/verdicts");
    println!("cargo:rerun-if-changed=tests/bad-scenarios");
}
