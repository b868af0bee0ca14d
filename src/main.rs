//! The `nnviz` binary.
fn main() -> anyhow::Result<()> {
    nnviz::app::run_app(nnviz::app::AppOptions::default())
}
