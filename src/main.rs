//! The `nnviz` binary: the app, or a headless command.

use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;
use nnviz::cli::{Cli, Command};

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

#[cfg(feature = "gui")]
fn open_app(cli: &Cli) -> Result<(), nnviz::cli::CliError> {
    let _ = cli;
    use clap::CommandFactory as _;
    let _ = Cli::command().print_help();
    Ok(())
}

#[cfg(not(feature = "gui"))]
fn open_app(_cli: &Cli) -> Result<(), nnviz::cli::CliError> {
    use clap::CommandFactory as _;
    let _ = Cli::command().print_help();
    Ok(())
}

fn run_bench_ui(args: &nnviz::cli::BenchUiArgs) -> Result<(), nnviz::cli::CliError> {
    let _ = args;
    Err(nnviz::cli::CliError("bench-ui is not built yet".into()))
}
