//! Native cost of the three operations every request pays: unseal, seal, authenticate.
//! Run with `scripts/bench` (or `cargo bench -p workos-edge-core --bench core`); criterion
//! reports the time per operation with its spread.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::Value;
use workos_edge_core::authenticate::{authenticate, open_session};
use workos_edge_core::cookie::{seal_json, unseal_json};
use workos_edge_core::iron::SealRandomness;
use workos_edge_core::jwt::{self, Jwks, RustRsaVerifier, VerifyOptions};
use workos_edge_core::PasswordSet;

const NOW_MS: u64 = 1_795_801_917_309;

fn fixtures() -> (String, PasswordSet, Jwks, Value) {
    let vectors: Value = serde_json::from_str(include_str!("../tests/data/public.json")).unwrap();
    // The organization session (2.3 KB cookie, RBAC claims): a realistic AuthKit cookie.
    let vector = &vectors["seal_vectors"][2];
    let passwords = PasswordSet::single(vector["password"].as_str().unwrap()).unwrap();
    let jwks: Jwks = serde_json::from_value(vectors["jwks"].clone()).unwrap();
    (
        vector["sealed"].as_str().unwrap().to_owned(),
        passwords,
        jwks,
        vector["expected_unsealed_json"].clone(),
    )
}

fn benches(c: &mut Criterion) {
    let (cookie, passwords, jwks, session) = fixtures();
    let options = VerifyOptions::default();
    let randomness = SealRandomness::from_bytes([7; 80]);
    let token = session["accessToken"].as_str().unwrap().to_owned();

    c.bench_function("unseal", |b| {
        b.iter(|| unseal_json(black_box(&cookie), &passwords, NOW_MS).unwrap())
    });
    c.bench_function("seal", |b| {
        b.iter(|| seal_json(black_box(&session), &passwords, &randomness, None))
    });
    c.bench_function("open_session (unseal + checks, no RSA)", |b| {
        b.iter(|| open_session(Some(black_box(&cookie)), &passwords, NOW_MS).unwrap())
    });
    c.bench_function("jwt verify (RS256, pure Rust)", |b| {
        b.iter(|| {
            jwt::verify(
                black_box(&token),
                &jwks,
                &RustRsaVerifier,
                (NOW_MS / 1000) as i64,
                &options,
            )
            .unwrap()
        })
    });
    c.bench_function("authenticate (unseal + RS256 + claims)", |b| {
        b.iter(|| {
            authenticate(
                Some(black_box(&cookie)),
                &passwords,
                &jwks,
                &RustRsaVerifier,
                NOW_MS,
                &options,
            )
            .unwrap()
        })
    });
}

criterion_group!(core, benches);
criterion_main!(core);
