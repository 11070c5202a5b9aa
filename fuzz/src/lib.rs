//! The fuzz targets' invariants, as a library so the targets stay one line each.

pub mod invariants;
