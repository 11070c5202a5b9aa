//! The fuzz corpus, replayed without the fuzzer: every seed (fuzz/seeds/<target>/) and every
//! crash the fuzzer found, minimised (fuzz/regressions/<target>/), goes through the same
//! invariants the cargo-fuzz targets check (fuzz/src/invariants.rs, included here as is).
//! Coverage-guided runs: scripts/fuzz (needs a nightly toolchain).

#[path = "../../../fuzz/src/invariants.rs"]
mod invariants;

use std::panic;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Runs every file of `fuzz/<kind>/<target>/` through its target's invariants; returns how many
/// ran and a line per failure.
fn replay(kind: &str) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for &(target, check) in invariants::TARGETS {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            let data = std::fs::read(file).unwrap();
            ran += 1;
            if let Err(panic) = panic::catch_unwind(|| check(&data)) {
                let message = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                let name = file.strip_prefix(fuzz_dir()).unwrap_or(file);
                failures.push(format!("{}: {message}", name.display()));
            }
        }
    }
    (ran, failures)
}

#[test]
fn seeds_hold_every_invariant() {
    let (ran, failures) = replay("seeds");
    assert!(ran > 0, "no seeds found under {}", fuzz_dir().display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn crashes_found_by_fuzzing_stay_fixed() {
    let (_, failures) = replay("regressions");
    assert!(
        failures.is_empty(),
        "{} saved fuzz crash(es) still fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
