//! What a new user tripped over in the window (issue 11's broken items), each driven through
//! the real UI with egui_kittest the way a student would: combo boxes, typed values, clicks.
#![cfg(feature = "gui")]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use nnviz::app::presets::Preset;
use nnviz::app::{App, settings::Settings};
use nnviz::data::Builtin;
use nnviz::ui::decision::axis_features;

use crate::common::ui::{drop_file, harness, pause, settle, sync};

/// Opens the combo box named `label` (the label beside it) and picks `option`.
fn choose(harness: &mut Harness<'static, App>, label: &str, option: &str) {
    let named = harness.get_by_role_and_label(Role::Label, label).rect();
    let combo = harness
        .get_all_by_role(Role::ComboBox)
        .find(|c| named.contains(c.rect().center()))
        .unwrap_or_else(|| panic!("no combo box before the label {label:?}"));
    // The option in the list that opens (the same text may be on the window already).
    let before: Vec<egui::Rect> = harness
        .query_all_by_label(option)
        .map(|n| n.rect())
        .collect();
    combo.click();
    harness.run_steps(2);
    harness
        .query_all_by_label(option)
        .find(|n| !before.contains(&n.rect()))
        .unwrap_or_else(|| panic!("no {option:?} in the list of {label:?}"))
        .click();
    harness.run_steps(2);
}

/// A CSV of two numeric features and a class column whose classes first appear in the order
/// given.
fn csv_with_classes(classes: &[&str], rows: usize) -> Vec<u8> {
    let mut text = String::from("u,v,kind\n");
    for i in 0..rows {
        let k = i % classes.len();
        let v = i as f64;
        text.push_str(&format!(
            "{},{},{}\n",
            v.sin() + 3.0 * k as f64,
            v.cos(),
            classes[k]
        ));
    }
    text.into_bytes()
}

/// Loads a two-feature CSV through a drop, waiting for it to be read.
fn load_csv(harness: &mut Harness<'static, App>) {
    drop_file(harness, "flowers.csv", csv_with_classes(&["a", "b"], 40));
    harness.run_steps(2);
    sync(harness, 2);
    assert!(harness.state().session.csv.is_some(), "the CSV loaded");
}

#[test]
fn picking_a_built_in_set_after_a_csv_shows_the_generator_and_stays_there() {
    for set in [Builtin::HotDogs, Builtin::Circle] {
        let mut harness = harness();
        pause(&mut harness);
        load_csv(&mut harness);
        choose(&mut harness, "data set", set.label());
        sync(&mut harness, 2);
        let app = harness.state();
        assert!(
            app.session.csv.is_none(),
            "{set}: the CSV file is left behind"
        );
        assert_eq!(app.settings.builtin, set);
        assert_ne!(app.session.dataset.name, "flowers.csv");
        // The generator's controls are back, the CSV's column pickers gone.
        harness.get_by_role_and_label(Role::Label, "points");
        harness.get_by_role_and_label(Role::Label, "noise");
        assert!(harness.query_by_label("features").is_none());
        assert!(harness.query_by_label("CSV file").is_none());
    }
}

#[test]
fn a_built_in_set_after_the_iris_preset_has_its_own_axes_and_they_can_be_swapped() {
    let mut harness = harness();
    harness.get_by_label(Preset::IrisR6.button_text()).click();
    harness.run_steps(2);
    pause(&mut harness);
    assert_eq!(axis_features(&harness.state().settings, 4), (2, 3));
    choose(&mut harness, "data set", Builtin::HotDogs.label());
    sync(&mut harness, 2);
    assert_eq!(
        axis_features(&harness.state().settings, 2),
        (0, 1),
        "x1 across, x2 up"
    );
    // The x/y pickers: x2 across swaps the axes.
    choose(&mut harness, "x axis", "x2");
    harness.run_steps(2);
    assert_eq!(axis_features(&harness.state().settings, 2), (1, 0));
    choose(&mut harness, "y axis", "x2");
    harness.run_steps(2);
    assert_eq!(axis_features(&harness.state().settings, 2), (0, 1));
}

#[test]
fn a_presets_one_off_settings_stay_with_its_data_set() {
    let mut harness = harness();
    pause(&mut harness);
    let own = harness.state().settings.clone();
    harness.get_by_label(Preset::IrisR6.button_text()).click();
    harness.run_steps(2);
    let preset = harness.state().settings.clone();
    assert!((preset.run.training.learning_rate - 1e-4).abs() < 1e-12);
    assert_eq!(preset.preparation.test_fraction, 0.0);
    choose(&mut harness, "data set", Builtin::Moons.label());
    sync(&mut harness, 2);
    let after: &Settings = &harness.state().settings;
    assert_eq!(after.builtin, Builtin::Moons);
    // The user's own network and training, with the moons' defaults where they had the hot
    // dogs' (the article's).
    let mut expected = own.run.clone();
    nnviz::train::spec::Defaults::Scaled.follow(&mut expected);
    assert_ne!(expected, own.run);
    assert_eq!(
        after.run, expected,
        "the user's network and training are back"
    );
    assert_eq!(after.preparation, own.preparation, "and the user's split");
    assert!(after.own.is_none());
    assert!(!harness.state().session.prepared.test_rows.is_empty());
    // The same after a CSV file.
    harness.get_by_label(Preset::IrisR6.button_text()).click();
    harness.run_steps(2);
    load_csv(&mut harness);
    let after = &harness.state().settings;
    assert_eq!(
        after.run.training.learning_rate,
        expected.training.learning_rate
    );
    assert_eq!(after.run.network.init, expected.network.init);
    assert_eq!(
        after.preparation.test_fraction,
        own.preparation.test_fraction
    );
}

#[test]
fn undo_after_a_preset_brings_back_the_settings_and_data_before_it() {
    let mut harness = harness();
    pause(&mut harness);
    load_csv(&mut harness);
    let before = harness.state().settings.clone();
    harness.get_by_label(Preset::Hidden30.button_text()).click();
    harness.run_steps(2);
    assert!(harness.state().session.csv.is_none());
    // The message box is laid out again for its new text in the frame after it appears.
    harness.run_steps(1);
    harness.get_by_label("Undo").click();
    harness.run_steps(2);
    sync(&mut harness, 2);
    let app = harness.state();
    assert!(app.session.csv.is_some(), "the CSV file is back");
    assert_eq!(app.session.dataset.name, "flowers.csv");
    assert_eq!(app.settings, before);
}

/// The number field of the slider labelled `label`: the spin button on its row, right of it.
fn slider_field<'a>(harness: &'a Harness<'static, App>, label: &str) -> egui_kittest::Node<'a> {
    let slider = harness.get_by_role_and_label(Role::Slider, label).rect();
    harness
        .get_all_by_role(Role::SpinButton)
        .find(|n| {
            (n.rect().center().y - slider.center().y).abs() < 6.0
                && n.rect().left() >= slider.right() - 1.0
        })
        .unwrap_or_else(|| panic!("no number field beside the {label} slider"))
}

/// A click of the primary button at `pos`, as a pointer would make it.
fn click_at(harness: &mut Harness<'static, App>, pos: egui::Pos2) {
    for pressed in [true, false] {
        harness.input_mut().events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
    harness.run_steps(2);
}

#[test]
fn a_typed_learning_rate_stays_when_it_diverges_and_the_field_stays_under_the_pointer() {
    let mut harness = harness();
    harness.run_steps(2);
    // Typed while training, as the student did.
    let field = slider_field(&harness, "learning rate").rect();
    click_at(&mut harness, field.center());
    slider_field(&harness, "learning rate").type_text("10");
    harness.run_steps(2);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    // Let it diverge, and the window say so.
    harness
        .state_mut()
        .session
        .wait_until(crate::common::WAIT, |p| {
            !p.runs[nnviz::app::session::MAIN].playing
        });
    settle(&mut harness);
    let app = harness.state();
    assert!(
        app.session.diverged_at().is_some(),
        "a rate of 10 diverges on the hot dogs"
    );
    let notice = app
        .session
        .notice
        .as_ref()
        .expect("the divergence is reported");
    assert!(notice.is_error, "{}", notice.text);
    // In plain words, with what to try for this run: the hot dogs are not standardised.
    for words in [
        "steps are too big",
        "smaller learning rate (now 10; try 1)",
        "standardise",
    ] {
        assert!(notice.text.contains(words), "{words:?} in {}", notice.text);
    }
    assert!(!notice.text.contains("constant guess"), "{}", notice.text);
    assert_eq!(app.settings.run.training.learning_rate, 10.0);
    // The student clicks the field again to change the value: it is still there, not the
    // slider (whose click would set the rate from the pointer's place).
    click_at(&mut harness, field.center());
    let app = harness.state();
    assert_eq!(app.settings.run.training.learning_rate, 10.0);
    let shown = slider_field(&harness, "learning rate");
    // (Its width follows the text being edited.)
    assert_eq!(shown.rect().left_top(), field.left_top(), "the field moved");
    assert!(shown.is_focused(), "the click edits the field");
}

#[test]
fn a_message_moves_no_control() {
    let mut harness = harness();
    pause(&mut harness);
    let places = |harness: &Harness<'static, App>| {
        [
            harness.get_by_label("Play").rect(),
            harness.get_by_label("Reset").rect(),
            harness
                .get_by_role_and_label(Role::Slider, "learning rate")
                .rect(),
            harness.get_by_label(Preset::Hidden5.button_text()).rect(),
        ]
    };
    let before = places(&harness);
    assert!(harness.state().session.notice.is_none());
    // A long error message, then an info message with a button.
    harness.state_mut().apply(
        nnviz::app::Command::Fail(
            "something went wrong, and this message is long enough to wrap onto a second line \
             or a third one in a window of this size, which used to push every control down"
                .repeat(2),
        ),
        None,
    );
    harness.run_steps(2);
    assert_eq!(places(&harness), before, "an error message moved a control");
    harness.get_by_label("Dismiss").click();
    harness.run_steps(2);
    assert!(harness.state().session.notice.is_none());
    assert_eq!(places(&harness), before);
}

#[test]
fn the_class_key_and_the_confusion_matrices_list_classes_in_one_order() {
    let mut harness = harness();
    pause(&mut harness);
    drop_file(
        &mut harness,
        "greek.csv",
        csv_with_classes(&["alpha", "gamma", "beta"], 60),
    );
    harness.run_steps(2);
    settle(&mut harness);
    let plot = harness.state().plot_rect().expect("a plot");
    // The key sits under the plot, the matrices in the right-hand panel.
    let order = |harness: &Harness<'static, App>, in_plot: bool| {
        let mut xs: Vec<(f32, &str)> = ["alpha", "gamma", "beta"]
            .into_iter()
            .map(|name| {
                let node = harness
                    .get_all_by_label(name)
                    .filter(|n| plot.x_range().contains(n.rect().center().x) == in_plot)
                    .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
                    .unwrap_or_else(|| panic!("{name} is not shown"));
                (node.rect().left(), name)
            })
            .collect();
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        xs.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let classes = harness.state().session.dataset.class_names().to_vec();
    assert_eq!(
        classes,
        ["alpha", "gamma", "beta"],
        "order of first appearance"
    );
    assert_eq!(order(&harness, true), classes, "the key under the plot");
    assert_eq!(
        order(&harness, false),
        classes,
        "the confusion matrix's heads"
    );
}

#[test]
fn a_text_feature_off_the_axes_is_held_at_one_of_its_levels() {
    let mut harness = harness();
    pause(&mut harness);
    let mut text = String::from("u,v,colour,kind\n");
    // Red is the reference level (first seen); blue the most common.
    for i in 0..60 {
        let colour = ["red", "green", "blue", "blue"][i % 4];
        let v = i as f64;
        let kind = if i % 2 == 0 { "odd" } else { "even" };
        text.push_str(&format!("{},{},{colour},{kind}\n", v.sin(), v.cos()));
    }
    drop_file(&mut harness, "colours.csv", text.into_bytes());
    harness.run_steps(2);
    settle(&mut harness);
    let names = harness.state().session.dataset.feature_names.clone();
    let blue = names.iter().position(|n| n == "colour=blue").unwrap();
    let green = names.iter().position(|n| n == "colour=green").unwrap();
    let slice = harness.state().session.slice.clone();
    assert_eq!(
        (slice[blue], slice[green]),
        (1.0, 0.0),
        "the most common level"
    );
    harness.get_by_label_contains("slice at colour = blue");
    assert!(
        harness.query_by_label_contains("colour=blue =").is_none(),
        "a level's 0/1 column is not shown as a number"
    );
    choose(&mut harness, "colour", "red");
    settle(&mut harness);
    let slice = &harness.state().session.slice;
    assert_eq!(
        (slice[blue], slice[green]),
        (0.0, 0.0),
        "red: the reference level"
    );
    harness.get_by_label_contains("slice at colour = red");
    choose(&mut harness, "colour", "green");
    settle(&mut harness);
    let slice = &harness.state().session.slice;
    assert_eq!((slice[blue], slice[green]), (0.0, 1.0));
}

#[test]
fn after_a_reset_the_plot_shows_no_picture_of_the_old_network() {
    let mut harness = harness();
    pause(&mut harness);
    // The largest network the window builds: its picture takes many frames to compute.
    let mut settings = harness.state().settings.clone();
    settings.run.network.hidden = vec![
        nnviz::nn::HiddenLayer {
            units: nnviz::nn::MAX_UNITS,
            activation: nnviz::nn::Activation::Relu,
        };
        nnviz::nn::MAX_HIDDEN_LAYERS
    ];
    settings.run.network.init = nnviz::nn::Init::He;
    harness.state_mut().apply_settings(settings);
    settle(&mut harness);
    let old = harness.state().session.main().id;
    assert!(harness.state().grid().shows_network(
        harness.state().session.main(),
        harness.state().session.data_version
    ));
    harness.get_by_label("Reset").click();
    harness.run_steps(1);
    harness
        .state_mut()
        .session
        .wait_until(crate::common::WAIT, |p| {
            p.runs[nnviz::app::session::MAIN].id != old
        });
    let mut without_picture = 0;
    for _ in 0..10_000 {
        harness.run_steps(1);
        let app = harness.state();
        let main = app.session.main();
        assert_ne!(main.id, old);
        if app.grid().shows_network(main, app.session.data_version) {
            break;
        }
        // The numbers are the new network's: no picture of the old one goes with them.
        without_picture += 1;
        harness.get_by_label_contains("drawing the new network's regions");
    }
    assert!(without_picture > 0, "the new picture took frames to draw");
    settle(&mut harness);
    assert!(
        harness
            .query_by_label_contains("drawing the new network's regions")
            .is_none()
    );
}

#[test]
fn a_finished_preset_says_what_it_reached_beside_the_articles_figure() {
    for preset in [Preset::Hidden1, Preset::IrisR6] {
        let mut harness = harness();
        harness.get_by_label(preset.button_text()).click();
        harness.run_steps(2);
        harness
            .state_mut()
            .session
            .wait_until(crate::common::WAIT, |p| {
                p.runs[nnviz::app::session::MAIN].reached_limit
            });
        settle(&mut harness);
        let app = harness.state();
        let main = app.session.main();
        let notice = app.session.notice.as_ref().expect("a message");
        let reached = nnviz::ui::format_percent(main.metrics.as_ref().unwrap().train.accuracy);
        assert!(notice.text.contains("finished"), "{}", notice.text);
        assert!(
            notice.text.contains(&reached),
            "{reached} in {}",
            notice.text
        );
        assert!(
            notice
                .text
                .contains(&format!("the article reports {}", preset.article_result())),
            "{}",
            notice.text
        );
        let network = main.metrics.as_ref().unwrap().train.accuracy.unwrap();
        let baseline = app
            .session
            .baseline()
            .metrics
            .as_ref()
            .unwrap()
            .train
            .accuracy
            .unwrap();
        assert_eq!(
            notice.text.contains("baseline scores higher"),
            baseline > network,
            "{}",
            notice.text
        );
        // It stays a preset: Undo is still offered.
        assert!(notice.action.is_some());
    }
}

#[test]
fn side_panels_fold_away_and_the_zoom_grows_the_text_for_a_projector() {
    let mut harness = crate::common::ui::harness_sized(800.0, 600.0);
    pause(&mut harness);
    let plot = harness.state().plot_rect().expect("a plot");
    harness.get_by_label("Controls").click();
    harness.run_steps(3);
    assert!(!harness.state().settings.show_controls);
    assert!(harness.query_by_label("Article presets").is_none());
    harness.get_by_label("Numbers").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Training (160)").is_none());
    let wide = harness.state().plot_rect().expect("a plot");
    assert!(
        wide.width() > plot.width() * 1.8,
        "{plot:?} → {wide:?}: the plot takes the room"
    );
    // Back, and larger.
    harness.get_by_label("Controls").click();
    harness.get_by_label("Numbers").click();
    harness.run_steps(3);
    harness.get_by_label("Article presets");
    harness.get_by_label("A+").click();
    harness.run_steps(3);
    let zoom = harness.state().settings.zoom;
    assert!((zoom - 1.1).abs() < 1e-6, "{zoom}");
    assert!((harness.ctx.zoom_factor() - zoom).abs() < 1e-6);
    harness.get_by_label("110 %").click();
    harness.run_steps(3);
    assert_eq!(harness.state().settings.zoom, 1.0);
}

#[test]
fn the_exported_picture_has_a_title_with_the_accuracy_and_no_editing_hints() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    harness.get_by_label_contains("click: add");
    harness
        .state_mut()
        .apply(nnviz::app::Command::Fail("a message".to_owned()), None);
    harness.run_steps(1);
    let ctx = harness.ctx.clone();
    let path = std::env::temp_dir().join("nnviz-picture-test.png");
    harness.state_mut().apply(
        nnviz::app::Command::SaveTo {
            kind: nnviz::app::commands::ExportKind::DecisionPng,
            path,
        },
        Some(&ctx),
    );
    // The frame the screenshot takes.
    harness.run_steps(1);
    let accuracy = {
        let main = harness.state().session.main();
        nnviz::ui::format_percent(main.metrics.as_ref().unwrap().train.accuracy)
    };
    let title = harness
        .get_by_label_contains("nnviz · hot dogs · 5 sigmoid")
        .rect();
    let figure = harness
        .get_by_label_contains(&format!("training accuracy {accuracy}"))
        .rect();
    assert_eq!(
        title, figure,
        "one title line names the network and its accuracy"
    );
    assert!(harness.query_by_label_contains("click: add").is_none());
    assert!(
        harness.query_by_label("a message").is_none(),
        "no message over it"
    );
    // Then the window is itself again.
    harness.run_steps(1);
    harness.get_by_label_contains("click: add");
    harness.get_by_label("a message");
}

#[test]
fn every_hidden_unit_shows_its_activation_over_the_plane() {
    let mut harness = harness();
    pause(&mut harness);
    settle(&mut harness);
    assert_eq!(
        harness.state().unit_maps().count(),
        5,
        "the article's 5 units"
    );
    let mut settings = harness.state().settings.clone();
    settings.run.network.hidden = vec![
        nnviz::nn::HiddenLayer {
            units: 3,
            activation: nnviz::nn::Activation::Tanh,
        },
        nnviz::nn::HiddenLayer {
            units: 4,
            activation: nnviz::nn::Activation::Relu,
        },
    ];
    harness.state_mut().apply_settings(settings);
    settle(&mut harness);
    assert_eq!(
        harness.state().unit_maps().count(),
        7,
        "every layer's units"
    );
    assert!(
        !harness
            .state()
            .unit_maps()
            .behind(harness.state().session.main())
    );
}

#[test]
fn the_input_toggles_let_a_network_without_hidden_layers_separate_the_circle() {
    let mut harness = harness();
    pause(&mut harness);
    let mut settings = harness.state().settings.clone();
    settings.builtin = Builtin::Circle;
    settings.generator = nnviz::app::presets::default_generator(Builtin::Circle);
    harness.state_mut().apply_settings(settings);
    let mut settings = harness.state().settings.clone();
    settings.run.network.hidden.clear();
    settings.run.training.stop_after = Some(5000);
    harness.state_mut().apply_settings(settings);
    settle(&mut harness);
    for term in ["x1^2", "x2^2"] {
        harness.get_by_label(term).click();
        harness.run_steps(2);
    }
    sync(&mut harness, 2);
    let app = harness.state();
    assert_eq!(
        app.settings.preparation.inputs.as_deref(),
        Some("x1,x2,x1^2,x2^2")
    );
    assert_eq!(app.session.main().network.architecture().inputs, 4);
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    harness
        .state_mut()
        .session
        .wait_until(crate::common::WAIT, |p| {
            p.runs[nnviz::app::session::MAIN].reached_limit
        });
    settle(&mut harness);
    let main = harness.state().session.main();
    let accuracy = main.metrics.as_ref().unwrap().train.accuracy.unwrap();
    assert!(accuracy > 0.95, "{accuracy}");
    // Another data set starts from its own features again.
    choose(&mut harness, "data set", Builtin::Moons.label());
    sync(&mut harness, 2);
    assert_eq!(harness.state().settings.preparation.inputs, None);
    assert_eq!(
        harness.state().session.main().network.architecture().inputs,
        2
    );
}

#[test]
fn a_weight_set_by_hand_is_trained_on_and_kept_in_the_history() {
    let mut harness = harness();
    pause(&mut harness);
    let iteration = harness.state().session.main().iteration;
    // Layer 1, from x2 (row 2) to h3 (column 2): what a click on that line opens.
    harness.state_mut().apply(
        nnviz::app::Command::PickWeight {
            run: 0,
            layer: 0,
            row: 2,
            col: 2,
        },
        None,
    );
    harness.run_steps(3);
    harness.get_by_label("Edit weight");
    harness.get_by_label("weight from x2 to h3 (layer 1)");
    let name = harness
        .get_by_label("weight from x2 to h3 (layer 1)")
        .rect();
    // The value field: the number under the weight's name.
    harness
        .get_all_by_role(Role::SpinButton)
        .find(|n| {
            let r = n.rect();
            r.top() > name.top() && r.top() < name.bottom() + 40.0 && r.left() >= name.left()
        })
        .expect("the value field")
        .set_value_accesskit(2.5);
    harness.run_steps(2);
    harness.get_by_label("Set").click();
    harness.run_steps(2);
    sync(&mut harness, 2);
    settle(&mut harness);
    let main = harness.state().session.main();
    assert_eq!(main.network.weights()[0].get(2, 2), 2.5);
    assert_eq!(main.iteration, iteration, "the count goes on, not over");
    let edits = main.history.edits();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        (edits[0].layer, edits[0].row, edits[0].col, edits[0].to),
        (0, 2, 2, 2.5)
    );
    assert_eq!(edits[0].iteration, iteration);
    harness.get_by_label("Close").click();
    harness.run_steps(2);
    assert!(harness.state().weight_editor.is_none());
    // Training goes on from the edited weight.
    harness.get_by_label("Play").click();
    harness.run_steps(1);
    crate::common::ui::wait_past(&mut harness, iteration + 100);
    let main = harness.state().session.main();
    assert!(main.iteration > iteration + 100);
    assert_ne!(main.network.weights()[0].get(2, 2), 2.5);
    assert_eq!(main.history.edits().len(), 1);
}

#[test]
fn without_a_system_dialog_a_csv_is_picked_in_nnvizs_own_browser() {
    let mut harness = harness();
    pause(&mut harness);
    let dir = std::env::temp_dir().join(format!("nnviz-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("flowers.csv"), csv_with_classes(&["a", "b"], 40)).unwrap();
    std::fs::write(dir.join("notes.md"), "not data").unwrap();
    harness.state_mut().open_file_browser(
        nnviz::app::dialog::DialogPurpose::OpenCsv,
        Some(dir.clone()),
    );
    harness.run_steps(3);
    harness.get_by_label("Open a CSV file");
    assert!(
        harness.query_by_label("notes.md").is_none(),
        "only CSV files are offered"
    );
    harness.get_by_label_contains("flowers.csv").click();
    harness.run_steps(2);
    harness.get_by_label("Open").click();
    harness.run_steps(2);
    sync(&mut harness, 2);
    let app = harness.state();
    assert!(app.session.csv.is_some(), "the picked file loaded");
    assert_eq!(app.session.dataset.name, "flowers.csv");
    assert!(
        harness.query_by_label("Open a CSV file").is_none(),
        "the browser closed"
    );
}

#[test]
fn without_a_system_dialog_the_data_is_saved_from_nnvizs_own_browser_and_a_file_replaced_only_when_asked_twice()
 {
    let mut harness = harness();
    pause(&mut harness);
    let dir = std::env::temp_dir().join(format!("nnviz-save-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let save = nnviz::app::dialog::DialogPurpose::Save(nnviz::app::ExportKind::DataCsv);
    harness
        .state_mut()
        .open_file_browser(save.clone(), Some(dir.clone()));
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    let written = dir.join("nnviz-data.csv");
    let text = std::fs::read_to_string(&written).expect("saved under the suggested name");
    assert!(text.lines().count() > 100, "the data's rows were written");

    std::fs::write(&written, "keep me").unwrap();
    harness.state_mut().open_file_browser(save, None);
    harness.run_steps(3);
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "keep me");
    harness.get_by_label_contains("Save again to replace it");
    harness.get_by_label("Save").click();
    harness.run_steps(3);
    assert_ne!(std::fs::read_to_string(&written).unwrap(), "keep me");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn every_control_says_what_it_does_on_hover() {
    use egui::accesskit::Role;
    use egui_kittest::kittest::NodeT;
    let mut harness = harness();
    pause(&mut harness);
    for section in ["Compare runs", "More training settings", "Export"] {
        harness.get_by_label(section).click();
        harness.run_steps(2);
    }
    harness
        .ctx
        .all_styles_mut(|s| s.interaction.tooltip_delay = 0.0);
    harness.run_steps(2);
    let roles = [
        Role::Button,
        Role::CheckBox,
        Role::Slider,
        Role::ComboBox,
        Role::RadioButton,
        Role::SpinButton,
        Role::TextInput,
    ];
    let controls: Vec<(String, egui::Pos2)> = harness
        .root()
        .children_recursive()
        .filter(|n| roles.contains(&n.accesskit_node().role()))
        // What a student can point at: on screen, not scrolled out of the panels.
        .filter(|n| {
            let c = n.rect().center();
            (4.0..1276.0).contains(&c.x) && (4.0..788.0).contains(&c.y)
        })
        .map(|n| {
            let a = n.accesskit_node();
            let name = a.label().or(a.value()).unwrap_or_default().to_string();
            (format!("{:?} {name:?}", a.role()), n.rect().center())
        })
        .collect();
    assert!(controls.len() > 40, "{} controls found", controls.len());
    let nodes = |h: &Harness<'static, App>| h.root().children_recursive().count();
    let mut silent = Vec::new();
    for (name, at) in controls {
        // Away first, so that each hover opens its own tooltip.
        harness.hover_at(egui::pos2(2.0, 790.0));
        harness.run_steps(2);
        let before = nodes(&harness);
        harness.hover_at(at);
        harness.run_steps(3);
        if nodes(&harness) <= before {
            silent.push(name);
        }
    }
    assert!(silent.is_empty(), "no hover text: {silent:#?}");
}

#[test]
fn a_student_pastes_a_setup_into_the_window_and_a_typo_is_named() {
    let mut harness = harness();
    pause(&mut harness);
    harness
        .state_mut()
        .apply(nnviz::app::Command::OpenPasteSetup, None);
    harness.run_steps(2);
    assert!(harness.state().paste_setup.is_some(), "the window opens");
    let field = harness.get_by_role(Role::MultilineTextInput).rect();
    click_at(&mut harness, field.center());
    harness
        .get_by_role(Role::MultilineTextInput)
        .type_text("nnviz-setup-1 dataset=moons hidden=8 learning-rate=lots");
    harness.run_steps(2);
    harness.get_by_label("Apply").click();
    harness.run_steps(2);
    let app = harness.state();
    let notice = app.session.notice.as_ref().expect("a message");
    assert!(
        notice.is_error && notice.text.contains("learning-rate=lots"),
        "{}",
        notice.text
    );
    assert_eq!(app.settings.builtin, Builtin::HotDogs, "nothing changed");
    assert!(
        app.paste_setup.is_some(),
        "the window stays open to mend the text"
    );
    // Mended, it applies.
    let text = "nnviz-setup-1 dataset=moons hidden=8 learning-rate=0.3";
    harness.state_mut().paste_setup = Some(text.into());
    harness.run_steps(2);
    harness.get_by_label("Apply").click();
    harness.run_steps(2);
    let app = harness.state();
    assert_eq!(app.settings.builtin, Builtin::Moons);
    assert_eq!(app.settings.run.network.hidden[0].units, 8);
    assert_eq!(app.settings.run.training.learning_rate, 0.3);
    assert!(app.paste_setup.is_none());
}
