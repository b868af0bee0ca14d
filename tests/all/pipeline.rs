//! One spec, one run: the app and `nnviz train` build and train the same run from the same
//! spec, to the bit.

#![cfg(feature = "gui")]

use nnviz::app::settings::Settings;
use nnviz::data::Builtin;
use nnviz::model::SavedModel;
use nnviz::nn::{Activation, HiddenLayer};
use nnviz::train::Optimizer;
use nnviz::train::spec::Defaults;

use crate::common;

/// The app's settings for what `nnviz train --dataset moons --points 300 --hidden 8,8
/// --activation tanh --seed 7 …` describes.
fn app_settings(optimizer: Optimizer, batch_size: Option<usize>) -> Settings {
    let mut settings = Settings {
        builtin: Builtin::Moons,
        ..Settings::default()
    };
    // The window's defaults for the moons, as `nnviz train` takes them.
    assert!(settings.follow_defaults(Defaults::for_builtin(Some(Builtin::Moons))));
    settings.generator = Builtin::Moons.default_options();
    settings.generator.points = 300;
    settings.generator.seed = 7;
    settings.preparation.split_seed = 7;
    settings.run.network.hidden = vec![
        HiddenLayer {
            units: 8,
            activation: Activation::Tanh,
        };
        2
    ];
    settings.run.network.seed = 7;
    settings.run.training.optimizer = optimizer;
    settings.run.training.batch_size = batch_size;
    settings.run.training.learning_rate = 0.01;
    settings.run.training.seed = 7;
    settings
}

#[test]
fn the_app_and_nnviz_train_give_the_same_weights_from_the_same_spec() {
    let dir = std::env::temp_dir().join(format!("nnviz-pipeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (optimizer, name, batch) in [
        (Optimizer::Gd, "gd", None),
        (Optimizer::Momentum, "momentum", Some(17)),
        (Optimizer::Adam, "adam", Some(32)),
    ] {
        let model = dir.join(format!("{name}.json"));
        let batch_arg = batch.map_or("full".to_owned(), |b| b.to_string());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_nnviz"))
            .args(["train", "--dataset", "moons", "--points", "300"])
            .args(["--hidden", "8,8", "--activation", "tanh", "--seed", "7"])
            .args(["--optimizer", name, "--batch-size", &batch_arg])
            .args(["--learning-rate", "0.01", "--iterations", "400"])
            .arg("--save-model")
            .arg(&model)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&model).unwrap();
        let cli = SavedModel::from_json("m.json", &text)
            .unwrap()
            .network()
            .unwrap();

        let mut session = common::session(&app_settings(optimizer, batch));
        common::step(&mut session, 400);
        assert_eq!(session.main().iteration, 400);
        assert_eq!(
            session.main().network.weights(),
            cli.weights(),
            "{name}: the app's weights after 400 iterations differ from nnviz train's"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
