//! The control panels: presets, data, network, training, export and view.

use egui::{CollapsingHeader, ComboBox, DragValue, Response, Slider, Ui};

use crate::app::commands::{Command, ExportKind, Notice};
use crate::app::presets::{ARTICLE_HOT_DOGS_SEED, Comparison, Preset, default_generator};
use crate::app::settings::{MAX_RUNS, Settings, Speed, TRY_SEEDS};
use crate::data::{Builtin, ColumnKind, ColumnRoles, CsvSource, Task};
use crate::nn::{Activation, HiddenLayer, Init, Loss, MAX_HIDDEN_LAYERS, MAX_UNITS, Reduction};
use crate::train::spec::Defaults;
use crate::train::worker::RunView;
use crate::train::{Optimizer, RunSpec, Schedule, ScheduleKind};

use super::DataView;
use super::decision::axis_features;

/// A widget with a label in front of it, linked for screen readers and tests.
fn labelled(ui: &mut Ui, label: &str, add: impl FnOnce(&mut Ui) -> Response) -> Response {
    ui.horizontal(|ui| {
        let l = ui.label(label);
        add(ui).labelled_by(l.id)
    })
    .inner
}

/// Play/Pause, Step, Reset, speed, the iteration count and the theme.
pub fn toolbar_ui(
    ui: &mut Ui,
    playing: bool,
    runs: &[RunView],
    data_name: &str,
    settings: &mut Settings,
    commands: &mut Vec<Command>,
) {
    let architecture = architecture_text(settings);
    // The status text gives way (cut short) where the window is too narrow for everything.
    let left = |ui: &mut Ui| {
        let play = if playing { "Pause" } else { "Play" };
        // One width for both texts, so that Step and Reset stay where they are.
        if ui
            .add(egui::Button::new(play).min_size(egui::vec2(52.0, 0.0)))
            .on_hover_text("Space")
            .clicked()
        {
            commands.push(Command::TogglePlay);
        }
        if ui
            .button("Step")
            .on_hover_text("Right arrow key: one iteration")
            .clicked()
        {
            commands.push(Command::Step);
        }
        if ui
            .button("Reset")
            .on_hover_text("R: new weights from the seed")
            .clicked()
        {
            commands.push(Command::Reset);
        }
        speed_ui(ui, &mut settings.speed);
        ui.separator();
        if runs.len() > 1 {
            // The runs train in step: they are at most a trainer call apart.
            let behind = runs.iter().map(|r| r.iteration).min().unwrap_or(0);
            ui.label(format!(
                "iteration {} · {} · {} runs side by side",
                super::stats::format_count(behind),
                data_name,
                runs.len()
            ));
        } else {
            ui.label(format!(
                "iteration {} · {} · {}",
                super::stats::format_count(runs.first().map_or(0, |r| r.iteration)),
                data_name,
                architecture
            ));
        }
    };
    let right = |ui: &mut Ui| {
        let theme = if settings.dark {
            "Light theme"
        } else {
            "Dark theme"
        };
        if ui
            .button(theme)
            .on_hover_text("Switch the window's colours (light suits a projector)")
            .clicked()
        {
            settings.dark = !settings.dark;
        }
        zoom_ui(ui, &mut settings.zoom);
        ui.toggle_value(&mut settings.show_insight, "Numbers")
            .on_hover_text("Show or hide the numbers and network panel (right)");
        ui.toggle_value(&mut settings.show_controls, "Controls")
            .on_hover_text("Show or hide the controls panel (left)");
    };
    egui::Sides::new()
        .shrink_left()
        .truncate()
        .show(ui, left, right);
}

/// The message of the moment, over the top of the plot (`over`, the middle of the window): it
/// moves nothing (the buttons stay under the pointer), wraps when long, and stays until
/// dismissed or replaced.
pub fn notice_ui(
    ctx: &egui::Context,
    over: egui::Rect,
    notice: &Notice,
    commands: &mut Vec<Command>,
) {
    let width = (over.width() - 24.0).max(200.0);
    egui::Area::new(egui::Id::unique("notice"))
        .order(egui::Order::Foreground)
        .fixed_pos(over.left_top() + egui::vec2(8.0, 4.0))
        .interactable(true)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(width);
                let colour = if notice.is_error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().warn_fg_color
                };
                ui.horizontal_wrapped(|ui| {
                    ui.colored_label(colour, &notice.text);
                });
                ui.horizontal(|ui| {
                    if let Some((label, command)) = &notice.action
                        && ui.small_button(label).clicked()
                    {
                        commands.push(command.clone());
                    }
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::DismissNotice);
                    }
                });
            });
        });
}

/// The zoom control, right to left: larger, the size, smaller (Ctrl + and Ctrl − too).
fn zoom_ui(ui: &mut Ui, zoom: &mut f32) {
    let (lo, hi) = crate::app::settings::ZOOM_RANGE;
    let step = |z: f32, by: f32| ((z * by * 10.0).round() / 10.0).clamp(lo, hi);
    if ui
        .add_enabled(*zoom < hi, egui::Button::new("A+"))
        .on_hover_text("Larger text and controls (Ctrl +), for a projector")
        .clicked()
    {
        *zoom = step(*zoom, 1.1).max(*zoom + 0.1).min(hi);
    }
    if ui
        .button(format!("{:.0} %", *zoom * 100.0))
        .on_hover_text("Zoom: click for 100 %")
        .clicked()
    {
        *zoom = 1.0;
    }
    if ui
        .add_enabled(*zoom > lo, egui::Button::new("A−"))
        .on_hover_text("Smaller text and controls (Ctrl −), for a small screen")
        .clicked()
    {
        *zoom = step(*zoom, 1.0 / 1.1).min(*zoom - 0.1).max(lo);
    }
}

/// "hidden: 5 sigmoid, 3 relu", the hidden layers as text.
fn architecture_text(settings: &Settings) -> String {
    if settings.run.network.hidden.is_empty() {
        return "logistic regression (no hidden layer)".to_owned();
    }
    let layers: Vec<String> = settings
        .run
        .network
        .hidden
        .iter()
        .map(|h| format!("{} {}", h.units, h.activation.name()))
        .collect();
    format!("hidden: {}", layers.join(", "))
}

/// One button per experiment of the article, grouped by data set.
pub fn presets_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    for (data, presets) in [("hot dogs", &Preset::ALL[..4]), ("iris", &Preset::ALL[4..])] {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{data}:"));
            for &preset in presets {
                if ui
                    .button(preset.button_text())
                    .on_hover_text(format!(
                        "{}: set data, network and training as in the article and train; the \
                         article reports {}",
                        preset.label(),
                        preset.article_result()
                    ))
                    .clicked()
                {
                    commands.push(Command::Preset(preset));
                }
            }
        });
    }
}

/// The data set: built-in generator or CSV, columns, split, scaling, plot axes and slice.
pub fn data_ui(
    ui: &mut Ui,
    view: &DataView<'_>,
    settings: &mut Settings,
    commands: &mut Vec<Command>,
) {
    let using_csv = view.csv.is_some();
    let current = if using_csv {
        "CSV file".to_owned()
    } else {
        settings.builtin.label().to_owned()
    };
    let before = settings.builtin;
    let about = if using_csv {
        "A CSV file (Open CSV… or drop one on the window)"
    } else {
        settings.builtin.description()
    };
    ComboBox::new("builtin", "data set")
        .selected_text(current)
        .show_ui(ui, |ui| {
            for b in Builtin::ALL {
                if ui
                    .selectable_label(!using_csv && settings.builtin == b, b.label())
                    .on_hover_text(b.description())
                    .clicked()
                {
                    // The same set as before the CSV file: a command loads it (a change of
                    // set reloads by itself).
                    if using_csv && b == settings.builtin {
                        commands.push(Command::UseBuiltin);
                    }
                    settings.builtin = b;
                }
            }
        })
        .response
        .on_hover_text(about);
    if settings.builtin != before {
        settings.generator = default_generator(settings.builtin);
    }
    if !using_csv && settings.builtin != Builtin::Iris {
        let g = &mut settings.generator;
        ui.horizontal(|ui| {
            labelled(ui, "points", |ui| {
                ui.add(DragValue::new(&mut g.points).range(4..=100_000))
            })
            .on_hover_text("How many points to generate");
            labelled(ui, "noise", |ui| {
                ui.add(DragValue::new(&mut g.noise).range(0.0..=5.0).speed(0.01))
            })
            .on_hover_text("How far points stray from the set's shape (0: exactly on it)");
            labelled(ui, "seed", |ui| ui.add(DragValue::new(&mut g.seed))).on_hover_text(format!(
                "Seed of the generated points ({ARTICLE_HOT_DOGS_SEED} gives hot dogs like \
                     the article's)"
            ));
        });
        if settings.builtin == Builtin::Spirals {
            labelled(ui, "arms", |ui| {
                ui.add(DragValue::new(&mut g.arms).range(2..=6))
            })
            .on_hover_text("How many spiral arms, one class each");
        }
    }
    ui.horizontal(|ui| {
        if ui
            .button("Open CSV…")
            .on_hover_text("Your own data: a CSV file with a header row")
            .clicked()
        {
            commands.push(Command::OpenCsv);
        }
        ui.label("or drop a CSV file on the window");
    });
    if let Some(csv) = view.csv {
        columns_ui(ui, csv, commands);
    }
    ui.add(Slider::new(&mut settings.preparation.test_fraction, 0.0..=0.9).text("test fraction"))
        .on_hover_text(
            "The share of rows kept out of training to test the network on rows it never saw \
             (drawn hollow)",
        );
    let mut standardize = settings
        .preparation
        .standardize
        .unwrap_or(view.dataset.standardize_by_default);
    ui.horizontal(|ui| {
        if ui
            .checkbox(&mut standardize, "standardise")
            .on_hover_text("Train on (x − mean) / sd; the plot stays in the data's own units")
            .changed()
        {
            settings.preparation.standardize = Some(standardize);
        }
        labelled(ui, "split seed", |ui| {
            ui.add(DragValue::new(&mut settings.preparation.split_seed))
        })
        .on_hover_text("Which rows go to the test set: another seed, another split");
    });
    inputs_ui(ui, view, settings);
    axes_ui(ui, view, settings, commands);
}

/// The network's inputs: the features, or terms over them. Over two features, TensorFlow
/// Playground's toggles (x1, x2, x1², x2², x1·x2, sin x1, sin x2); over more, a line of terms.
fn inputs_ui(ui: &mut Ui, view: &DataView<'_>, settings: &mut Settings) {
    let features = &view.dataset.feature_names;
    let current: Vec<String> = settings.preparation.inputs.as_deref().map_or_else(
        || features.clone(),
        |t| t.split(',').map(|s| s.trim().to_owned()).collect(),
    );
    let hover = "What the network takes as inputs: the features, or terms over them (squares, \
                 products, sines) that a network without hidden layers can separate a circle with";
    if features.len() == 2 {
        let offered = crate::data::playground_terms(features);
        let mut chosen = current.clone();
        ui.horizontal_wrapped(|ui| {
            ui.label("inputs:").on_hover_text(hover);
            for term in &offered {
                let mut on = chosen.contains(term);
                let toggle = ui
                    .toggle_value(&mut on, term.as_str())
                    .on_hover_text(format!("Feed the network {term} as one of its inputs"));
                if toggle.changed() {
                    if on {
                        chosen.push(term.clone());
                    } else if chosen.len() > 1 {
                        chosen.retain(|t| t != term);
                    }
                }
            }
        });
        if chosen != current {
            // In the toggles' order, so that the same choice is the same text.
            let mut ordered: Vec<String> = offered
                .iter()
                .filter(|t| chosen.contains(t))
                .cloned()
                .collect();
            ordered.extend(chosen.iter().filter(|t| !offered.contains(t)).cloned());
            settings.preparation.inputs = (ordered != *features).then(|| ordered.join(","));
        }
        return;
    }
    let id = egui::Id::unique("input-terms");
    let mut text = ui
        .data_mut(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| current.join(","));
    let response = labelled(ui, "inputs", |ui| {
        ui.add(egui::TextEdit::singleline(&mut text).desired_width(180.0))
    })
    .on_hover_text(format!(
        "{hover}: NAME, NAME^2, NAME*NAME, sin(NAME), cos(NAME), by commas"
    ));
    if response.lost_focus() {
        let terms: Vec<String> = text.split(',').map(|s| s.trim().to_owned()).collect();
        settings.preparation.inputs = (terms != *features).then(|| terms.join(","));
        ui.data_mut(|d| d.remove::<String>(id));
    } else if response.has_focus() {
        ui.data_mut(|d| d.insert_temp(id, text));
    }
}

/// Target, task and feature pickers of a loaded CSV file.
fn columns_ui(ui: &mut Ui, csv: &CsvSource, commands: &mut Vec<Command>) {
    let columns = &csv.columns;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let target = csv
        .roles
        .target
        .clone()
        .or_else(|| names.last().cloned())
        .unwrap_or_default();
    ui.label(format!(
        "{} ({} rows)",
        csv.table.file_name(),
        csv.table.n_rows()
    ));
    let mut roles = csv.roles.clone();
    let mut changed = false;
    ComboBox::new("target-column", "target column")
        .selected_text(target.clone())
        .show_ui(ui, |ui| {
            for name in &names {
                if ui.selectable_label(*name == target, name).clicked() && *name != target {
                    roles.target = Some(name.clone());
                    roles.features = None;
                    roles.class_order = None;
                    changed = true;
                }
            }
        })
        .response
        .on_hover_text("The column the network learns to predict");
    ComboBox::new("task", "task")
        .selected_text(roles.task.label())
        .show_ui(ui, |ui| {
            for task in Task::ALL {
                if ui
                    .selectable_label(roles.task == task, task.label())
                    .clicked()
                {
                    roles.task = task;
                    changed = true;
                }
            }
        })
        .response
        .on_hover_text("Classes (a softmax or sigmoid output) or a number (an identity output)");
    ui.label("features:");
    let chosen: Vec<String> = roles
        .features
        .clone()
        .unwrap_or_else(|| names.iter().filter(|n| **n != target).cloned().collect());
    for column in columns.iter().filter(|c| c.name != target) {
        let mut on = chosen.contains(&column.name);
        let kind = match column.kind {
            ColumnKind::Numeric => String::new(),
            ColumnKind::Text => format!(" (text, {} levels)", column.levels),
        };
        let r = ui.checkbox(&mut on, format!("{}{kind}", column.name));
        if let Some(problem) = &column.problem {
            r.on_hover_text(problem.to_string());
        } else if r.changed() {
            let mut features: Vec<String> = names
                .iter()
                .filter(|n| {
                    **n != target
                        && (if **n == column.name {
                            on
                        } else {
                            chosen.contains(n)
                        })
                })
                .cloned()
                .collect();
            features.dedup();
            roles.features = Some(features);
            changed = true;
        }
    }
    if changed {
        commands.push(Command::SetColumns(ColumnRoles { ..roles }));
    }
}

/// The features on the plot's axes and the value of each other feature (the slice).
fn axes_ui(ui: &mut Ui, view: &DataView<'_>, settings: &mut Settings, commands: &mut Vec<Command>) {
    let names = &view.dataset.feature_names;
    let d = names.len();
    if d >= 2 {
        ui.horizontal_wrapped(|ui| {
            for label in ["x axis", "y axis"] {
                let (x, y) = axis_features(settings, d);
                let (value, other) = if label == "x axis" { (x, y) } else { (y, x) };
                let mut chosen = value;
                ComboBox::new(label, label)
                    .selected_text(names.get(value).cloned().unwrap_or_default())
                    .show_ui(ui, |ui| {
                        for (j, name) in names.iter().enumerate() {
                            ui.selectable_value(&mut chosen, j, name);
                        }
                    })
                    .response
                    .on_hover_text("The feature drawn along this axis of the plot");
                // The other axis's feature: the two swap.
                let (mine, theirs) = if label == "x axis" {
                    (&mut settings.x_feature, &mut settings.y_feature)
                } else {
                    (&mut settings.y_feature, &mut settings.x_feature)
                };
                *mine = chosen;
                *theirs = if chosen == other { value } else { other };
            }
        });
    }
    if d > 2 {
        ui.label("other features held at (the plot is a slice):");
        let (x, y) = axis_features(settings, d);
        let texts = view.dataset.text_features();
        // A text column off the axes is held at one of its levels, picked by name.
        let held_texts: Vec<_> = texts
            .iter()
            .filter(|t| !t.features.contains(&Some(x)) && !t.features.contains(&Some(y)))
            .collect();
        let in_held_text = |j: usize| held_texts.iter().any(|t| t.features.contains(&Some(j)));
        for text in &held_texts {
            let current = text.level_of(view.slice);
            let mut chosen = current;
            ComboBox::new(("slice-level", &text.column), text.column.as_str())
                .selected_text(current.map_or("(mixed)", |i| text.levels[i].as_str()))
                .show_ui(ui, |ui| {
                    for (i, level) in text.levels.iter().enumerate() {
                        ui.selectable_value(&mut chosen, Some(i), level);
                    }
                })
                .response
                .on_hover_text("The level of this text column the plot is drawn at");
            if let Some(level) = chosen.filter(|_| chosen != current) {
                let mut row = view.slice.to_vec();
                text.hold(&mut row, level);
                for j in text.features.iter().flatten().copied() {
                    commands.push(Command::SetSlice {
                        feature: j,
                        value: row[j],
                    });
                }
            }
        }
        for j in (0..d).filter(|&j| j != x && j != y && !in_held_text(j)) {
            let is_level = texts.iter().any(|t| t.features.contains(&Some(j)));
            let mut v = view.slice.get(j).copied().unwrap_or(0.0);
            let changed = if is_level {
                // A level of the text column on an axis: present (1) or not (0).
                let mut on = v == 1.0;
                let changed = ui.checkbox(&mut on, names[j].as_str()).changed();
                v = if on { 1.0 } else { 0.0 };
                changed
            } else {
                let (lo, hi) = view.ranges.get(j).copied().unwrap_or((0.0, 1.0));
                ui.add(Slider::new(&mut v, lo..=hi).text(names[j].as_str()))
                    .changed()
            };
            if changed {
                commands.push(Command::SetSlice {
                    feature: j,
                    value: v,
                });
            }
        }
    }
    let classes = view.dataset.class_names();
    if d == 2 && !classes.is_empty() {
        settings.click_class = settings.click_class.min(classes.len() - 1);
        ComboBox::new("click-class", "class of clicked points")
            .selected_text(classes[settings.click_class].clone())
            .show_ui(ui, |ui| {
                for (k, name) in classes.iter().enumerate() {
                    ui.selectable_value(&mut settings.click_class, k, name);
                }
            })
            .response
            .on_hover_text(
                "Click the plot to add a point of this class; shift-click or right-click erases \
                 one",
            );
    }
}

/// Comparisons: one click trains several runs side by side on the same data; or add a copy of
/// the run being edited, or go back to one run.
pub fn compare_ui(ui: &mut Ui, settings: &Settings, commands: &mut Vec<Command>) {
    ui.label("Train runs side by side on the same data:");
    ui.horizontal_wrapped(|ui| {
        for c in Comparison::ALL {
            if ui
                .button(c.button_text())
                .on_hover_text("Hot dogs, 100 000 iterations each, as in the article")
                .clicked()
            {
                commands.push(Command::Compare(c));
            }
        }
    });
    ui.horizontal(|ui| {
        let n = settings.run_count();
        let add = egui::Button::new(format!(
            "Add run {} (copy of run {})",
            n + 1,
            settings.selected + 1
        ));
        if ui
            .add_enabled(n < MAX_RUNS, add)
            .on_hover_text("Then change its settings below")
            .on_disabled_hover_text(format!("At most {MAX_RUNS} runs side by side"))
            .clicked()
        {
            commands.push(Command::AddRun);
        }
        if ui
            .button(format!("Try {TRY_SEEDS} seeds"))
            .on_hover_text(format!(
                "Run {}'s settings {TRY_SEEDS} times on the same data, seeds apart: how much \
                 the initial weights and the batch order matter (the curves show the median and \
                 the range)",
                settings.selected + 1
            ))
            .clicked()
        {
            commands.push(Command::TrySeeds);
        }
        if n > 1
            && ui
                .button("One run")
                .on_hover_text("Keep run 1 only")
                .clicked()
        {
            commands.push(Command::LeaveCompare);
        }
    });
}

/// Which run the Network and Training sections edit (when comparing), and removing it.
pub fn run_picker_ui(ui: &mut Ui, settings: &mut Settings, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Editing");
        for k in 0..settings.run_count() {
            let text = egui::RichText::new(format!("run {}", k + 1))
                .strong()
                .color(super::run_color(k));
            ui.selectable_value(&mut settings.selected, k, text);
        }
        if settings.selected > 0
            && ui
                .button(format!("Remove run {}", settings.selected + 1))
                .on_hover_text("Stop training it and take it out of the comparison")
                .clicked()
        {
            commands.push(Command::RemoveRun(settings.selected));
        }
    });
}

/// Hidden layers (size, activation), initialisation and seed.
pub fn network_controls_ui(ui: &mut Ui, run: &mut RunSpec) {
    let mut remove = None;
    for (l, layer) in run.network.hidden.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.add(
                Slider::new(&mut layer.units, 1..=MAX_UNITS)
                    .logarithmic(true)
                    .text(format!("layer {} units", l + 1)),
            )
            .on_hover_text("How many units (neurons) this hidden layer has");
        });
        ui.horizontal(|ui| {
            ComboBox::new(("activation", l), format!("layer {} activation", l + 1))
                .selected_text(layer.activation.label())
                .show_ui(ui, |ui| {
                    for a in Activation::ALL {
                        ui.selectable_value(&mut layer.activation, a, a.label());
                    }
                })
                .response
                .on_hover_text("The function each unit applies to its weighted sum z");
            if ui
                .small_button("Remove")
                .on_hover_text("Remove this layer")
                .clicked()
            {
                remove = Some(l);
            }
        });
    }
    if let Some(l) = remove {
        run.network.hidden.remove(l);
    }
    ui.horizontal(|ui| {
        let can_add = run.network.hidden.len() < MAX_HIDDEN_LAYERS;
        if ui
            .add_enabled(can_add, egui::Button::new("Add layer"))
            .on_hover_text(
                "Another hidden layer after the last one (any depth, as the article wished)",
            )
            .clicked()
        {
            let activation = run
                .network
                .hidden
                .last()
                .map_or(Activation::Sigmoid, |h| h.activation);
            run.network.hidden.push(HiddenLayer {
                units: 5,
                activation,
            });
        }
        ui.label(format!("{} hidden layers", run.network.hidden.len()));
    });
    ComboBox::new("init", "initial weights")
        .selected_text(run.network.init.label())
        .show_ui(ui, |ui| {
            for init in Init::ALL {
                ui.selectable_value(&mut run.network.init, init, init.label());
            }
        })
        .response
        .on_hover_text(
            "How the weights are drawn before training: the article's N(0, 1), or scaled to each \
             layer's size (Xavier for sigmoid and tanh, He for ReLU)",
        );
    labelled(ui, "weight seed", |ui| {
        ui.add(DragValue::new(&mut run.network.seed))
    })
    .on_hover_text("Which random starting weights: another seed, another start (Reset redraws)");
}

/// Optimiser, learning rate, batch and stopping rule; penalties, schedule, loss, reduction and
/// speed folded under "More training settings".
pub fn training_ui(ui: &mut Ui, run: &mut RunSpec, is_classification: bool, defaults: Defaults) {
    ui.horizontal(|ui| {
        ui.small(format!("defaults: {}", defaults.short()))
            .on_hover_text(defaults.describe());
        if !defaults.are_in(run)
            && ui
                .small_button("use")
                .on_hover_text(
                    "Put these defaults back: the initial weights (Reset draws them), the loss \
                     reduction and the learning rate",
                )
                .clicked()
        {
            defaults.apply(run);
        }
    });
    let t = &mut run.training;
    ui.add(
        Slider::new(&mut t.learning_rate, 1e-5..=10.0)
            .logarithmic(true)
            .text("learning rate"),
    )
    .on_hover_text(
        "γ in W ← W − γ·∇: how big a step each iteration takes down the gradient. Too small \
         crawls, too big diverges",
    );
    ComboBox::new("optimizer", "optimiser")
        .selected_text(t.optimizer.label())
        .show_ui(ui, |ui| {
            for o in Optimizer::ALL {
                ui.selectable_value(&mut t.optimizer, o, o.label());
            }
        })
        .response
        .on_hover_text(
            "How each step follows the gradient: plain gradient descent (the article's), with \
             momentum, or Adam",
        );
    ui.horizontal(|ui| {
        let mut full = t.batch_size.is_none();
        ui.checkbox(&mut full, "full batch")
            .on_hover_text("Every training row in each iteration (the article's)");
        if full {
            t.batch_size = None;
        } else {
            let mut b = t.batch_size.unwrap_or(32);
            labelled(ui, "batch size", |ui| {
                ui.add(DragValue::new(&mut b).range(1..=1_000_000))
            })
            .on_hover_text("Rows per iteration, drawn in a shuffled order");
            t.batch_size = Some(b);
        }
    });
    let mut use_tolerance = t.tolerance.is_some();
    ui.horizontal(|ui| {
        // The trainer compares its own loss figure: summed or mean, as the reduction says.
        let reduction = t.reduction.unwrap_or(if is_classification {
            Reduction::Sum
        } else {
            Reduction::Mean
        });
        let (text, hover) = match reduction {
            Reduction::Sum => (
                "stop when summed loss <",
                "Compared with the loss summed over the training rows (the article's figure, \
                 shown as \"summed loss\"), not the per-row loss the curves draw",
            ),
            Reduction::Mean => (
                "stop when mean loss <",
                "Compared with the mean loss per training row, as the curves draw it",
            ),
        };
        ui.checkbox(&mut use_tolerance, text).on_hover_text(hover);
        let mut tol = t.tolerance.unwrap_or(0.01);
        ui.add_enabled(
            use_tolerance,
            DragValue::new(&mut tol).range(0.0..=1e6).speed(0.001),
        )
        .on_hover_text("loss tolerance")
        .on_disabled_hover_text("Tick the box to stop at this loss");
        t.tolerance = use_tolerance.then_some(tol);
    });
    let mut use_limit = run.training.stop_after.is_some();
    ui.horizontal(|ui| {
        ui.checkbox(&mut use_limit, "stop after")
            .on_hover_text("Pause by itself after this many iterations (Play goes on)");
        let mut n = run.training.stop_after.unwrap_or(100_000);
        ui.add_enabled(
            use_limit,
            DragValue::new(&mut n).range(1..=u64::MAX / 2).speed(100.0),
        )
        .on_hover_text("iterations")
        .on_disabled_hover_text("Tick \"stop after\" to pause after this many iterations");
        ui.label("iterations");
        run.training.stop_after = use_limit.then_some(n);
    });
    CollapsingHeader::new("More training settings").show(ui, |ui| {
        more_training_ui(ui, run, is_classification);
    });
}

/// Penalties, schedule, loss reduction, loss and speed.
fn more_training_ui(ui: &mut Ui, run: &mut RunSpec, is_classification: bool) {
    let t = &mut run.training;
    ui.horizontal(|ui| {
        labelled(ui, "L1", |ui| {
            ui.add(DragValue::new(&mut t.l1).range(0.0..=10.0).speed(0.001))
        })
        .on_hover_text("Penalty on the sum of |w|: pushes weights to exactly 0");
        labelled(ui, "L2", |ui| {
            ui.add(DragValue::new(&mut t.l2).range(0.0..=10.0).speed(0.001))
        })
        .on_hover_text("Penalty on the sum of w²: keeps weights small, against overfitting");
    });
    ComboBox::new("schedule", "learning-rate schedule")
        .selected_text(t.schedule.kind().label())
        .show_ui(ui, |ui| {
            for s in ScheduleKind::ALL.map(Schedule::starting) {
                if ui
                    .selectable_label(t.schedule.kind() == s.kind(), s.kind().label())
                    .clicked()
                    && t.schedule.kind() != s.kind()
                {
                    t.schedule = s;
                }
            }
        })
        .response
        .on_hover_text(
            "How the learning rate changes as training goes on (the article's wish list)",
        );
    match &mut t.schedule {
        Schedule::Constant => {}
        Schedule::Step { every, factor } => {
            labelled(ui, "drop every", |ui| {
                ui.add(DragValue::new(every).range(1..=10_000_000))
            });
            labelled(ui, "drop factor", |ui| {
                ui.add(DragValue::new(factor).range(0.01..=1.0).speed(0.01))
            });
        }
        Schedule::Exponential { rate } | Schedule::InverseTime { rate } => {
            labelled(ui, "decay rate", |ui| {
                ui.add(DragValue::new(rate).range(0.0..=1.0).speed(1e-6))
            });
        }
    }
    let automatic = if is_classification {
        "auto: sum (article)"
    } else {
        "auto: mean"
    };
    let reduction_text = |r: Option<Reduction>| r.map_or(automatic, Reduction::label);
    ComboBox::new("reduction", "loss reduction")
        .selected_text(reduction_text(t.reduction))
        .show_ui(ui, |ui| {
            for r in std::iter::once(None).chain(Reduction::ALL.map(Some)) {
                ui.selectable_value(&mut t.reduction, r, reduction_text(r));
            }
        })
        .response
        .on_hover_text(
            "Auto follows the data: the article's sum for classes, the mean for numbers (a \
             summed squared error diverges at the usual rates once there are many rows)",
        );
    if is_classification {
        let loss_text = |l: Option<Loss>| l.map_or("auto: cross-entropy", Loss::label);
        ComboBox::new("loss", "loss")
            .selected_text(loss_text(t.loss))
            .show_ui(ui, |ui| {
                for l in std::iter::once(None).chain(Loss::ALL.map(Some)) {
                    ui.selectable_value(&mut t.loss, l, loss_text(l));
                }
            })
            .response
            .on_hover_text(
                "What the network minimises: cross-entropy for classes, squared error for numbers",
            );
    }
}

/// The speed of training: as fast as the worker can, or a few iterations a second to watch.
pub fn speed_ui(ui: &mut Ui, chosen: &mut Speed) {
    ComboBox::new("speed", "iterations/s")
        .selected_text(chosen.label())
        .show_ui(ui, |ui| {
            for speed in Speed::CHOICES {
                ui.selectable_value(chosen, speed, speed.label());
            }
        })
        .response
        .on_hover_text(
            "The most iterations each run trains per second: max, or slowly enough to watch \
             each step",
        );
}

/// Copy setup and Paste setup…: the runs as a short text to share.
pub fn share_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui
            .button("Copy setup")
            .on_hover_text(
                "Put a short text on the clipboard with the data, every run's network and \
                 training, and their seeds: pasted in nnviz, it gives these runs again",
            )
            .clicked()
        {
            commands.push(Command::CopySetup);
        }
        if ui
            .button("Paste setup…")
            .on_hover_text("Apply a setup text someone copied (or `nnviz --setup TEXT`)")
            .clicked()
        {
            commands.push(Command::OpenPasteSetup);
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui
            .button(ExportKind::Session.label())
            .on_hover_text(
                "Save a file with the data (points added or erased included), every run's \
                 settings, weights and optimiser state: opened, training goes on exactly \
                 from here",
            )
            .clicked()
        {
            commands.push(Command::Export(ExportKind::Session));
        }
        if ui
            .button("Open session…")
            .on_hover_text("Open a saved session (or drop its .nnviz file on the window)")
            .clicked()
        {
            commands.push(Command::OpenSession);
        }
    });
    if ui
        .button(ExportKind::SessionWithoutWeights.label())
        .on_hover_text(
            "The data and every run's settings, without weights: opened, the runs start from \
             their seeds",
        )
        .clicked()
    {
        commands.push(Command::Export(ExportKind::SessionWithoutWeights));
    }
}

/// The Paste setup window: a text field, Apply and Cancel. False when it was closed.
pub fn paste_setup_ui(ctx: &egui::Context, text: &mut String, commands: &mut Vec<Command>) -> bool {
    let mut open = true;
    let mut cancelled = false;
    let screen = ctx.content_rect();
    egui::Window::new("Paste setup")
        .open(&mut open)
        .collapsible(false)
        .resizable(true)
        .default_width(420.0)
        // Low on the left, by the Share buttons: the messages at the top stay clear of it.
        .default_pos(egui::pos2(
            screen.left() + 16.0,
            (screen.bottom() - 240.0).max(screen.top() + 120.0),
        ))
        .show(ctx, |ui| {
            ui.label("Paste a setup text (it starts with nnviz-setup-1), then Apply.");
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY)
                    .hint_text("nnviz-setup-1 dataset=… hidden=…"),
            )
            .on_hover_text("The setup text: key=value words, runs after the first after |");
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!text.trim().is_empty(), egui::Button::new("Apply"))
                    .on_hover_text("Replace the runs with the setup's (a bad text changes nothing)")
                    .on_disabled_hover_text("Paste a setup text first")
                    .clicked()
                {
                    commands.push(Command::ApplySetup(text.clone()));
                }
                if ui
                    .button("Cancel")
                    .on_hover_text("Close, changing nothing")
                    .clicked()
                {
                    cancelled = true;
                }
            });
        });
    open && !cancelled
}

/// Buttons that save the plot, the history, the data, the model and the code, and load a model.
pub fn export_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    for kind in ExportKind::ALL {
        if ui.button(kind.label()).clicked() {
            commands.push(Command::Export(kind));
        }
    }
    if ui.button("Load model (JSON)…").clicked() {
        commands.push(Command::OpenModel);
    }
}

/// Plot toggles.
pub fn view_ui(ui: &mut Ui, settings: &mut Settings) {
    ui.checkbox(&mut settings.discretize, "discretise regions")
        .on_hover_text("Shade each region by its predicted class only, without how sure it is");
    ui.checkbox(&mut settings.show_test, "show test points (hollow)")
        .on_hover_text("Draw the rows kept out of training, as hollow circles");
    ui.checkbox(&mut settings.ring_wrong, "ring misclassified points")
        .on_hover_text("A red ring around each point the network classifies wrongly");
    ui.checkbox(&mut settings.dark, "dark theme")
        .on_hover_text("Light text on dark, or dark on light (for a projector)");
}
