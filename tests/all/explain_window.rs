//! The explain panel, driven as a student would: open it, click a point, edit a weight and see
//! the row's prediction follow.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nnviz::app::{App, Command};

use crate::common::ui::{harness, pause, settle, sync};

/// The text of the panel's `ŷ` line for a one-output network.
fn output_line(harness: &Harness<'static, App>) -> String {
    harness
        .get_by_label_contains("ŷ = sigmoid(z2) = [")
        .value()
        .unwrap_or_default()
}

#[test]
fn clicking_a_point_while_explaining_picks_its_row_and_adds_nothing() {
    let mut harness = harness();
    pause(&mut harness);
    harness.get_by_label("Explain a row…").click();
    // A window shows from its second frame (the first sizes it).
    harness.run_steps(4);
    assert!(harness.state().explain.is_some(), "the panel opened");
    harness.get_by_label("Explain a row");
    let first = harness.state().session.main().data.train_rows[0];
    assert_eq!(harness.state().explain.as_ref().unwrap().row, first);
    harness.get_by_label_contains(&format!("Row {} (a training row)", first + 1));
    harness.get_by_label_contains("click a point: explain its row");
    let n = harness.state().session.dataset.n_rows();
    // The hot dogs crowd the middle of the plane: a click there lands on a point.
    crate::common::ui::click_plot_middle(&mut harness);
    let app = harness.state();
    assert_eq!(app.session.dataset.n_rows(), n, "no point was added");
    let row = app.explain.as_ref().unwrap().row;
    assert_ne!(row, first, "the clicked point's row is explained");
    // The point is near the plane's middle: within a fifth of each feature's range.
    let features = &app.session.dataset.features;
    for j in 0..2 {
        let column = features.column(j);
        let (lo, hi) = column
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let middle = (lo + hi) / 2.0;
        assert!(
            (features.get(row, j) - middle).abs() < 0.2 * (hi - lo),
            "row {row}'s feature {j} is {} (range {lo}…{hi})",
            features.get(row, j)
        );
    }
    harness.get_by_label_contains(&format!("Row {} (a ", row + 1));
    // Closed, a click adds a point again.
    harness.state_mut().apply(Command::CloseExplain, None);
    harness.run_steps(2);
    assert!(harness.query_by_label("Explain a row").is_none());
}

#[test]
fn a_weight_edited_by_hand_changes_the_explained_prediction_and_its_numbers() {
    let mut harness = harness();
    pause(&mut harness);
    harness.key_press(egui::Key::E);
    harness.run_steps(4);
    let before = output_line(&harness);
    // The output unit's bias pushed far up: ŷ → 1 for every row.
    let layers = harness.state().session.main().network.weights().len();
    harness.state_mut().apply(
        Command::SetWeight {
            run: 0,
            layer: layers - 1,
            row: 0,
            col: 0,
            value: 60.0,
        },
        None,
    );
    sync(&mut harness, 2);
    settle(&mut harness);
    let after = output_line(&harness);
    assert_ne!(before, after);
    assert!(after.ends_with("= [1]"), "{after}");
    // The weights table shows the edit, bias row first.
    harness.get_by_label("The weights W (live)").click();
    harness.run_steps(2);
    harness.get_by_label("60");
    // Fewer digits: every number is shorter.
    let digits = harness.state_mut().explain.as_mut().unwrap();
    digits.digits = 2;
    harness.run_steps(2);
    let short = harness
        .get_by_label_contains("x = [")
        .value()
        .unwrap_or_default();
    let numbers: Vec<&str> = short
        .trim_start_matches("x = [")
        .trim_end_matches(']')
        .split(", ")
        .collect();
    for number in numbers {
        let digits = number.chars().filter(char::is_ascii_digit).count();
        assert!(digits <= 3, "{number} in {short}");
    }
}

#[test]
fn the_misclassified_rows_are_counted_listed_and_explained_on_a_click() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    let main = harness.state().session.main();
    let metrics = main.metrics.clone().expect("figures");
    let wrong = nnviz::ui::explain::wrong_rows(main, true);
    let test_wrong = metrics.test.as_ref().map_or(0, |t| t.wrong.len());
    assert_eq!(wrong.len(), metrics.train.wrong.len() + test_wrong);
    let off_diagonal = |m: &nnviz::train::Metrics| {
        (0..m.confusion.len())
            .flat_map(|a| (0..m.confusion.len()).map(move |p| (a, p)))
            .filter(|(a, p)| a != p)
            .map(|(a, p)| m.confusion[a][p])
            .sum::<usize>()
    };
    assert_eq!(metrics.train.wrong.len(), off_diagonal(&metrics.train));
    let text = format!(
        "misclassified: {} training · {} test",
        metrics.train.wrong.len(),
        test_wrong
    );
    harness.get_by_label(&text).click();
    harness.run_steps(2);
    let first = wrong[0];
    harness
        .get_by_label_contains(&format!("row {}: ", first + 1))
        .click();
    harness.run_steps(4);
    assert_eq!(harness.state().explain.as_ref().map(|e| e.row), Some(first));
    harness.get_by_label_contains("(wrong)");
}

#[test]
fn the_health_table_shows_the_layers_saturation_as_measured() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    harness.get_by_label("Health").click();
    harness.run_steps(3);
    let main = harness.state().session.main();
    let data = &main.data;
    let layers =
        nnviz::train::health::health(&main.network, &main.config, &data.train_x, &data.train_y)
            .unwrap();
    assert!(data.train_rows.len() <= nnviz::train::health::HEALTH_ROWS);
    let share = layers[0].saturated.expect("the hot dogs' layer is sigmoid");
    harness.get_by_label(&format!("{:.0} % saturated", share * 100.0));
    harness.get_by_label("1 (sigmoid)");
    harness.get_by_label("2 (output)");
    // Over training, and the weights' spread per layer.
    harness.get_by_label("Norms over training");
    let main = harness.state().session.main();
    let histograms = nnviz::train::health::weight_histograms(&main.network, 24);
    let first = &histograms[0];
    let units = main.network.weights()[0].cols();
    harness.get_by_label(&format!(
        "layer 1 (sigmoid, {units} units): {} weights from {} to {}",
        first.counts.iter().sum::<usize>(),
        nnviz::ui::format_number(first.lo),
        nnviz::ui::format_number(first.hi)
    ));
}

#[test]
fn the_hidden_space_window_shows_the_last_hidden_layer_and_closes() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    harness.get_by_label("Hidden space…").click();
    harness.run_steps(4);
    let units = harness.state().session.main().network.weights()[0].cols();
    harness.get_by_label_contains(&format!(
        "Layer 1's {units} units, by their first two principal components"
    ));
    harness.get_by_label_contains("bent by the hidden layer");
    // A second click soon after the first would be a double click.
    harness.run_steps(40);
    harness.get_by_label("Hidden space…").click();
    harness.run_steps(3);
    assert!(harness.state().hidden_space.is_none());
    assert!(
        harness
            .query_by_label_contains("by their first two principal components")
            .is_none()
    );
}

#[test]
fn the_hidden_space_can_show_two_picked_units() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    harness.get_by_label("Hidden space…").click();
    harness.run_steps(4);
    let units = harness.state().session.main().network.weights()[0].cols();
    harness.get_by_label("two units").click();
    harness.run_steps(4);
    harness.get_by_label_contains(&format!(
        "Layer 1's units 1 and 2 (of {units}), the others held at their mean."
    ));
    harness.get_by_label_contains("where the output is 0.5, with the rest of the layer held");
    harness.get_by_label("principal components").click();
    harness.run_steps(4);
    harness.get_by_label_contains("by their first two principal components");
}

#[test]
fn in_compare_mode_a_click_on_a_runs_plot_explains_the_row_in_that_run() {
    let mut harness = harness();
    pause(&mut harness);
    harness.get_by_label("Compare runs").click();
    harness.run_steps(2);
    harness.get_by_label_contains("Add run 2").click();
    harness.run_steps(1);
    sync(&mut harness, 1);
    assert_eq!(
        harness.state().settings.selected,
        1,
        "the new run is selected"
    );
    harness.key_press(egui::Key::E);
    harness.run_steps(4);
    assert!(harness.state().explain.is_some());
    // The middle of run 1's plot, the left one of two: the hot dogs are dense there.
    let whole = harness.state().plot_rect().expect("the plots were drawn");
    let at = egui::pos2(whole.left() + whole.width() / 4.0, whole.center().y);
    let points = harness.state().session.main().data.train_rows.len();
    harness.hover_at(at);
    harness.run_steps(1);
    harness.drag_at(at);
    harness.run_steps(1);
    harness.drop_at(at);
    harness.run_steps(3);
    let app = harness.state();
    assert_eq!(app.settings.selected, 0, "the click picked run 1");
    // The panel names the run it follows.
    harness.get_by_label("(click a point in another run's plot to follow that run)");
    let row = app.explain.as_ref().unwrap().row;
    assert!(row < points + 100, "a row of the data set: {row}");
    // No point was added.
    assert_eq!(app.session.main().data.train_rows.len(), points);
    harness.get_by_label_contains("click a point: explain its row");
}

#[test]
fn the_windows_fonts_draw_every_character_its_text_uses() {
    let harness = harness();
    let mut missing = std::collections::BTreeMap::new();
    for dir in ["src/ui", "src/app", "src/train"] {
        for (path, text) in crate::layering::sources(dir) {
            // Unit tests' messages are not the window's.
            let shown = text.split("#[cfg(test)]").next().unwrap_or_default();
            for c in shown.chars().filter(|c| !c.is_ascii()) {
                // The explain panel writes `Aᵀ` as `A^T` (see `ui::explain`).
                if c == 'ᵀ' {
                    continue;
                }
                let drawn = harness
                    .ctx
                    .fonts_mut(|f| f.has_glyph(&egui::FontId::proportional(14.0), c));
                if !drawn {
                    missing.entry(c).or_insert(path.clone());
                }
            }
        }
    }
    assert!(missing.is_empty(), "no glyph for: {missing:?}");
}
