//! The app's model export is the file `nnviz predict` reads, and loading one checks it fits.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use nnviz::app::presets::Preset;
use nnviz::app::settings::Settings;

use crate::common;

fn session(preset: Preset, iterations: u64) -> (Settings, nnviz::app::session::Session) {
    let settings = preset.settings(&Settings::default());
    let mut session = common::session(&settings);
    if iterations > 0 {
        common::step(&mut session, iterations);
    }
    (settings, session)
}

#[test]
fn an_exported_model_loads_back_and_predicts_from_the_command_line() {
    let (_, trained) = session(Preset::IrisR6, 300);
    let json = serde_json::to_string(&trained.saved_model()).unwrap();

    let (_, mut fresh) = session(Preset::IrisR6, 0);
    assert_ne!(fresh.main().network, trained.main().network);
    fresh.load_model("m.json", &json).unwrap();
    fresh.wait_paused(common::WAIT);
    assert_eq!(
        fresh.main().network.weights(),
        trained.main().network.weights()
    );

    let dir = std::env::temp_dir().join(format!("nnviz-app-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.json");
    std::fs::write(&model, &json).unwrap();
    let rows = dir.join("rows.csv");
    std::fs::write(
        &rows,
        "Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n5.1,3.5,1.4,0.2\n",
    )
    .unwrap();
    let text = crate::common::nnviz_ok(&[
        "predict",
        "--model",
        model.to_str().unwrap(),
        "--data",
        rows.to_str().unwrap(),
    ]);
    assert!(text.lines().nth(1).unwrap().ends_with(",setosa"), "{text}");
}

#[test]
fn a_model_for_other_data_is_refused_and_the_network_kept() {
    let (_, iris) = session(Preset::IrisR6, 10);
    let json = serde_json::to_string(&iris.saved_model()).unwrap();
    let (_, mut hot_dogs) = session(Preset::Hidden5, 10);
    let before = hot_dogs.main().network.clone();
    let err = hot_dogs.load_model("iris.json", &json).unwrap_err();
    assert!(err.contains("features"), "{err}");
    hot_dogs.wait_paused(common::WAIT);
    assert_eq!(hot_dogs.main().network, before);
    assert!(hot_dogs.load_model("broken.json", "{\"format\":").is_err());
}

#[test]
fn a_loaded_model_of_another_width_trains_on() {
    // Models with the same number of layers as the session's trained network, wider and
    // narrower: the trainer's buffers must follow the new shapes.
    for hidden in [10, 2] {
        let (settings, mut trained) = session(Preset::Hidden5, 50);
        let mut other = settings.clone();
        other.run.network.hidden[0].units = hidden;
        let source = common::session(&other);
        let json = serde_json::to_string(&source.saved_model()).unwrap();
        trained.load_model("m.json", &json).unwrap();
        trained.wait_paused(common::WAIT);
        assert_eq!(
            trained.main().iteration,
            0,
            "a loaded model starts a new run"
        );
        common::step(&mut trained, 20);
        let shapes: Vec<_> = trained
            .main()
            .network
            .weights()
            .iter()
            .map(|w| w.shape())
            .collect();
        assert_eq!(shapes, [(3, hidden), (hidden + 1, 1)], "hidden {hidden}");
        assert!(trained.main().stopped.is_none());
    }
}
