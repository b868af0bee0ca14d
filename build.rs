//! Tells the tests whether the article's reference files are given (`NNVIZ_REFERENCE`).
//!
//! The tests that compare against R's results are marked `#[ignore]` when the variable is unset,
//! so the test summary counts them as ignored, with the reason, instead of passing them silently.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(nnviz_reference)");
    println!("cargo::rerun-if-env-changed=NNVIZ_REFERENCE");
    if std::env::var_os("NNVIZ_REFERENCE").is_some_and(|dir| !dir.is_empty()) {
        println!("cargo::rustc-cfg=nnviz_reference");
    }
}
