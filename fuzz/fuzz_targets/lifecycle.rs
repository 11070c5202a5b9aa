#![no_main]
//! Fuzz target `lifecycle`: the invariants live in fuzz/src/invariants.rs, shared with the replay test
//! crates/core/tests/fuzz_regressions.rs.

libfuzzer_sys::fuzz_target!(|data: &[u8]| workos_edge_fuzz::invariants::lifecycle(data));
