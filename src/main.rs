//! The `nnviz` binary: the app, or a headless command.

use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;
use nnviz::cli::{Cli, CliError, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    ExitCode::SUCCESS
                }
                _ => {
                    // One line naming the problem; clap's usage block would bury it.
                    let text = e.to_string();
                    let first = text.lines().next().unwrap_or("invalid arguments");
                    eprintln!("nnviz: {}", first.trim_start_matches("error: "));
                    ExitCode::from(2)
                }
            };
        }
    };
    let result = match cli.command {
        Some(Command::BenchUi(args)) => run_bench_ui(&args),
        Some(command) => nnviz::cli::run(command),
        None => open_app(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nnviz: {}", e.message);
            ExitCode::from(e.status)
        }
    }
}

/// The preset named on the command line, if any.
#[cfg(feature = "gui")]
fn preset(name: Option<&str>) -> Result<Option<nnviz::app::presets::Preset>, CliError> {
    use nnviz::app::presets::Preset;
    name.map(|n| {
        Preset::from_name(n).ok_or_else(|| {
            CliError(format!(
                "unknown preset {n:?}; presets are {}",
                Preset::names()
            ))
        })
    })
    .transpose()
}

#[cfg(feature = "gui")]
fn open_app(cli: &Cli) -> Result<(), CliError> {
    use nnviz::data::Builtin;
    let preset = preset(cli.preset.as_deref())?;
    let builtin = cli
        .dataset
        .as_deref()
        .map(|name| {
            Builtin::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
                CliError(format!(
                    "unknown data set {name:?}; built-in data sets are {}",
                    names.join(", ")
                ))
            })
        })
        .transpose()?;
    let options = nnviz::app::AppOptions {
        preset,
        csv: cli.data.clone(),
        builtin,
        fresh: false,
    };
    let result = match &cli.screenshot {
        Some(path) => nnviz::app::screenshot(path, u64::from(cli.frames), options),
        None => nnviz::app::run_app(options),
    };
    result.map_err(|e| CliError {
        message: format!("{e:#}"),
        status: 1,
    })
}

#[cfg(feature = "gui")]
fn run_bench_ui(args: &nnviz::cli::BenchUiArgs) -> Result<(), CliError> {
    let preset = preset(args.preset.as_deref())?;
    let frames = args.frames as usize;
    let report = match &args.data {
        Some(csv) => {
            let options = nnviz::app::AppOptions {
                preset,
                fresh: true,
                csv: Some(csv.clone()),
                builtin: None,
            };
            nnviz::app::bench_app(&mut nnviz::app::App::headless(&options, None), frames)
        }
        None => nnviz::app::bench_ui(frames, preset),
    };
    println!("{report:?}");
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn open_app(_cli: &Cli) -> Result<(), CliError> {
    use clap::CommandFactory as _;
    let _ = Cli::command().print_help();
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn run_bench_ui(_args: &nnviz::cli::BenchUiArgs) -> Result<(), CliError> {
    Err(CliError(
        "bench-ui needs the app: build with the `gui` feature".into(),
    ))
}
