//! The built-in suite is compiled into the binary (include_dir), which does
//! not tell cargo about files added to `scenarios/`; this does, so a new
//! scenario file is picked up without touching the source.
fn main() {
    println!("cargo:rerun-if-changed=scenarios");
}
