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
                    say(&clap_problem(&e.to_string()));
                    ExitCode::from(2)
                }
            };
        }
    };
    let result = match cli.command {
        Some(Command::BenchUi(args)) => run_bench_ui(&args),
        #[cfg(feature = "gui")]
        Some(Command::Animate(args)) => run_animate(&args),
        Some(command) => nnviz::cli::run(command),
        None => open_app(&cli),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&e.message);
            ExitCode::from(e.status)
        }
    }
}

/// Writes `nnviz: <message>` on standard error, one line, long values shortened; a closed
/// standard error is no reason to panic.
fn say(message: &str) {
    use std::io::Write as _;
    let line = nnviz::text::short_line(&message.replace('\n', " "));
    let _ = writeln!(std::io::stderr().lock(), "nnviz: {line}");
}

/// Clap's message as one line naming the problem: its lines up to the usage block (which would
/// bury it) joined, so that "the following required arguments were not provided:" keeps the
/// arguments it lists.
fn clap_problem(text: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if line.is_empty() {
            continue;
        }
        let line = line.trim_start_matches("error: ");
        parts.push(match line.strip_prefix("tip: ") {
            Some(tip) => format!("({tip})"),
            None => line.to_string(),
        });
    }
    if parts.is_empty() {
        return "invalid arguments (see nnviz --help)".into();
    }
    parts.join(" ")
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

/// `nnviz animate`, with the app's presets and comparisons.
#[cfg(feature = "gui")]
fn run_animate(args: &nnviz::cli::animate::AnimateArgs) -> Result<(), CliError> {
    use nnviz::app::settings::Settings;
    let settings = match (&args.compare, preset(args.preset.as_deref())?) {
        (Some(text), _) => {
            Some(nnviz::app::presets::parse_compare(text, &Settings::default()).map_err(CliError)?)
        }
        (None, Some(preset)) => Some(preset.settings(&Settings::default())),
        (None, None) => None,
    };
    let build = || match settings {
        None => nnviz::cli::animate::from_train_args(&args.train),
        Some(settings) => {
            let dataset = settings.builtin.generate(&settings.generator);
            let prepared = std::sync::Arc::new(
                nnviz::app::session::prepare_data(&settings, &dataset).map_err(CliError)?,
            );
            let count = settings.run_count();
            let runs = (0..count)
                .map(|k| {
                    let name = if count > 1 {
                        format!("run {}", k + 1)
                    } else {
                        String::new()
                    };
                    (name, settings.run_spec(k).clone())
                })
                .collect();
            Ok(nnviz::cli::animate::Animation {
                axes: nnviz::ui::decision::axis_features(&settings, dataset.n_features()),
                iterations: args
                    .train
                    .iterations
                    .or(settings.run.training.stop_after)
                    .unwrap_or(nnviz::cli::DEFAULT_ITERATIONS),
                prepared,
                runs,
                dataset,
            })
        }
    };
    nnviz::cli::animate::run(args, build)
}

/// `--compare`'s text, checked (the app reads it again).
#[cfg(feature = "gui")]
fn checked_compare(text: Option<&str>) -> Result<Option<String>, CliError> {
    let Some(text) = text else {
        return Ok(None);
    };
    nnviz::app::presets::parse_compare(text, &nnviz::app::settings::Settings::default())
        .map_err(CliError)?;
    Ok(Some(text.to_owned()))
}

#[cfg(feature = "gui")]
fn open_app(cli: &Cli) -> Result<(), CliError> {
    use nnviz::data::Builtin;
    let preset = preset(cli.preset.as_deref())?;
    let builtin = cli
        .dataset
        .as_deref()
        .map(|name| {
            name.parse::<Builtin>()
                .map_err(|e| CliError(format!("--dataset: {e}")))
        })
        .transpose()?;
    let compare = checked_compare(cli.compare.as_deref())?;
    let options = nnviz::app::AppOptions {
        preset,
        csv: cli.data.clone(),
        builtin,
        fresh: false,
        compare,
        setup: cli.setup.clone(),
        lesson: cli.lesson.clone(),
        session: cli.session.clone(),
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
    let options = nnviz::app::AppOptions {
        preset: preset(args.preset.as_deref())?,
        fresh: true,
        // The file is loaded below, as the window loads it, to time the frames meanwhile.
        csv: None,
        builtin: None,
        compare: checked_compare(args.compare.as_deref())?,
        setup: None,
        lesson: None,
        session: None,
    };
    let mut app = nnviz::app::App::headless(&options, None);
    let load = args
        .data
        .as_ref()
        .map(|path| nnviz::app::bench_csv_load(&mut app, path, args.fps));
    if let Some(hidden) = &args.hidden {
        let mut settings = app.settings.clone();
        settings.run.network.hidden = nnviz::cli::hidden_layers(hidden, &args.activation)?;
        app.apply_settings(settings);
    }
    if args.init.is_some() || args.learning_rate.is_some() {
        let mut settings = app.settings.clone();
        if let Some(init) = args.init {
            settings.run.network.init = init;
        }
        if let Some(rate) = args.learning_rate {
            settings.run.training.learning_rate = rate;
        }
        app.apply_settings(settings);
    }
    let mut report = nnviz::app::bench_app(&mut app, args.frames as usize, args.fps);
    report.load = load;
    // What closing the window costs: the worker stops within one iteration and is joined.
    let closing = std::time::Instant::now();
    drop(app);
    report.close_ms = Some(closing.elapsed().as_secs_f64() * 1000.0);
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    // A closed pipe only loses the report.
    let _ = writeln!(out, "{report:?}").and_then(|()| {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&report).unwrap_or_default()
        )
    });
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
