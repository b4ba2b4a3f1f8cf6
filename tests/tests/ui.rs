//! Compile-fail tests: each misuse of the macros is a compile error that points at
//! the user's token and says what to write instead. The messages are pinned in
//! `ui/*.stderr`; regenerate them with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}
