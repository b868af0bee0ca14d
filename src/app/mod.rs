//! The eframe app: settings, runtime session, commands from widgets, persistence, and the
//! headless helpers (`screenshot`, `bench_ui`) the command line calls.

pub mod commands;
pub mod csv_load;
pub mod dialog;
pub mod lesson;
pub mod presets;
pub mod session;
pub mod session_file;
pub mod settings;
pub mod setup;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use egui::{CollapsingHeader, ScrollArea};
use serde::Serialize;

use crate::data::{Builtin, CsvSource};
use crate::train::spec::Defaults;
use crate::ui;
use crate::ui::decision::{DecisionGrid, Shading};

use commands::Notice;
pub use commands::{Command, ExportKind};
use csv_load::{CsvInput, CsvLoad};
use dialog::{DialogOutcome, DialogPurpose, DialogTask};
use presets::Preset;
use session::{LARGE_BATCH, LARGE_ROWS, Session};
use settings::{Loaded, Settings, SettingsFile};

/// How the app starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppOptions {
    /// Start with this experiment of the article.
    pub preset: Option<Preset>,
    /// Ignore stored settings (and store none): the defaults, reproducibly.
    pub fresh: bool,
    /// Start with this CSV file.
    pub csv: Option<PathBuf>,
    /// Start with this built-in data set (its default generator options).
    pub builtin: Option<Builtin>,
    /// Start comparing: a comparison's name or preset names separated by commas (see
    /// [`presets::parse_compare`]; checked before the window opens).
    pub compare: Option<String>,
    /// Apply this setup text (see [`setup`]) once the data is loaded.
    pub setup: Option<String>,
    /// Open this lesson: a built-in lesson's name or a lesson file.
    pub lesson: Option<String>,
    /// Open this session file (see [`session_file`]) last.
    pub session: Option<PathBuf>,
}

/// The app: what the user chose, what was computed from it, and caches.
pub struct App {
    /// What the user chose.
    pub settings: Settings,
    /// Data, trainer, history.
    pub session: Session,
    /// The decision-grid textures, one per run.
    pub grids: Vec<DecisionGrid>,
    /// Hidden unit under the pointer in the network diagram.
    pub hovered_unit: Option<(usize, usize)>,
    /// The pictures on the network diagram's hidden units.
    unit_maps: ui::unit_maps::UnitMaps,
    /// The health table's last measurement.
    health: ui::health::HealthCache,
    /// nnviz's own file browser, open where no system dialog could be shown.
    file_browser: Option<(DialogPurpose, ui::file_browser::FileBrowser)>,
    /// The folder the browser last picked a file in: it opens there next time.
    browse_folder: Option<PathBuf>,
    /// The weight being edited by hand, if its editor is open.
    pub weight_editor: Option<ui::network::WeightEditor>,
    /// The explain panel, if open.
    pub explain: Option<ui::explain::ExplainPanel>,
    /// The text of the Paste setup window, while it is open.
    pub paste_setup: Option<String>,
    /// The last setup text copied (also put on the clipboard).
    pub copied_setup: Option<String>,
    /// The lesson open, if any.
    pub lesson: Option<lesson::LessonState>,
    /// The hidden-space window, if open.
    pub hidden_space: Option<ui::hidden_space::HiddenSpaceView>,
    dialog: Option<DialogTask>,
    /// A large CSV file being read on a helper thread.
    csv_load: Option<CsvLoad>,
    /// Where the decision plot was drawn last frame (the PNG export crops a screenshot to it).
    plot_rect: Option<egui::Rect>,
    /// A PNG export waiting for its screenshot: where it goes, and the outcome once written.
    png_export: Option<PendingExport>,
    /// A PNG export to draw and take in the next frame.
    png_pending: Option<PathBuf>,
    applied_dark: Option<bool>,
    /// The zoom factor last given to egui.
    applied_zoom: Option<f32>,
    settings_file: Option<SettingsFile>,
    /// The window's context, once the first frame has run: the worker thread asks it for a
    /// frame whenever it publishes a new state.
    repaint: Arc<OnceLock<egui::Context>>,
    /// What Undo brings back: the settings (and the data, where it changed) before the last
    /// preset, comparison or "Use logistic regression".
    undo: Option<Undo>,
    /// The run whose finished experiment was announced (see [`App::announce_finish`]).
    announced: Option<u64>,
}

/// The state before a one-click change, for Undo.
struct Undo {
    settings: Settings,
    /// The data set and its CSV source, if the change replaced them.
    data: Option<(crate::data::Dataset, Option<CsvSource>)>,
    /// The lesson open before, if the change opened one (`Some(None)`: none was open).
    lesson: Option<Option<lesson::LessonState>>,
}

/// A screenshot-based PNG export under way.
type PendingExport = Arc<Mutex<Option<Result<PathBuf, String>>>>;

/// Time per frame for the decision grid of new weights, computed a slice at a time.
const SLICE_BUDGET: Duration = Duration::from_micros(1500);

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// The app as eframe creates it: stored settings (if valid) or the defaults, playing.
    pub fn new(cc: &eframe::CreationContext<'_>) -> Self {
        Self::with_options(cc, &AppOptions::default())
    }

    /// The app with start options; unless they ask for fresh settings, the stored ones.
    pub fn with_options(cc: &eframe::CreationContext<'_>, options: &AppOptions) -> Self {
        ui::install_fonts(&cc.egui_ctx);
        let file = if options.fresh {
            None
        } else {
            SettingsFile::in_data_dir()
        };
        Self::headless(options, file)
    }

    /// The app without a window. Settings come from `file` if given (which later saves go to),
    /// else the defaults; a corrupt file is reported in the window and the defaults are used.
    pub fn headless(options: &AppOptions, file: Option<SettingsFile>) -> Self {
        let loaded = file.as_ref().map_or_else(
            || Loaded {
                settings: Settings::default(),
                problem: None,
            },
            SettingsFile::load,
        );
        let mut settings = loaded.settings;
        if let Some(preset) = options.preset {
            settings = settings.start_experiment(preset.label(), preset.settings(&settings));
        }
        if let Some(compare) = &options.compare
            && let Ok(compared) = presets::parse_compare(compare, &settings)
        {
            settings = settings.start_experiment(compare, compared);
        }
        if let Some(builtin) = options.builtin {
            settings.builtin = builtin;
            settings.generator = presets::default_generator(builtin);
            settings.leave_experiment();
        }
        // Settings saved before the defaults fitted the data, and a data set chosen above.
        if settings.own.is_none() {
            settings.follow_defaults(Defaults::for_builtin(Some(settings.builtin)));
        }
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let notify = {
            let repaint = Arc::clone(&repaint);
            move || {
                if let Some(ctx) = repaint.get() {
                    ctx.request_repaint();
                }
            }
        };
        let session = Session::new(
            &settings,
            settings.builtin.generate(&settings.generator),
            None,
            notify.clone(),
        )
        .or_else(|_| {
            settings = Settings::default();
            Session::new(
                &settings,
                settings.builtin.generate(&settings.generator),
                None,
                notify,
            )
        })
        .expect("the default settings always make a session");
        let mut app = Self {
            settings,
            session,
            grids: Vec::new(),
            hovered_unit: None,
            unit_maps: ui::unit_maps::UnitMaps::default(),
            health: ui::health::HealthCache::default(),
            weight_editor: None,
            explain: None,
            paste_setup: None,
            copied_setup: None,
            lesson: None,
            hidden_space: None,
            file_browser: None,
            browse_folder: None,
            dialog: None,
            csv_load: None,
            plot_rect: None,
            png_export: None,
            png_pending: None,
            applied_dark: None,
            applied_zoom: None,
            settings_file: file,
            repaint,
            undo: None,
            announced: None,
        };
        app.session.set_playing(true);
        if let Some(path) = &options.csv {
            app.apply(Command::LoadCsvPath(path.clone()), None);
            // No frames to keep drawing here: the file is read before the app is handed over.
            if let Some(load) = app.csv_load.take() {
                app.use_csv(load.wait());
            }
        }
        if let Some(preset) = options.preset {
            app.session.notice = Some(Notice::info(format!(
                "{}: the article reports {}.",
                preset.label(),
                preset.article_result()
            )));
        }
        if let Some(text) = &options.setup {
            app.apply(Command::ApplySetup(text.clone()), None);
        }
        if let Some(name) = &options.lesson {
            app.apply(
                match crate::lesson::builtin::get(name) {
                    Some(_) => Command::OpenBuiltinLesson(name.clone()),
                    None => Command::OpenLessonPath(PathBuf::from(name)),
                },
                None,
            );
        }
        if let Some(path) = &options.session {
            app.apply(
                picked_command(DialogPurpose::OpenSession, path.clone()),
                None,
            );
        }
        if let Some(problem) = loaded.problem {
            app.session.notice = Some(Notice::error(problem));
        }
        app
    }

    /// The name of the loaded CSV file, if the data is one.
    fn csv_name(&self) -> Option<String> {
        self.session
            .csv
            .as_ref()
            .map(|c| c.table.file_name().to_owned())
    }

    /// One frame: take the runs' newest state from their worker, refresh the decision grid a
    /// slice at a time, lay out every panel, then apply what the widgets asked for.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let start = Instant::now();
        let ctx = ui.ctx().clone();
        self.repaint.get_or_init(|| ctx.clone());
        if self.applied_dark != Some(self.settings.dark) {
            ctx.set_theme(if self.settings.dark {
                egui::Theme::Dark
            } else {
                egui::Theme::Light
            });
            self.applied_dark = Some(self.settings.dark);
        }
        // The zoom: the setting's, or the keyboard's (Ctrl + / −) taken into the setting.
        match self.applied_zoom {
            Some(z) if (ctx.zoom_factor() - z).abs() > 1e-3 => {
                self.settings.zoom = ctx
                    .zoom_factor()
                    .clamp(settings::ZOOM_RANGE.0, settings::ZOOM_RANGE.1);
                self.applied_zoom = Some(self.settings.zoom);
            }
            Some(z) if (self.settings.zoom - z).abs() <= 1e-3 => {}
            _ => {
                ctx.set_zoom_factor(self.settings.zoom);
                self.applied_zoom = Some(self.settings.zoom);
            }
        }
        let mut commands = Vec::new();
        input_commands(&ctx, self.session.scrubbed_to().is_some(), &mut commands);
        self.poll_dialog(&mut commands);
        self.poll_csv_load();
        self.session.refresh();
        self.announce_finish();
        self.check_lesson_goal();
        let shading = self
            .hovered_unit
            .map_or(Shading::Prediction, |(l, u)| Shading::Unit(l, u));
        let runs = self.session.runs().len();
        self.grids.resize_with(runs, DecisionGrid::default);
        let view = data_view(&self.session);
        for (k, grid) in self.grids.iter_mut().enumerate() {
            let shading = if k == self.settings.selected {
                shading
            } else {
                Shading::Prediction
            };
            let run = self.session.run(k);
            grid.update(&ctx, &view, run, &self.settings, shading, SLICE_BUDGET);
        }
        let comparing = runs > 1;
        let defaults = self.data_defaults();
        self.unit_maps.update(
            &ctx,
            &view,
            self.session.run(self.settings.selected),
            &self.settings,
        );

        let mut settings = self.settings.clone();
        let mut hovered = None;
        let session = &self.session;
        let unit_maps = &self.unit_maps;
        let health = &mut self.health;
        let lesson = self.lesson.as_ref();
        let view = data_view(session);
        // At 1280 × 800 everything that matters fits without scrolling: the controls that are
        // changed rarely are folded, the curves sit under the plot, and the network diagram
        // takes the height the figures above it leave.
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui::controls::toolbar_ui(
                ui,
                session.playing(),
                session.runs(),
                &session.dataset.name,
                &mut settings,
                &mut commands,
            );
        });

        // On a small screen (800 × 600) neither side panel takes more than 30 % of the width,
        // so that the plots keep the middle. The panels' sizes are kept per size of window
        // (egui remembers a panel's size by its id): a window made larger does not keep the
        // narrow panels a small one needed.
        let layout = WindowSize::of(ui.max_rect().size());
        let side_max = (ui.max_rect().width() * 0.3).max(200.0);
        let show_controls = settings.show_controls;
        let show_insight = settings.show_insight;
        if show_controls {
            egui::Panel::left(("controls", layout))
                .resizable(true)
                .default_size(layout.controls_width())
                .max_size(side_max)
                .show(ui, |ui| {
                    ScrollArea::vertical().show(ui, |ui| {
                        use crate::lesson::Control;
                        use ui::lesson::section;
                        let lock = |c: Control| lesson.and_then(|l| l.locked(c));
                        let hide = |c: Control| lesson.is_some_and(|l| l.hidden(c));
                        match lesson {
                            Some(state) => {
                                CollapsingHeader::new("Lesson")
                                    .default_open(true)
                                    .show(ui, |ui| {
                                        ui::lesson::lesson_ui(
                                            ui,
                                            &ui::lesson::LessonPanel {
                                                lesson: &state.lesson,
                                                step: state.step,
                                                status: state.status.as_ref(),
                                                met_at: state.met_at,
                                                hints_shown: state.hints_shown,
                                            },
                                            &mut commands,
                                        );
                                    });
                            }
                            None => {
                                CollapsingHeader::new("Lessons")
                                    .show(ui, |ui| ui::lesson::lessons_ui(ui, &mut commands));
                            }
                        }
                        if !hide(Control::Presets) {
                            section(
                                ui,
                                "Article presets",
                                lesson.is_none(),
                                lock(Control::Presets),
                                |ui| {
                                    ui::controls::presets_ui(ui, &mut commands);
                                },
                            );
                        }
                        if !hide(Control::Compare) {
                            section(
                                ui,
                                "Compare runs",
                                comparing,
                                lock(Control::Compare),
                                |ui| {
                                    ui::controls::compare_ui(ui, &settings, &mut commands);
                                },
                            );
                        }
                        if !hide(Control::Data) {
                            section(ui, "Data", true, lock(Control::Data), |ui| {
                                ui::controls::data_ui(ui, &view, &mut settings, &mut commands);
                            });
                        }
                        if comparing {
                            ui::controls::run_picker_ui(ui, &mut settings, &mut commands);
                        }
                        if !hide(Control::Network) {
                            section(ui, "Network", true, lock(Control::Network), |ui| {
                                ui::controls::network_controls_ui(ui, settings.selected_spec_mut());
                            });
                        }
                        if !hide(Control::Training) {
                            section(ui, "Training", true, lock(Control::Training), |ui| {
                                ui::controls::training_ui(
                                    ui,
                                    settings.selected_spec_mut(),
                                    session.is_classification(),
                                    defaults,
                                );
                            });
                        }
                        if !hide(Control::View) {
                            section(ui, "View", true, lock(Control::View), |ui| {
                                ui::controls::view_ui(ui, &mut settings);
                            });
                        }
                        if !hide(Control::Share) {
                            section(ui, "Share", true, lock(Control::Share), |ui| {
                                ui::controls::share_ui(ui, &mut commands);
                            });
                        }
                        if !hide(Control::Export) {
                            section(ui, "Export", false, lock(Control::Export), |ui| {
                                ui::controls::export_ui(ui, &mut commands);
                            });
                        }
                    });
                });
        }
        if show_insight {
            egui::Panel::right(("insight", layout))
                .resizable(true)
                .default_size(layout.insight_width())
                .max_size(side_max)
                .show(ui, |ui| {
                    let bottom = ui.max_rect().bottom();
                    // Both ways: a narrow window may cut the numbers table.
                    ScrollArea::both().show(ui, |ui| {
                        if comparing {
                            ui::stats::compare_table_ui(
                                ui,
                                &view,
                                session.runs(),
                                &mut settings.selected,
                            );
                            if settings.is_seed_comparison() {
                                ui::stats::seed_range_ui(ui, session.runs());
                            }
                            ui.weak(format!(
                                "{} iterations/s in all · frame {:.1} ms",
                                ui::stats::format_count(
                                    session.stats.iterations_per_second.round() as u64
                                ),
                                session.stats.frame_ms
                            ));
                        } else {
                            ui::stats::numbers_ui(
                                ui,
                                &view,
                                session.main(),
                                session.stats,
                                session.diverged_at(),
                            );
                            ui::explain::wrong_ui(
                                ui,
                                &view,
                                session.main(),
                                &mut settings.list_wrong,
                                &mut commands,
                            );
                        }
                        ui::stats::baseline_ui(
                            ui,
                            &view,
                            session.baseline(),
                            session.baseline_seed,
                            &mut commands,
                        );
                        ui::health::health_ui(ui, health, session.run(settings.selected));
                        ui.horizontal_wrapped(|ui| {
                            if ui
                                .button("Explain a row…")
                                .on_hover_text(
                                    "One row's forward and backward pass, in the article's \
                                     notation, live (E)",
                                )
                                .clicked()
                            {
                                commands.push(Command::OpenExplain);
                            }
                            if ui
                                .button("Hidden space…")
                                .on_hover_text(
                                    "The rows where the last hidden layer puts them: the \
                                     output is a logistic regression on that space",
                                )
                                .clicked()
                            {
                                commands.push(Command::ToggleHiddenSpace);
                            }
                        });
                        ui.separator();
                        let selected = session.run(settings.selected);
                        if comparing {
                            ui.label(
                                egui::RichText::new(format!("Run {}", settings.selected + 1))
                                    .strong()
                                    .color(ui::run_color(settings.selected)),
                            );
                        }
                        let confusions = if comparing {
                            0.0
                        } else {
                            ui::stats::confusions_height(&view, ui.available_width())
                        };
                        let left = bottom - ui.cursor().top() - confusions;
                        let (inputs, outputs) = diagram_names(session, &selected.network);
                        let diagram = ui::network::network_ui(
                            ui,
                            &selected.network,
                            &inputs,
                            &outputs,
                            Some(unit_maps),
                            left.clamp(160.0, 420.0),
                        );
                        hovered = diagram.hovered_unit;
                        if let Some((layer, row, col)) = diagram.picked {
                            commands.push(Command::PickWeight {
                                run: settings.selected,
                                layer,
                                row,
                                col,
                            });
                        }
                        if !comparing {
                            ui.separator();
                            ui::stats::confusions_ui(ui, &view, session.main());
                        }
                    });
                });
        }
        egui::Panel::bottom(("curves", layout))
            .resizable(true)
            .default_size(layout.curves_height())
            .show(ui, |ui| {
                let series: Vec<ui::curves::Series<'_>> = session
                    .runs()
                    .iter()
                    .enumerate()
                    .map(|(k, run)| ui::curves::Series {
                        name: format!("run {}", k + 1),
                        history: &run.history,
                        rows: session.rows_per_loss(k),
                        color: comparing.then(|| ui::run_color(k)),
                        diverged_at: match &run.stopped {
                            Some(crate::train::Stop::Diverged { iteration, .. }) => {
                                Some(*iteration)
                            }
                            _ => None,
                        },
                    })
                    .collect();
                ui::timeline::timeline_ui(
                    ui,
                    &session.main().moments,
                    session.scrubbed_to(),
                    session.live_iteration(),
                    &mut commands,
                );
                let band = settings.is_seed_comparison();
                ui::curves::curves_ui(
                    ui,
                    &series,
                    &mut settings.log_loss,
                    session.scrubbed_to().map(|_| session.main().iteration),
                    band,
                );
            });
        let grids = &self.grids;
        let shown = &self.settings;
        // A PNG export draws this frame as its picture looks (title, no hints), then takes it.
        let picture = self
            .png_pending
            .as_ref()
            .filter(|_| !comparing)
            .map(|_| picture_title(&view, session.main(), &shown.run.summary()));
        let central = egui::CentralPanel::default().show(ui, |ui| {
            if comparing {
                ui::compare::small_multiples_ui(
                    ui,
                    grids,
                    &view,
                    (session.runs(), self.explain.as_ref().map(|e| Some(e.row))),
                    shown,
                    &mut commands,
                )
            } else {
                let role = match &picture {
                    Some(title) => ui::decision::PlotRole::Picture(title),
                    None => ui::decision::PlotRole::Window {
                        explaining: self.explain.as_ref().map(|e| Some(e.row)),
                    },
                };
                ui::decision::decision_plot_ui(
                    ui,
                    role,
                    &grids[0],
                    session.main(),
                    &view,
                    shown,
                    &mut commands,
                )
            }
        });
        // No message over the exported picture.
        if let Some(notice) = session.notice.as_ref().filter(|_| picture.is_none()) {
            ui::controls::notice_ui(&ctx, central.response.rect, notice, &mut commands);
        }
        // A little margin around the plot in the exported picture.
        self.plot_rect = Some(central.inner.expand(4.0).intersect(central.response.rect));
        self.hovered_unit = hovered;
        self.file_browser_ui(&ctx, &mut commands);
        if let Some(editor) = &mut self.weight_editor {
            ui::network::weight_editor_ui(&ctx, editor, &mut commands);
        }
        if let Some(panel) = &mut self.explain {
            let run = self.session.run(self.settings.selected);
            let (inputs, _) = diagram_names(&self.session, &run.network);
            let view = data_view(&self.session);
            let following = (self.session.runs().len() > 1).then_some(self.settings.selected);
            ui::explain::explain_ui(&ctx, panel, &view, (run, following), &inputs, &mut commands);
        }
        if let Some(text) = &mut self.paste_setup
            && !ui::controls::paste_setup_ui(&ctx, text, &mut commands)
        {
            self.paste_setup = None;
        }
        if let Some(state) = &mut self.hidden_space {
            let run = self.session.run(self.settings.selected);
            let view = data_view(&self.session);
            ui::hidden_space::hidden_space_ui(&ctx, state, &view, run, &mut commands);
        }
        if let Some(path) = self.png_pending.take() {
            self.take_picture(&ctx, path);
        }
        self.apply_settings(settings);
        for command in commands {
            self.apply(command, Some(&ctx));
        }
        self.poll_png_export();
        let behind = self
            .grids
            .iter()
            .zip(self.session.runs())
            .any(|(grid, run)| grid.behind(run))
            || self
                .unit_maps
                .behind(self.session.run(self.settings.selected));
        if self.session.busy()
            || behind
            || self.dialog.is_some()
            || self.csv_load.is_some()
            || self.png_export.is_some()
        {
            // Training, or the picture and the numbers catching up with the last weights: the
            // worker also asks for a frame whenever it publishes.
            ctx.request_repaint();
        }
        let took = start.elapsed();
        self.session.record_frame_time(took.as_secs_f64() * 1000.0);
    }

    /// Once a preset or comparison has trained its iterations, says what it reached beside the
    /// article's figure (and why the baseline beats the network, where it does).
    fn announce_finish(&mut self) {
        let Some(own) = &self.settings.own else {
            return;
        };
        let runs = self.session.runs();
        let Some(main) = runs.first() else {
            return;
        };
        // The baseline too, so that the comparison with it holds.
        let baseline = self.session.baseline();
        let finished = runs
            .iter()
            .chain(std::iter::once(baseline))
            .all(|r| r.reached_limit && !r.metrics_behind);
        if !finished || self.announced == Some(main.id) {
            return;
        }
        if self.session.notice.as_ref().is_some_and(|n| n.is_error) {
            return;
        }
        self.announced = Some(main.id);
        let accuracy = |r: &crate::train::worker::RunView| {
            ui::format_percent(r.metrics.as_ref().and_then(|m| m.train.accuracy))
        };
        let iterations = ui::stats::format_count(main.iteration);
        let text = if runs.len() > 1 {
            let each: Vec<String> = runs
                .iter()
                .enumerate()
                .map(|(k, r)| format!("run {} {}", k + 1, accuracy(r)))
                .collect();
            format!(
                "{} finished after {iterations} iterations: {} training accuracy.",
                own.experiment,
                each.join(", ")
            )
        } else {
            let article = Preset::ALL
                .into_iter()
                .find(|p| p.label() == own.experiment)
                .map_or_else(String::new, |p| {
                    format!("; the article reports {}", p.article_result())
                });
            let mut text = format!(
                "{} finished: {} training accuracy after {iterations} iterations{article}.",
                own.experiment,
                accuracy(main)
            );
            let network = main.metrics.as_ref().and_then(|m| m.train.accuracy);
            let baseline = self
                .session
                .baseline()
                .metrics
                .as_ref()
                .and_then(|m| m.train.accuracy);
            if let (Some(n), Some(b)) = (network, baseline)
                && b > n + 1e-9
            {
                text.push_str(&format!(
                    " The baseline scores higher ({}): it is a logistic regression trained with \
                     Adam at rate 0.05 for {} iterations, while this network follows the \
                     article's slow settings (rate {}, plain gradient descent).",
                    ui::format_percent(Some(b)),
                    ui::stats::format_count(session::BASELINE_ITERATIONS),
                    main.spec.training.learning_rate
                ));
            }
            text
        };
        let notice = Notice::info(text);
        self.session.notice = Some(if self.undo.is_some() {
            notice.with_action("Undo", Command::Undo)
        } else {
            notice
        });
    }

    /// The pictures on the network diagram's hidden units.
    pub fn unit_maps(&self) -> &ui::unit_maps::UnitMaps {
        &self.unit_maps
    }

    /// What the panels draw of the data.
    pub fn data_view(&self) -> ui::DataView<'_> {
        data_view(&self.session)
    }

    /// The decision grid of run 1.
    pub fn grid(&self) -> &DecisionGrid {
        static EMPTY: OnceLock<DecisionGrid> = OnceLock::new();
        self.grids
            .first()
            .unwrap_or_else(|| EMPTY.get_or_init(DecisionGrid::default))
    }

    /// Where the decision plot was drawn in the last frame (caption, plot, colour bar), in
    /// points.
    pub fn plot_rect(&self) -> Option<egui::Rect> {
        self.plot_rect
    }

    /// Applies edited settings: rebuilds what depends on what changed. On failure the old
    /// settings stay and the message is shown.
    pub fn apply_settings(&mut self, new: Settings) {
        let mut new = new.sanitized();
        if new == self.settings {
            return;
        }
        // Another data set: a preset's one-off settings stay with the preset's data.
        let (left, followed) = if new.builtin == self.settings.builtin {
            (None, false)
        } else {
            let left = new.leave_experiment();
            let defaults = Defaults::for_builtin(Some(new.builtin));
            let followed = new.follow_defaults(defaults) && defaults != self.data_defaults();
            (left, followed)
        };
        // A message about the settings before (a preset's figure to reach) is out of date.
        let trains_differently = new.runs().ne(self.settings.runs())
            || new.builtin != self.settings.builtin
            || new.generator != self.settings.generator
            || new.preparation != self.settings.preparation;
        if trains_differently && self.session.notice.as_ref().is_some_and(|n| !n.is_error) {
            self.session.notice = None;
        }
        let old = std::mem::replace(&mut self.settings, new);
        let s = &self.settings;
        if s.speed != old.speed {
            self.session.set_speed(s.speed);
        }
        let result = if s.builtin != old.builtin || s.generator != old.generator {
            self.load_builtin()
        } else if s.preparation != old.preparation || s.run_count() != old.run_count() {
            self.session.reprepare(s)
        } else {
            // Each run whose network changed starts over; one whose training changed goes on.
            (0..s.run_count()).try_for_each(|k| {
                let (new, was) = (s.run_spec(k), old.run_spec(k));
                if new.network != was.network {
                    self.session.rebuild_run(s, k)
                } else if new.training != was.training {
                    self.session.set_train_spec(s, k)
                } else {
                    Ok(())
                }
            })
        };
        match result {
            Err(e) => {
                self.settings = old;
                self.session.notice = Some(Notice::error(e));
            }
            Ok(()) => {
                if let Some(experiment) = left {
                    self.session.notice = Some(left_notice(&experiment));
                } else if followed {
                    self.session.notice = Some(defaults_notice(self.data_defaults()));
                }
            }
        }
    }

    /// The defaults that fit the data in use: the article's on its hot dogs, scaled ones on
    /// other data and CSV files.
    pub fn data_defaults(&self) -> Defaults {
        let builtin = self.session.csv.is_none().then_some(self.settings.builtin);
        Defaults::for_builtin(builtin)
    }

    /// Trains the network as the baseline beside it was trained: no hidden layer, the same
    /// initial weights, optimiser, rate, loss reduction and iteration count, so that it reaches
    /// the figure shown.
    fn use_baseline(&mut self) {
        let before = self.settings.clone();
        let mut settings = self.settings.clone();
        let k = settings.selected;
        let run = settings.run_spec_mut(k);
        *run = session::baseline_spec(&self.settings, &self.session.prepared);
        run.network.seed = self.session.baseline_seed;
        self.apply_settings(settings);
        if !self.settings.run_spec(k).network.hidden.is_empty() {
            // The new settings were refused; apply_settings said why.
            return;
        }
        // The architecture may have been the same already: start from the baseline's weights.
        if let Err(e) = self.session.rebuild_run(&self.settings, k) {
            self.session.notice = Some(Notice::error(e));
            return;
        }
        self.session.set_playing(true);
        let kind = if self.session.is_classification() {
            "logistic"
        } else {
            "linear"
        };
        self.undo = Some(Undo {
            settings: before,
            data: None,
            lesson: None,
        });
        self.session.notice = Some(
            Notice::info(format!(
                "Training the {kind} regression with the baseline's settings (Adam, learning \
                 rate 0.05, mean loss) for {} iterations.",
                session::BASELINE_ITERATIONS
            ))
            .with_action("Undo", Command::Undo),
        );
    }

    /// Brings back the settings, network and data from before the last one-click change.
    /// What Undo brings back after a change of settings and data: both as they are now.
    fn undo_point(&self) -> Undo {
        Undo {
            settings: self.settings.clone(),
            data: Some((self.session.dataset.clone(), self.session.csv.clone())),
            lesson: None,
        }
    }

    fn undo(&mut self) {
        let Some(undo) = self.undo.take() else {
            return;
        };
        let result = match undo.data {
            Some((dataset, csv)) => self.session.replace_data(&undo.settings, dataset, csv),
            None => self.session.replace_data(
                &undo.settings,
                self.session.dataset.clone(),
                self.session.csv.clone(),
            ),
        };
        match result {
            Ok(()) => {
                if undo.settings.speed != self.settings.speed {
                    self.session.set_speed(undo.settings.speed);
                }
                self.settings = undo.settings;
                self.grids.truncate(self.settings.run_count());
                let closed = undo.lesson.is_some();
                if let Some(lesson) = undo.lesson {
                    self.lesson = lesson;
                }
                self.session.notice = Some(Notice::info(if closed {
                    "Undone: the lesson is closed; the settings and data from before it, with new \
                     weights."
                } else {
                    "Undone: the settings and data from before, with new weights."
                }));
            }
            Err(e) => self.session.notice = Some(Notice::error(e)),
        }
    }

    /// Applies a setup text: on success the Paste setup window closes and the runs start over;
    /// a bad text changes nothing and says what is wrong.
    fn apply_setup(&mut self, text: &str) {
        let csv = self.csv_name();
        let new = match setup::apply_setup(&self.settings, text, csv.as_deref()) {
            Ok(new) => new.sanitized(),
            Err(e) => {
                self.session.notice = Some(Notice::error(format!(
                    "Setup not applied: {e}. Your settings are kept."
                )));
                return;
            }
        };
        // Taken as it is, on its data: no data set's defaults are followed.
        let before = self.undo_point();
        let s = &mut self.session;
        let generated = s.csv.is_none() || setup::names_dataset(text);
        let result = if generated {
            let dataset = new.builtin.generate(&new.generator);
            s.replace_data(&new, dataset, None)
        } else {
            s.replace_data(&new, s.dataset.clone(), s.csv.clone())
        };
        match result {
            Ok(()) => {
                if new.speed != self.settings.speed {
                    s.set_speed(new.speed);
                }
                self.settings = new;
                self.grids.truncate(self.settings.run_count());
                self.paste_setup = None;
                self.session.set_playing(true);
                let runs = self.settings.run_count();
                self.session.notice = Some(
                    Notice::info(format!(
                        "Applied the setup: {runs} run{} from their initial weights.",
                        if runs == 1 { "" } else { "s" }
                    ))
                    .with_action("Undo", Command::Undo),
                );
                self.undo = Some(before);
            }
            Err(e) => {
                self.session.notice = Some(Notice::error(format!(
                    "Setup not applied: {e}. Your settings are kept."
                )));
            }
        }
    }

    /// Opens `lesson` at its first step, once every step's setup and data file checks; a bad
    /// lesson changes nothing and says what is wrong, by line and key.
    fn open_lesson(&mut self, lesson: crate::lesson::Lesson) {
        if let Some(problem) = lesson::check(&lesson).first() {
            self.session.notice = Some(Notice::error(format!(
                "Lesson not opened: {}: {problem}. Your work is kept.",
                lesson.name
            )));
            return;
        }
        let undo = Undo {
            lesson: Some(self.lesson.clone()),
            ..self.undo_point()
        };
        let before = self.lesson.replace(lesson::LessonState::new(lesson));
        if !self.lesson_step(0) {
            self.lesson = before;
            return;
        }
        // The work from before comes back with Undo (and the lesson closes).
        if let Some(notice) = self.session.notice.take() {
            self.session.notice = Some(notice.with_action("Undo", Command::Undo));
        }
        self.undo = Some(undo);
    }

    /// Sets up step `k` of the open lesson: the app's defaults, then the setups of the steps up
    /// to it, on the step's data, paused. False (and nothing changed) if it cannot be.
    fn lesson_step(&mut self, k: usize) -> bool {
        let Some(state) = &self.lesson else {
            return false;
        };
        let k = k.min(state.lesson.steps.len() - 1);
        let failed = |e: String| {
            Some(Notice::error(format!(
                "Lesson step {} not set up: {e}. Your work is kept.",
                k + 1
            )))
        };
        let base = lesson::base_settings(&self.settings);
        let new = match lesson::step_settings(&state.lesson, k, &base, false) {
            Ok(new) => new.sanitized(),
            Err(e) => {
                self.session.notice = failed(e.to_string());
                return false;
            }
        };
        let (dataset, csv) = match lesson::read_step_data(&state.lesson, k) {
            Ok(Some((dataset, csv))) => (dataset, Some(csv)),
            Ok(None) => (new.builtin.generate(&new.generator), None),
            Err(e) => {
                self.session.notice = failed(e);
                return false;
            }
        };
        if let Err(e) = self.session.replace_data(&new, dataset, csv) {
            self.session.notice = failed(e);
            return false;
        }
        if new.speed != self.settings.speed {
            self.session.set_speed(new.speed);
        }
        self.settings = new;
        self.grids.truncate(self.settings.run_count());
        self.session.set_playing(false);
        self.undo = None;
        if let Some(state) = &mut self.lesson {
            *state = lesson::LessonState {
                step: k,
                ..lesson::LessonState::new(state.lesson.clone())
            };
            let step = state.current();
            self.session.notice = Some(Notice::info(format!(
                "{}, step {} of {}: {}. Press Space to train.",
                state.lesson.title,
                k + 1,
                state.lesson.steps.len(),
                step.title
            )));
        }
        true
    }

    /// Reads the open lesson's goal off the runs shown (once they are the step's runs on its
    /// data), and says so when it is met.
    fn check_lesson_goal(&mut self) {
        let Some(state) = &mut self.lesson else {
            return;
        };
        let Some((text, goal)) = state.current().goal.clone() else {
            state.status = None;
            return;
        };
        let s = &self.session;
        let runs = s.runs();
        let current = runs.len() == self.settings.run_count()
            && runs.iter().enumerate().all(|(k, r)| {
                r.spec == *self.settings.run_spec(k) && Arc::ptr_eq(&r.data, &s.prepared)
            });
        if !current {
            return;
        }
        let mut figures = lesson::Figures {
            runs: runs
                .iter()
                .map(|r| lesson::RunFigures {
                    spec: &r.spec,
                    metrics: r.metrics.as_deref(),
                    iteration: r.iteration,
                    diverged: matches!(r.stopped, Some(crate::train::Stop::Diverged { .. })),
                    point: None,
                })
                .collect(),
            baseline_accuracy: s.baseline().metrics.as_ref().and_then(|m| m.train.accuracy),
        };
        let mut status = figures.status(&goal);
        let mut iteration = runs.first().map_or(0, |r| r.iteration);
        // Frames come seldom next to fast training: the curves tell at which iteration a goal
        // was first met, even one passed between two frames (`iterations <= 3000`). The runs
        // train in step, so their curves have points at the same iterations. Full batch only:
        // a mini-batch's figures are its own batch's.
        let reads = goal.highest_run() + 1;
        if state.met_at.is_none()
            && reads <= runs.len()
            && runs[..reads]
                .iter()
                .all(|r| r.spec.training.batch_size.is_none())
        {
            let scanned = state.scanned;
            let points = |k: usize| runs[k].history.points();
            let first = points(0)
                .iter()
                .filter(|p| p.iteration > scanned)
                .find(|p| {
                    for k in 0..reads {
                        let at = points(k).binary_search_by_key(&p.iteration, |q| q.iteration);
                        let Ok(at) = at else {
                            return false;
                        };
                        figures.runs[k].point = Some(&points(k)[at]);
                    }
                    figures.status(&goal).met
                });
            if let Some(p) = first {
                iteration = p.iteration;
                status = figures.status(&goal);
            }
        }
        if let Some(last) = runs.first().and_then(|r| r.history.last()) {
            state.scanned = last.iteration;
        }
        if state.update(Some(status), iteration) {
            let more = if state.step + 1 < state.lesson.steps.len() {
                " Next ▶ when you are ready."
            } else {
                " That was the lesson's last step."
            };
            // A divergence's message (the goal of the learning-rate lesson) stays in view.
            if !self.session.notice.as_ref().is_some_and(|n| n.is_error) {
                self.session.notice = Some(Notice::info(format!("Goal met: {text}.{more}")));
            }
        }
    }

    /// Opens a session file: its data and runs replace the current ones, paused at the moment
    /// they were saved at. A bad file changes nothing and says what is wrong.
    fn open_session(&mut self, name: &str, bytes: &[u8]) {
        let opened = match session_file::open(name, bytes, &self.settings) {
            Ok(opened) => opened,
            Err(e) => {
                self.session.notice = Some(Notice::error(format!(
                    "Session not opened: {e}. Your data and runs are kept."
                )));
                return;
            }
        };
        let before = self.undo_point();
        let s = &mut self.session;
        let rows = opened.data.dataset().n_rows();
        let data_name = opened.data.dataset().name.clone();
        if let Err(e) = s.use_restored(&opened.settings, opened.data, opened.runs) {
            s.notice = Some(Notice::error(format!(
                "Session not opened: {name}: {e}. Your data and runs are kept."
            )));
            return;
        }
        if opened.settings.speed != self.settings.speed {
            s.set_speed(opened.settings.speed);
        }
        self.settings = opened.settings;
        self.grids.truncate(self.settings.run_count());
        self.weight_editor = None;
        self.undo = Some(before);
        let runs = opened.restored.len();
        let restored: Vec<String> = opened
            .restored
            .iter()
            .flatten()
            .map(|i| ui::stats::format_count(*i))
            .collect();
        let what = if restored.len() == runs {
            let at = if runs == 1 {
                format!("run 1 at iteration {}", restored[0])
            } else {
                format!("{runs} runs at iterations {}", restored.join(", "))
            };
            format!("{at}, with their weights and optimiser state")
        } else if restored.is_empty() {
            format!(
                "{runs} run{} from their initial weights (the file holds no weights)",
                if runs == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{runs} runs, {} of them with their weights and optimiser state",
                restored.len()
            )
        };
        self.session.notice = Some(
            Notice::info(format!(
                "Opened {name}: {data_name}, {rows} rows; {what}. Paused: press Play to go on."
            ))
            .with_action("Undo", Command::Undo),
        );
    }

    /// Switches from a CSV file to the built-in data set of the settings.
    fn use_builtin(&mut self) {
        let mut settings = self.settings.clone();
        let left = settings.leave_experiment();
        let defaults = Defaults::for_builtin(Some(settings.builtin));
        let followed = settings.follow_defaults(defaults) && defaults != self.data_defaults();
        let dataset = settings.builtin.generate(&settings.generator);
        match self.session.replace_data(&settings, dataset, None) {
            Ok(()) => {
                if settings.speed != self.settings.speed {
                    self.session.set_speed(settings.speed);
                }
                self.settings = settings;
                self.grids.truncate(self.settings.run_count());
                self.session.notice = left
                    .map(|e| left_notice(&e))
                    .or_else(|| followed.then(|| defaults_notice(defaults)));
            }
            Err(e) => self.session.notice = Some(Notice::error(e)),
        }
    }

    fn load_builtin(&mut self) -> Result<(), String> {
        let dataset = self.settings.builtin.generate(&self.settings.generator);
        self.session.replace_data(&self.settings, dataset, None)
    }

    /// Carries out one command; `ctx` (absent headless) wakes the window when a dialog closes.
    pub fn apply(&mut self, command: Command, ctx: Option<&egui::Context>) {
        if let Some(state) = &self.lesson
            && let Some(control) = lesson::control_of(&command)
            && let Some(why) = state.locked(control).or_else(|| {
                state
                    .hidden(control)
                    .then(|| format!("{} is hidden by the lesson in this step", control.label()))
            })
        {
            self.session.notice = Some(Notice::info(format!("{}: {why}.", control.label())));
            return;
        }
        let s = &mut self.session;
        match command {
            Command::OpenBuiltinLesson(name) => match crate::lesson::builtin::get(&name) {
                Some(lesson) => self.open_lesson(lesson),
                None => {
                    s.notice = Some(Notice::error(format!(
                        "There is no built-in lesson {name:?}."
                    )));
                }
            },
            Command::OpenLessonDialog => self.open_dialog(DialogPurpose::OpenLesson, ctx),
            Command::OpenLessonPath(path) => match crate::lesson::Lesson::read(&path) {
                Ok(lesson) => self.open_lesson(lesson),
                Err(e) => {
                    s.notice = Some(Notice::error(format!(
                        "Lesson not opened: {e}. Your work is kept."
                    )));
                }
            },
            Command::OpenLessonText { name, text, dir } => {
                let stem = Path::new(&name)
                    .file_stem()
                    .map_or_else(|| name.clone(), |s| s.to_string_lossy().into_owned());
                match crate::lesson::Lesson::parse(&stem, &text, &dir) {
                    Ok(lesson) => self.open_lesson(lesson),
                    Err(e) => {
                        s.notice = Some(Notice::error(format!(
                            "Lesson not opened: {name}: {e}. Your work is kept."
                        )));
                    }
                }
            }
            Command::LessonStep(k) => {
                self.lesson_step(k);
            }
            Command::LessonHint => {
                if let Some(state) = &mut self.lesson {
                    state.hints_shown = (state.hints_shown + 1).min(state.current().hints.len());
                }
            }
            Command::CloseLesson => {
                if let Some(state) = self.lesson.take() {
                    s.notice = Some(Notice::info(format!(
                        "Closed the lesson \u{201c}{}\u{201d}: the settings stay, every control is \
                         unlocked.",
                        state.lesson.title
                    )));
                }
            }
            Command::TogglePlay => {
                if s.playing() {
                    s.set_playing(false);
                    return;
                }
                s.resume();
                if let Some(iteration) = s.diverged_at() {
                    // The trainer keeps a divergence stop until the training settings change:
                    // the same step from the same weights would fail again.
                    s.notice = Some(Notice::error(format!(
                        "Training diverged at iteration {iteration}. Lower the learning rate \
                         (or change another training setting), then press Play; Reset starts \
                         again from new weights."
                    )));
                    return;
                }
                if s.notice.as_ref().is_some_and(|n| !n.is_error) {
                    s.notice = None;
                }
                // Play after the stopping rule was reached: go on past it.
                if s.main().reached_limit {
                    let mut settings = self.settings.clone();
                    settings.run.training.stop_after = None;
                    self.apply_settings(settings);
                }
                self.session.set_playing(true);
            }
            Command::Step => s.step(1),
            Command::Reset => {
                if let Err(e) = s.rebuild_network(&self.settings) {
                    s.notice = Some(Notice::error(e));
                } else {
                    s.notice = None;
                }
            }
            Command::Preset(preset) => {
                let settings = preset.settings(&self.settings);
                let notice = format!(
                    "{}: training for {} iterations; the article reports {}.",
                    preset.label(),
                    settings.run.training.stop_after.unwrap_or(0),
                    preset.article_result()
                );
                self.start_experiment(preset.label(), settings, notice);
            }
            Command::OpenModel => {
                self.open_dialog(DialogPurpose::OpenModel, ctx);
            }
            Command::LoadModel { name, text } => {
                s.notice = Some(match s.load_model(&name, &text) {
                    Ok(()) => Notice::info(format!("Loaded the model from {name}.")),
                    Err(e) => Notice::error(format!("{e} (the current network is kept)")),
                });
            }
            Command::OpenSession => self.open_dialog(DialogPurpose::OpenSession, ctx),
            Command::LoadSession { name, bytes } => self.open_session(&name, &bytes),
            Command::OpenCsv => {
                self.open_dialog(DialogPurpose::OpenCsv, ctx);
            }
            Command::LoadCsvBytes { name, bytes } => {
                self.load_csv(CsvInput::Bytes { name, bytes }, ctx);
            }
            Command::LoadCsvPath(path) => self.load_csv(CsvInput::Path(path), ctx),
            Command::SetColumns(roles) => {
                if let Some(csv) = &s.csv {
                    let table = Box::new(csv.table.clone());
                    self.load_csv(CsvInput::Repick { table, roles }, ctx);
                }
            }
            Command::UseBuiltin => self.use_builtin(),
            Command::CopySetup => {
                let text = setup::setup_text(&self.settings, self.csv_name().as_deref());
                if let Some(ctx) = ctx {
                    ctx.copy_text(text.clone());
                }
                self.session.notice = Some(Notice::info(format!(
                    "Copied the setup ({} characters): Paste setup… in nnviz, or `nnviz --setup \
                     '…'`, gives these runs again, seeds and all.",
                    text.chars().count()
                )));
                self.copied_setup = Some(text);
            }
            Command::OpenPasteSetup => {
                self.paste_setup.get_or_insert_with(String::new);
            }
            Command::ApplySetup(text) => self.apply_setup(&text),
            Command::Undo => self.undo(),
            Command::AddPoint { x, y } => {
                match s.dataset.add_point(&[x, y], self.settings.click_class) {
                    Ok(()) => s.row_added(&self.settings),
                    Err(e) => s.notice = Some(Notice::error(e.to_string())),
                }
            }
            Command::RemovePoint { x, y, radius } => {
                if let Err(e) = s.remove_point(&self.settings, &[x, y], radius) {
                    s.notice = Some(Notice::error(e));
                }
            }
            Command::UseBaseline => self.use_baseline(),
            Command::Export(kind) => {
                self.open_dialog(DialogPurpose::Save(kind), ctx);
            }
            Command::SaveTo { kind, path } => self.export_to(kind, &path, ctx),
            Command::SetSlice { feature, value } => {
                if let Some(v) = s.slice.get_mut(feature) {
                    *v = value;
                }
            }
            Command::TrySeeds => {
                let settings = self.settings.seed_comparison(self.settings.selected);
                match s.rebuild_runs(&settings) {
                    Ok(()) => {
                        let seeds = (
                            settings.run.network.seed,
                            settings.run_spec(settings::TRY_SEEDS - 1).network.seed,
                        );
                        s.notice = Some(Notice::info(format!(
                            "{} runs of run {}'s settings on the same data, seeds {} to {}: they \
                             differ only in their initial weights and batch order. The curves \
                             show their median and range.",
                            settings::TRY_SEEDS,
                            self.settings.selected + 1,
                            seeds.0,
                            seeds.1
                        )));
                        self.settings = settings;
                        s.set_playing(true);
                    }
                    Err(e) => s.notice = Some(Notice::error(e)),
                }
            }
            Command::AddRun => {
                let mut settings = self.settings.clone();
                if settings.run_count() >= settings::MAX_RUNS {
                    return;
                }
                settings
                    .compare
                    .push(settings.run_spec(settings.selected).clone());
                settings.selected = settings.compare.len();
                match s.add_run(&settings) {
                    Ok(()) => {
                        s.notice = Some(Notice::info(format!(
                            "Run {} is a copy of run {}: change its settings under Network and \
                             Training.",
                            settings.selected + 1,
                            self.settings.selected + 1
                        )));
                        self.settings = settings;
                    }
                    Err(e) => s.notice = Some(Notice::error(e)),
                }
            }
            Command::RemoveRun(k) => {
                if k == 0 || k > self.settings.compare.len() {
                    return;
                }
                s.remove_run(k);
                self.settings.compare.remove(k - 1);
                self.settings.selected = self.settings.selected.min(k - 1);
                if k < self.grids.len() {
                    self.grids.remove(k);
                }
            }
            Command::LeaveCompare => {
                while !self.settings.compare.is_empty() {
                    let k = self.settings.compare.len();
                    self.session.remove_run(k);
                    self.settings.compare.pop();
                }
                self.settings.selected = 0;
                self.grids.truncate(1);
            }
            Command::Compare(comparison) => {
                let settings = comparison.settings(&self.settings);
                let notice = format!(
                    "Comparing {}: {} runs on the hot dogs, {} iterations each.",
                    comparison.button_text(),
                    settings.run_count(),
                    settings.run.training.stop_after.unwrap_or(0)
                );
                self.start_experiment(comparison.button_text(), settings, notice);
            }
            Command::DismissNotice => s.notice = None,
            Command::PickWeight {
                run,
                layer,
                row,
                col,
            } => {
                let network = &s.run(run).network;
                let Some(value) = network
                    .weights()
                    .get(layer)
                    .filter(|w| row < w.rows() && col < w.cols())
                    .map(|w| w.get(row, col))
                else {
                    return;
                };
                let (inputs, outputs) = diagram_names(s, network);
                self.weight_editor = Some(ui::network::WeightEditor {
                    run,
                    layer,
                    row,
                    col,
                    value,
                    name: ui::network::weight_name(network, (layer, row, col), &inputs, &outputs),
                });
            }
            Command::SetWeight {
                run,
                layer,
                row,
                col,
                value,
            } => {
                s.set_weight(run, layer, row, col, value);
                let name = self
                    .weight_editor
                    .as_ref()
                    .map_or_else(|| "the weight".to_owned(), |e| e.name.clone());
                s.notice = Some(Notice::info(format!(
                    "Set {name} to {} at iteration {}; training goes on from it (the curves \
                     mark the edit).",
                    ui::format_number(value),
                    ui::stats::format_count(s.run(run).iteration)
                )));
            }
            Command::CloseWeightEditor => self.weight_editor = None,
            Command::OpenExplain => {
                let first = s.main().data.train_rows.first().copied().unwrap_or(0);
                let row = self.explain.as_ref().map_or(first, |e| e.row);
                self.explain = Some(ui::explain::ExplainPanel { row, digits: 4 });
            }
            Command::ScrubTo(at) => s.scrub_to(at),
            Command::ScrubBy(k) => {
                let moments = std::sync::Arc::clone(&s.main().moments);
                let at =
                    ui::timeline::step_moment(&moments, s.scrubbed_to(), s.live_iteration(), k);
                s.scrub_to(at);
            }
            Command::ContinueFromHere => {
                s.continue_from_scrubbed();
                s.notice = None;
            }
            Command::SelectRun(k) => {
                self.settings.selected = k.min(self.settings.run_count().saturating_sub(1));
            }
            Command::ExplainRow(row) => {
                let digits = self.explain.as_ref().map_or(4, |e| e.digits);
                self.explain = Some(ui::explain::ExplainPanel { row, digits });
            }
            Command::CloseExplain => self.explain = None,
            Command::ToggleHiddenSpace => {
                self.hidden_space = match self.hidden_space {
                    Some(_) => None,
                    None => Some(ui::hidden_space::HiddenSpaceView::default()),
                };
            }
            Command::Fail(message) => s.notice = Some(Notice::error(message)),
        }
    }

    /// Switches to a whole new experiment (a preset or a comparison) on its built-in data and
    /// trains it, saying `notice`; on failure the current one stays and the message says why.
    fn start_experiment(&mut self, experiment: &str, settings: Settings, notice: String) {
        let settings = self.settings.start_experiment(experiment, settings);
        let before = self.undo_point();
        let s = &mut self.session;
        let dataset = settings.builtin.generate(&settings.generator);
        match s.replace_data(&settings, dataset, None) {
            Ok(()) => {
                if settings.speed != self.settings.speed {
                    s.set_speed(settings.speed);
                }
                self.settings = settings;
                s.set_playing(true);
                s.notice = Some(Notice::info(notice).with_action("Undo", Command::Undo));
                self.undo = Some(before);
            }
            Err(e) => s.notice = Some(Notice::error(e)),
        }
    }

    /// Reads a CSV file: a small one at once, a large one on a helper thread while the window
    /// keeps drawing (the data changes in the frame after it is read). A file asked for while
    /// another is being read replaces it.
    fn load_csv(&mut self, input: CsvInput, ctx: Option<&egui::Context>) {
        let preparation = if input.is_repick() {
            self.settings.preparation.clone()
        } else {
            self.csv_settings().0.preparation
        };
        if !input.is_large() {
            self.csv_load = None;
            if input.is_repick() {
                self.use_repicked(input.read(&preparation));
            } else {
                self.use_csv(input.read(&preparation));
            }
            return;
        }
        let ctx = ctx.cloned();
        let load = CsvLoad::start(input, preparation, move || {
            if let Some(ctx) = &ctx {
                ctx.request_repaint();
            }
        });
        self.session.notice = Some(Notice::info(if load.repick {
            format!(
                "Building {}'s data set with the new columns… (the current one stays until then)",
                load.name
            )
        } else {
            format!(
                "Reading {}… (the current data set stays until it is read)",
                load.name
            )
        }));
        self.csv_load = Some(load);
    }

    /// Uses the file in use with its columns picked anew; on any error the data stays and the
    /// message is shown.
    fn use_repicked(&mut self, built: csv_load::ReadCsv) {
        let result = match built {
            Ok(Ok(data)) => self.session.use_data(&self.settings, data),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => {
                if self.session.notice.as_ref().is_some_and(|n| !n.is_error) {
                    self.session.notice = None;
                }
                self.grids.truncate(self.settings.run_count());
            }
            Err(e) => self.session.notice = Some(Notice::error(e)),
        }
    }

    /// Uses the CSV file being read on a helper thread, once it is read.
    fn poll_csv_load(&mut self) {
        let Some(result) = self.csv_load.as_ref().and_then(CsvLoad::poll) else {
            return;
        };
        let repick = self.csv_load.as_ref().is_some_and(|l| l.repick);
        self.csv_load = None;
        if repick {
            self.use_repicked(result);
        } else {
            self.use_csv(result);
        }
    }

    /// The settings a CSV file is shown with: the user's own (not a preset's), standardised as
    /// CSV files are by default, its first two features on the axes, training until paused,
    /// the defaults for one's own data where the user chose none; whether a preset was left for
    /// them, and whether the defaults changed.
    fn csv_settings(&self) -> (Settings, bool, bool) {
        let mut settings = self.settings.clone();
        let left = settings.leave_experiment();
        let followed =
            settings.follow_defaults(Defaults::Scaled) && self.data_defaults() != Defaults::Scaled;
        settings.preparation.standardize = None;
        settings.x_feature = 0;
        settings.y_feature = 1;
        settings.run.training.stop_after = None;
        (settings, left.is_some(), followed)
    }

    /// Replaces the data with a parsed CSV file; on any error the previous data stays and the
    /// message (file, row, column, value) is shown.
    fn use_csv(&mut self, built: csv_load::ReadCsv) {
        match built {
            Ok(Err(e)) => self.session.notice = Some(Notice::error(e)),
            Ok(Ok(data)) => {
                let (mut settings, left, followed) = self.csv_settings();
                let name = data.dataset().name.clone();
                let rows = data.dataset().n_rows();
                // A full pass over a large file does not fit in a frame: mini-batches do.
                let batched = rows > LARGE_ROWS && settings.run.training.batch_size.is_none();
                if batched {
                    settings.run.training.batch_size = Some(LARGE_BATCH);
                }
                match self.session.use_data(&settings, data) {
                    Ok(()) => {
                        self.settings = settings;
                        let batches = if batched {
                            format!(
                                " Training on mini-batches of {LARGE_BATCH} rows (see the \
                                 Training panel), as a full pass would not fit in a frame."
                            )
                        } else {
                            String::new()
                        };
                        let own = if left {
                            " Your own network and training settings are back (the preset's \
                             were for its data set)."
                        } else {
                            ""
                        };
                        let defaults = if followed {
                            format!(" Using the {}.", Defaults::Scaled.describe())
                        } else {
                            String::new()
                        };
                        self.grids.truncate(self.settings.run_count());
                        self.session.notice = Some(Notice::info(format!(
                            "Loaded {name}: {rows} rows.{batches}{own}{defaults}"
                        )));
                    }
                    Err(e) => self.session.notice = Some(Notice::error(e)),
                }
            }
            Err(e) => {
                self.session.notice = Some(Notice::error(format!(
                    "{e} (the previous data set is kept)"
                )));
            }
        }
    }

    /// Opens a file dialog off the UI thread, unless one is open; the window repaints when it
    /// closes.
    fn open_dialog(&mut self, purpose: DialogPurpose, ctx: Option<&egui::Context>) {
        if self.dialog.is_none() {
            let ctx = ctx.cloned();
            self.dialog = Some(DialogTask::start(purpose, move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            }));
        }
    }

    /// Opens nnviz's own file browser for `purpose`, in `folder` (the working folder if
    /// `None`): where rfd finds no portal and no zenity (many Linux installs, every headless
    /// box), the user still picks or names a file.
    pub fn open_file_browser(&mut self, purpose: DialogPurpose, folder: Option<PathBuf>) {
        let folder = folder
            .or_else(|| self.browse_folder.clone())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."));
        let (title, extensions, save_as) = match &purpose {
            DialogPurpose::OpenCsv => (
                "Open a CSV file".to_owned(),
                &["csv", "tsv", "txt"][..],
                None,
            ),
            DialogPurpose::OpenModel => ("Open a model (JSON)".to_owned(), &["json"][..], None),
            DialogPurpose::OpenLesson => ("Open a lesson (TOML)".to_owned(), &["toml"][..], None),
            DialogPurpose::OpenSession => (
                "Open a session".to_owned(),
                &[session_file::EXTENSION][..],
                None,
            ),
            DialogPurpose::Save(kind) => (
                kind.label().trim_end_matches('…').to_owned(),
                kind.extensions(),
                Some(kind.file_name().to_owned()),
            ),
        };
        let browser = ui::file_browser::FileBrowser::new(title, extensions, save_as, folder);
        self.file_browser = Some((purpose, browser));
    }

    /// Shows the file browser, if open, and turns a pick into its command.
    fn file_browser_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let Some((purpose, browser)) = &mut self.file_browser else {
            return;
        };
        match browser.ui(ctx) {
            Some(ui::file_browser::BrowserOutcome::Picked(path)) => {
                self.browse_folder = path.parent().map(Path::to_path_buf);
                commands.push(picked_command(purpose.clone(), path));
                self.file_browser = None;
            }
            Some(ui::file_browser::BrowserOutcome::Cancelled) => self.file_browser = None,
            None => {}
        }
    }

    fn poll_dialog(&mut self, commands: &mut Vec<Command>) {
        let Some(task) = &self.dialog else { return };
        let Some(outcome) = task.poll() else { return };
        let purpose = task.purpose.clone();
        self.dialog = None;
        match outcome {
            DialogOutcome::Picked(path) => commands.push(picked_command(purpose, path)),
            DialogOutcome::Unavailable => {
                // No system dialog: nnviz's own browser instead (files can be dropped too).
                self.open_file_browser(purpose, None);
            }
            DialogOutcome::Cancelled => {}
        }
    }

    /// Reports a screenshot export once it is written.
    fn poll_png_export(&mut self) {
        let Some(pending) = &self.png_export else {
            return;
        };
        let outcome = match pending.lock() {
            Ok(mut slot) => slot.take(),
            Err(_) => Some(Err("the screenshot was lost".to_owned())),
        };
        if let Some(outcome) = outcome {
            self.png_export = None;
            self.session.notice = Some(match outcome {
                Ok(path) => {
                    let shown = std::fs::canonicalize(&path).unwrap_or(path);
                    Notice::info(format!("Saved {}", shown.display()))
                }
                Err(e) => Notice::error(format!("Could not save: {e}")),
            });
        }
    }

    /// The bytes of an export.
    pub fn export_bytes(&self, kind: ExportKind) -> Result<Vec<u8>, String> {
        match kind {
            ExportKind::DecisionPng => {
                ui::export::decision_png(self.grid(), &data_view(&self.session), &self.settings)
            }
            ExportKind::AnimationGif => self.animation_gif(),
            ExportKind::PythonScript | ExportKind::RScript => {
                let script = self.script(kind, "rows.csv")?;
                if script.rows_csv.is_some() {
                    return Err("the rows are too many to embed: save the script to a file".into());
                }
                Ok(script.text.into_bytes())
            }
            ExportKind::HistoryCsv => Ok(self.session.main().history.to_csv().into_bytes()),
            ExportKind::Session | ExportKind::SessionWithoutWeights => {
                let with_state = kind == ExportKind::Session;
                session_file::write(&self.settings, &self.session, with_state)
                    .map(String::into_bytes)
            }
            ExportKind::ModelJson => {
                let model = self.session.saved_model();
                serde_json::to_vec_pretty(&model).map_err(|e| e.to_string())
            }
            ExportKind::DataCsv => {
                let mut bytes = Vec::new();
                self.session
                    .dataset
                    .write_csv(&mut bytes)
                    .map_err(|e| e.to_string())?;
                Ok(bytes)
            }
        }
    }

    /// The selected run as code: its settings, from its initial weights, for as many
    /// iterations as it has trained (or its stopping rule's, or 10 000, before any).
    fn script(&self, kind: ExportKind, rows_file: &str) -> Result<crate::code::Script, String> {
        let language = match kind {
            ExportKind::RScript => crate::code::Language::R,
            _ => crate::code::Language::Python,
        };
        let view = self.session.run(self.settings.selected);
        let start = crate::train::Run::new(view.spec.clone(), Arc::clone(&view.data))
            .map_err(|e| e.to_string())?;
        let iterations = match view.iteration {
            0 => view
                .spec
                .training
                .stop_after
                .unwrap_or(crate::cli::DEFAULT_ITERATIONS),
            n => n,
        };
        crate::code::script(language, &start, iterations, rows_file).map_err(|e| e.to_string())
    }

    /// The decision regions over training as a GIF: frames at log-spaced iterations up to now,
    /// each run (side by side) at its latest kept moment there, labelled with the iteration
    /// and the training accuracy.
    fn animation_gif(&self) -> Result<Vec<u8>, String> {
        use crate::picture::{GifWriter, Plane, decision_picture};
        const SIZE: u32 = 400;
        const FRAMES: usize = 48;
        let s = &self.session;
        let runs = s.runs();
        let dataset = &s.dataset;
        let axes = ui::decision::axis_features(&self.settings, dataset.n_features());
        let plane = Plane {
            slice: s.slice.clone(),
            ..Plane::for_data(dataset, axes)
        };
        let live = s.live_iteration();
        let width = SIZE * runs.len() as u32;
        let mut writer = GifWriter::new(Vec::new(), width, SIZE)?;
        let mut shown: Option<Vec<u64>> = None;
        let targets = crate::picture::frame_iterations(FRAMES, live);
        for (f, &target) in targets.iter().enumerate() {
            let moments: Vec<_> = runs
                .iter()
                .map(|r| r.moments.at_or_before(target).cloned())
                .collect();
            let at: Vec<u64> = moments
                .iter()
                .map(|m| m.as_ref().map_or(0, |m| m.iteration()))
                .collect();
            let last = f + 1 == targets.len();
            if shown.as_ref() == Some(&at) && !last {
                continue;
            }
            let mut frame = image::RgbImage::new(width, SIZE);
            for (k, (run, moment)) in runs.iter().zip(&moments).enumerate() {
                let mut network = (*run.network).clone();
                if let Some(m) = moment {
                    network
                        .set_weights(m.weights().to_vec())
                        .map_err(|e| e.to_string())?;
                }
                let c = &run.config;
                let accuracy = crate::train::evaluate(
                    &network,
                    &run.data.train_x,
                    &run.data.train_y,
                    c.loss,
                    c.reduction,
                    c.l1,
                    c.l2,
                )
                .ok()
                .and_then(|m| m.accuracy)
                .map_or_else(String::new, |a| format!("  {:.1}% right", a * 100.0));
                let name = if runs.len() > 1 {
                    format!("run {}: ", k + 1)
                } else {
                    String::new()
                };
                let label = format!("{name}iteration {}{accuracy}", at[k]);
                let picture = decision_picture(&network, &run.data, dataset, &plane, SIZE, &label)
                    .map_err(|e| e.to_string())?;
                image::imageops::replace(&mut frame, &picture, i64::from(SIZE) * k as i64, 0);
            }
            writer.frame(&frame, if last { 250 } else { 8 })?;
            shown = Some(at);
        }
        writer.finish()
    }

    /// Writes an export to `path` and says so. In the window, the decision plot is saved as
    /// the window shows it (axes, legend, colour bar): a screenshot cropped to the plot, written
    /// when it arrives.
    fn export_to(&mut self, kind: ExportKind, path: &Path, ctx: Option<&egui::Context>) {
        if kind == ExportKind::DecisionPng
            && let (Some(ctx), Some(_), None) = (ctx, self.plot_rect, &self.png_export)
        {
            // The next frame is drawn as the picture looks, then taken.
            self.png_pending = Some(path.to_path_buf());
            ctx.request_repaint();
            return;
        }
        let write = |path: &Path, bytes: &[u8]| {
            crate::model::write_atomically(path, bytes)
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        let result = if matches!(kind, ExportKind::PythonScript | ExportKind::RScript) {
            // Many rows go to a CSV file beside the script.
            let rows = path.with_extension("rows.csv");
            let rows_name = rows.file_name().map_or_else(
                || "rows.csv".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
            self.script(kind, &rows_name).and_then(|script| {
                if let Some(csv) = &script.rows_csv {
                    write(&rows, csv.as_bytes())?;
                }
                write(path, script.text.as_bytes())
            })
        } else {
            self.export_bytes(kind)
                .and_then(|bytes| write(path, &bytes))
        };
        let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.session.notice = Some(match result {
            Ok(()) => Notice::info(format!("Saved {}", shown.display())),
            Err(e) => Notice::error(format!("Could not save: {e}")),
        });
    }

    /// Asks for a screenshot of this frame, cropped to the plot, to be written to `path`.
    fn take_picture(&mut self, ctx: &egui::Context, path: PathBuf) {
        if let Some(rect) = self.plot_rect {
            let outcome: PendingExport = Arc::new(Mutex::new(None));
            let slot = Arc::clone(&outcome);
            let pixels_per_point = ctx.pixels_per_point();
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
                let plot = image.region(&rect, Some(pixels_per_point));
                let saved = save_png(&plot, &path).map(|()| path);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(saved);
                }
                repaint.request_repaint();
            });
            self.png_export = Some(outcome);
        }
    }
}

/// Keyboard shortcuts (unless a text field has the keyboard) and dropped files: a `.json` file
/// is a saved model, a `.nnviz` file a session, anything else is read as CSV.
fn input_commands(ctx: &egui::Context, scrubbing: bool, commands: &mut Vec<Command>) {
    if !ctx.egui_wants_keyboard_input() {
        ctx.input(|i| {
            if i.key_pressed(egui::Key::Space) {
                commands.push(Command::TogglePlay);
            }
            // ← and → move between kept moments (→ steps while live).
            if i.key_pressed(egui::Key::ArrowLeft) {
                commands.push(Command::ScrubBy(-1));
            }
            if i.key_pressed(egui::Key::ArrowRight) {
                commands.push(if scrubbing {
                    Command::ScrubBy(1)
                } else {
                    Command::Step
                });
            }
            if i.key_pressed(egui::Key::R) {
                commands.push(Command::Reset);
            }
            if i.key_pressed(egui::Key::E) {
                commands.push(Command::OpenExplain);
            }
        });
    }
    for file in ctx.input(|i| i.raw.dropped_files.clone()) {
        let name = file.path().file_name().map_or_else(
            || "dropped file".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let extension = |ext: &str| {
            Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
        };
        let is_model = extension("json");
        let is_session = extension(session_file::EXTENSION);
        if extension("toml") {
            // A lesson: its data files are beside it.
            let dir = file
                .path()
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            commands.push(match file.bytes().map(String::from_utf8) {
                Ok(Ok(text)) => Command::OpenLessonText { name, text, dir },
                Ok(Err(_)) => Command::Fail(format!("{name}: a lesson file must be UTF-8 text")),
                Err(e) => Command::Fail(format!("{name}: cannot read the dropped file: {e}")),
            });
            continue;
        }
        commands.push(match file.bytes() {
            Ok(bytes) if is_session => Command::LoadSession { name, bytes },
            Ok(bytes) if is_model => match String::from_utf8(bytes) {
                Ok(text) => Command::LoadModel { name, text },
                Err(_) => Command::Fail(format!("{name}: a model file must be UTF-8 text")),
            },
            Ok(bytes) => Command::LoadCsvBytes { name, bytes },
            Err(e) => Command::Fail(format!("{name}: cannot read the dropped file: {e}")),
        });
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // eframe's own storage (window geometry) is rewritten in place; the settings go to their
        // own file, written atomically.
        let _ = storage;
        if let Some(file) = &self.settings_file
            && let Err(e) = file.save(&self.settings)
        {
            self.session.notice = Some(Notice::error(format!(
                "cannot save the settings to {}: {e}",
                file.path().display()
            )));
        }
    }
}

/// What picking `path` for `purpose` does.
fn picked_command(purpose: DialogPurpose, path: PathBuf) -> Command {
    match purpose {
        DialogPurpose::OpenModel => {
            let name = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => Command::LoadModel { name, text },
                Err(e) => Command::Fail(format!("{name}: {e}")),
            }
        }
        DialogPurpose::OpenSession => {
            let name = path.display().to_string();
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            if size > session_file::MAX_SESSION_BYTES as u64 {
                return Command::Fail(format!(
                    "Session not opened: {name}: {size} bytes; a session file is at most {} bytes",
                    session_file::MAX_SESSION_BYTES
                ));
            }
            match std::fs::read(&path) {
                Ok(bytes) => Command::LoadSession { name, bytes },
                Err(e) => Command::Fail(format!("Session not opened: {name}: {e}")),
            }
        }
        DialogPurpose::OpenCsv => Command::LoadCsvPath(path),
        DialogPurpose::OpenLesson => Command::OpenLessonPath(path),
        DialogPurpose::Save(kind) => Command::SaveTo { kind, path },
    }
}

/// The exported picture's title: data, network, iteration and accuracy.
fn picture_title(
    view: &ui::DataView<'_>,
    run: &crate::train::worker::RunView,
    network: &str,
) -> String {
    let mut parts = vec![
        format!("nnviz · {}", view.dataset.name),
        network.to_owned(),
        format!("iteration {}", ui::stats::format_count(run.iteration)),
    ];
    if let Some(m) = &run.metrics {
        if let Some(a) = m.train.accuracy {
            let test = m
                .test
                .as_ref()
                .and_then(|t| t.accuracy)
                .map_or_else(String::new, |t| {
                    format!(", test {}", ui::format_percent(Some(t)))
                });
            parts.push(format!(
                "training accuracy {}{test}",
                ui::format_percent(Some(a))
            ));
        } else if let Some(r2) = m.train_r2 {
            parts.push(format!("R² {r2:.3}"));
        }
    }
    parts.join(" · ")
}

/// The names of `network`'s inputs (features or input terms) and outputs on the session's
/// data, as the diagram and the weight editor name them.
fn diagram_names(session: &Session, network: &crate::nn::Network) -> (Vec<String>, Vec<String>) {
    let data = &session.dataset;
    (
        session.prepared.input_names(&data.feature_names),
        ui::network::output_names(
            data.class_names(),
            &data.target_name,
            network.architecture().outputs,
        ),
    )
}

/// What the window says when a new data set brings the user's own settings back.
/// What changed when the data's defaults took over from another data set's.
fn defaults_notice(defaults: Defaults) -> Notice {
    let mut text = defaults.describe().to_owned();
    text[..1].make_ascii_uppercase();
    Notice::info(format!("{text}. Settings you changed yourself stay."))
}

fn left_notice(experiment: &str) -> Notice {
    Notice::info(format!(
        "Your own network and training settings are back: {experiment}'s were for its data set."
    ))
}

/// The window's size class: the side panels' and the curves' sizes are chosen, and remembered,
/// per class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum WindowSize {
    /// Under 1000 points wide or 700 high (800 × 600, a netbook).
    Small,
    /// Up to 1600 × 1000 (1280 × 800, most laptops).
    Medium,
    /// Larger (1920 × 1080, a projector).
    Large,
}

impl WindowSize {
    fn of(size: egui::Vec2) -> Self {
        if size.x < 1000.0 || size.y < 700.0 {
            Self::Small
        } else if size.x <= 1600.0 || size.y <= 1000.0 {
            Self::Medium
        } else {
            Self::Large
        }
    }

    fn controls_width(self) -> f32 {
        match self {
            Self::Small => 230.0,
            Self::Medium => 292.0,
            Self::Large => 340.0,
        }
    }

    fn insight_width(self) -> f32 {
        match self {
            Self::Small => 230.0,
            Self::Medium => 360.0,
            Self::Large => 440.0,
        }
    }

    fn curves_height(self) -> f32 {
        match self {
            Self::Small => 170.0,
            Self::Medium => 210.0,
            Self::Large => 280.0,
        }
    }
}

/// The window's options: size and file drop.
fn native_options() -> eframe::NativeOptions {
    eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("nnviz: watch a neural network learn")
            .with_inner_size([1280.0, 800.0])
            .with_drag_and_drop(true),
        ..Default::default()
    }
}

/// What the panels draw of the session's data.
fn data_view(session: &Session) -> ui::DataView<'_> {
    ui::DataView {
        dataset: &session.dataset,
        csv: session.csv.as_ref(),
        prepared: &session.prepared,
        ranges: &session.ranges,
        slice: &session.slice,
        version: session.data_version,
    }
}

/// Opens the window and runs the app until it is closed.
pub fn run_app(options: AppOptions) -> anyhow::Result<()> {
    eframe::run_native(
        "nnviz",
        native_options(),
        Box::new(move |cc| Ok(Box::new(App::with_options(cc, &options)))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// The app wrapped to take one screenshot and close.
struct ScreenshotApp {
    app: App,
    frames: u64,
    wait_for_training: bool,
    frame: u64,
    requested: bool,
    path: PathBuf,
    result: Arc<Mutex<Option<Result<(), String>>>>,
}

impl eframe::App for ScreenshotApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        if self.frame == 0 {
            // Like the settings, the panels' folding starts fresh: a screenshot does not depend
            // on what the last session left open.
            ui.ctx()
                .memory_mut(|memory| *memory = egui::Memory::default());
        }
        self.app.frame_ui(ui);
        self.frame += 1;
        let ctx = ui.ctx().clone();
        let training = self.wait_for_training && self.app.session.playing();
        let ready = self.frame >= self.frames && (!training || self.frame >= self.frames * 50);
        if ready && !self.requested {
            self.requested = true;
            let path = self.path.clone();
            let result = Arc::clone(&self.result);
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image: Arc<egui::ColorImage>| {
                let saved = save_png(&image, &path);
                if let Ok(mut slot) = result.lock() {
                    *slot = Some(saved);
                }
                repaint.request_repaint();
            });
        }
        let done = self.result.lock().map(|r| r.is_some()).unwrap_or(true);
        if done {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        ctx.request_repaint();
    }

    fn persist_egui_memory(&self) -> bool {
        false
    }

    /// A screenshot shows the app as nobody is pointing at it: wherever the display's pointer
    /// happens to be, nothing is hovered and no crosshair is drawn.
    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        raw_input.events.retain(|event| {
            !matches!(
                event,
                egui::Event::PointerMoved(_)
                    | egui::Event::MouseMoved(_)
                    | egui::Event::PointerButton { .. }
            )
        });
        raw_input.events.push(egui::Event::PointerGone);
    }
}

/// Writes `image` as PNG, atomically.
fn save_png(image: &egui::ColorImage, path: &Path) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, bytes)
        .ok_or_else(|| "screenshot has the wrong size".to_owned())?;
    let mut png = Vec::new();
    buffer
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("cannot encode the PNG: {e}"))?;
    crate::model::write_atomically(path, &png)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Opens the real window with fresh settings and `options` (preset, data), runs at least
/// `frames` frames (with a preset: until its training finishes, at most 50 × `frames`), saves a
/// screenshot of the window as PNG at `path` and exits.
pub fn screenshot(path: &Path, frames: u64, options: AppOptions) -> anyhow::Result<()> {
    let options = AppOptions {
        fresh: true,
        ..options
    };
    let wait = options.preset.is_some();
    screenshot_app(path, frames, wait, move |cc| {
        App::with_options(cc, &options)
    })
}

/// [`screenshot`] of an app made by `make` (e.g. with other data or settings applied);
/// `wait_for_training` waits (up to 50 × `frames`) until training pauses by itself.
pub fn screenshot_app(
    path: &Path,
    frames: u64,
    wait_for_training: bool,
    make: impl FnOnce(&eframe::CreationContext<'_>) -> App + 'static,
) -> anyhow::Result<()> {
    let result = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&result);
    let path = path.to_path_buf();
    let options = eframe::NativeOptions {
        // Always 1280 × 800, whatever size the window had when last closed.
        persist_window: false,
        ..native_options()
    };
    eframe::run_native(
        "nnviz",
        options,
        Box::new(move |cc| {
            Ok(Box::new(ScreenshotApp {
                app: make(cc),
                frames: frames.max(1),
                wait_for_training,
                frame: 0,
                requested: false,
                path,
                result: slot,
            }))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    let outcome = result
        .lock()
        .map_err(|_| anyhow::anyhow!("screenshot state poisoned"))?
        .take();
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(anyhow::anyhow!(e)),
        None => Err(anyhow::anyhow!(
            "the window closed before the screenshot was taken"
        )),
    }
}

/// Frame-time figures of [`bench_ui`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchUiReport {
    /// Frames run.
    pub frames: usize,
    /// Median frame work, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile of frame work, milliseconds.
    pub p95_ms: f64,
    /// Slowest frame, milliseconds.
    pub max_ms: f64,
    /// Iterations trained per second of wall time.
    pub iterations_per_second: f64,
    /// Iterations trained in all.
    pub iterations: u64,
    /// Each run's own speed (one entry unless comparing).
    pub runs: Vec<RunSpeed>,
    /// Time to close the app after the last frame (the worker told to stop and joined),
    /// milliseconds; filled in by whoever closes it.
    pub close_ms: Option<f64>,
    /// Whether some run was still training when it was closed.
    pub closed_while_training: bool,
    /// The frames drawn while a CSV file loaded, if one was loaded first; filled in by whoever
    /// loaded it ([`bench_csv_load`]).
    pub load: Option<BenchLoadReport>,
}

/// One run's training speed in [`BenchUiReport`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSpeed {
    /// `run 2: 30 sigmoid · gd η 0.01`.
    pub name: String,
    /// Iterations it trained per second of wall time.
    pub iterations_per_second: f64,
    /// Iterations it trained.
    pub iterations: u64,
}

/// Runs the app's per-frame work (training, grid, metrics, layout, tessellation) for `frames`
/// frames of a 1280 × 800 window without a GPU, with fresh settings (and `preset`).
pub fn bench_ui(frames: usize, preset: Option<Preset>) -> BenchUiReport {
    let options = AppOptions {
        preset,
        fresh: true,
        ..AppOptions::default()
    };
    let mut app = App::headless(&options, None);
    bench_app(&mut app, frames, 0.0)
}

/// One frame of the app's work in a 1280 × 800 window without a GPU, then the wait for the next
/// frame at `fps` (none at 0): the frame's work in milliseconds.
fn bench_frame(ctx: &egui::Context, app: &mut App, start: Instant, fps: f64) -> f64 {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1280.0, 800.0),
        )),
        time: Some(start.elapsed().as_secs_f64()),
        ..Default::default()
    };
    let t = Instant::now();
    let mut output = ctx.run_ui(input, |ui| app.frame_ui(ui));
    let shapes = std::mem::take(&mut output.shapes);
    let _meshes = ctx.tessellate(shapes, output.pixels_per_point);
    // No GPU here: texture uploads are dropped on purpose.
    output.drop_without_applying_deltas();
    let took = t.elapsed();
    // A display asks for the next frame at its refresh, not at once.
    if fps > 0.0 {
        std::thread::sleep(Duration::from_secs_f64(1.0 / fps).saturating_sub(took));
    }
    took.as_secs_f64() * 1000.0
}

/// The `q`-quantile (0 to 1) of `times`, 0 for none.
fn quantiles(mut times: Vec<f64>) -> impl Fn(f64) -> f64 {
    times.sort_by(f64::total_cmp);
    move |q: f64| {
        if times.is_empty() {
            0.0
        } else {
            times[((times.len() - 1) as f64 * q).round() as usize]
        }
    }
}

/// Frame-time figures of [`bench_csv_load`]: the frames drawn while a CSV file loaded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchLoadReport {
    /// From asking for the file to the end of the frame that takes its data in, seconds.
    pub seconds: f64,
    /// Frames drawn meanwhile (the one that asked and the one that took the data included).
    pub frames: usize,
    /// Median frame work, milliseconds.
    pub p50_ms: f64,
    /// 95th percentile of frame work, milliseconds.
    pub p95_ms: f64,
    /// Slowest frame (the one that takes the data in, or the one that reads the file if it
    /// is read within the frame), milliseconds.
    pub max_ms: f64,
}

/// Loads the CSV file at `path` into `app` as the file dialog does, and times the frames drawn
/// (`fps` a second, 0 back to back) until its data is shown.
pub fn bench_csv_load(app: &mut App, path: &Path, fps: f64) -> BenchLoadReport {
    let ctx = egui::Context::default();
    let start = Instant::now();
    // The window applies the dialog's answer within a frame: that frame's work.
    app.apply(Command::LoadCsvPath(path.to_path_buf()), Some(&ctx));
    let mut times = vec![start.elapsed().as_secs_f64() * 1000.0];
    while app.csv_load.is_some() {
        times.push(bench_frame(&ctx, app, start, fps));
    }
    let seconds = start.elapsed().as_secs_f64();
    let frames = times.len();
    let at = quantiles(times);
    BenchLoadReport {
        seconds,
        frames,
        p50_ms: at(0.5),
        p95_ms: at(0.95),
        max_ms: at(1.0),
    }
}

/// [`bench_ui`] on an app already set up (e.g. with a large CSV loaded), `fps` frames a second
/// (0: back to back). Only each frame's own work is timed; the wait for the next frame is not.
pub fn bench_app(app: &mut App, frames: usize, fps: f64) -> BenchUiReport {
    let ctx = egui::Context::default();
    let start = Instant::now();
    app.session.refresh();
    let first: Vec<u64> = app.session.runs().iter().map(|r| r.iteration).collect();
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        times.push(bench_frame(&ctx, app, start, fps));
    }
    let wall = start.elapsed().as_secs_f64();
    app.session.refresh();
    let runs: Vec<RunSpeed> = app
        .session
        .runs()
        .iter()
        .enumerate()
        .map(|(k, run)| {
            let iterations = run
                .iteration
                .saturating_sub(first.get(k).copied().unwrap_or(0));
            RunSpeed {
                name: format!("run {}: {}", k + 1, run.spec.summary()),
                iterations_per_second: iterations as f64 / wall.max(1e-9),
                iterations,
            }
        })
        .collect();
    let iterations = runs.iter().map(|r| r.iterations).sum();
    let at = quantiles(times);
    BenchUiReport {
        frames,
        p50_ms: at(0.5),
        p95_ms: at(0.95),
        max_ms: at(1.0),
        iterations_per_second: iterations as f64 / wall.max(1e-9),
        iterations,
        runs,
        close_ms: None,
        closed_while_training: app.session.busy(),
        load: None,
    }
}
