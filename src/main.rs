//! The `nnviz` binary (temporary driver for the app; the lead's CLI replaces it).
fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let preset = value("--preset").and_then(|p| nnviz::app::presets::Preset::from_name(&p));
    let frames: u64 = value("--frames").and_then(|f| f.parse().ok()).unwrap_or(30);
    if args.iter().any(|a| a == "bench-ui") {
        let report = nnviz::app::bench_ui(frames as usize, preset);
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    if let Some(path) = value("--screenshot") {
        return nnviz::app::screenshot(std::path::Path::new(&path), frames, preset);
    }
    nnviz::app::run_app(nnviz::app::AppOptions {
        preset,
        fresh: args.iter().any(|a| a == "--fresh"),
        csv: value("--csv").map(Into::into),
    })
}
