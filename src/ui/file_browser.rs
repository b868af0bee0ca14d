//! nnviz's own file browser, for where no system dialog can be shown (no portal and no zenity:
//! many Linux installs and school images). Plain egui widgets over `std::fs`: a folder, its
//! folders and matching files, a file name, and Open or Save.

use std::path::{Path, PathBuf};

use egui::{Key, RichText};

/// One entry of the folder shown.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    name: String,
    is_dir: bool,
}

/// How the browser ended this frame, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserOutcome {
    /// The user picked (or, to save, named) this file.
    Picked(PathBuf),
    /// The user closed the browser.
    Cancelled,
}

/// The browser's state: kept by the app while it is open.
#[derive(Debug)]
pub struct FileBrowser {
    title: String,
    /// The extensions listed while filtered (lower case, no dot).
    extensions: &'static [&'static str],
    /// Whether the file is to be written (else read).
    saving: bool,
    folder: PathBuf,
    /// What the folder field shows (the user may be typing another folder).
    folder_text: String,
    entries: Vec<Entry>,
    /// The file name: the one clicked, or typed.
    name: String,
    /// Only files with the purpose's extensions are listed.
    filtered: bool,
    /// Why the folder could not be listed, or why a file cannot be used.
    problem: Option<String>,
    /// Saving over this existing file waits for a second click.
    confirm_replace: Option<PathBuf>,
}

impl FileBrowser {
    /// A browser titled `title` listing files with `extensions` (lower case, no dot) in
    /// `folder`; `save_as` is the suggested name when the file is to be written.
    pub fn new(
        title: String,
        extensions: &'static [&'static str],
        save_as: Option<String>,
        folder: PathBuf,
    ) -> Self {
        let mut browser = Self {
            title,
            extensions,
            saving: save_as.is_some(),
            folder: PathBuf::new(),
            folder_text: String::new(),
            entries: Vec::new(),
            name: save_as.unwrap_or_default(),
            filtered: true,
            problem: None,
            confirm_replace: None,
        };
        browser.enter(folder);
        browser
    }

    /// Shows `folder` (made absolute where it can be); a folder that cannot be read says why and
    /// leaves the one shown before.
    pub fn enter(&mut self, folder: PathBuf) {
        let folder = std::path::absolute(&folder).unwrap_or(folder);
        match list(&folder) {
            Ok(entries) => {
                self.folder_text = folder.display().to_string();
                self.folder = folder;
                self.entries = entries;
                self.problem = None;
                self.confirm_replace = None;
                if !self.saving {
                    self.name.clear();
                }
            }
            Err(e) => {
                self.folder_text = self.folder.display().to_string();
                self.problem = Some(format!("cannot open the folder {}: {e}", folder.display()));
            }
        }
    }

    /// The entries shown: folders, then files with a listed extension (all files if not
    /// filtered).
    fn shown(&self) -> impl Iterator<Item = &Entry> {
        let extensions = self.extensions;
        self.entries.iter().filter(move |e| {
            e.is_dir
                || !self.filtered
                || Path::new(&e.name)
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| extensions.iter().any(|w| x.eq_ignore_ascii_case(w)))
        })
    }

    /// What Open (or Save) does with the name typed: a folder is entered, a file is picked.
    fn accept(&mut self) -> Option<BrowserOutcome> {
        let name = self.name.trim();
        if name.is_empty() {
            self.problem = Some(if self.saving {
                "type a file name to save to".to_owned()
            } else {
                "pick a file first".to_owned()
            });
            return None;
        }
        let path = self.folder.join(name);
        if path.is_dir() {
            self.enter(path);
            return None;
        }
        if self.saving {
            if path.exists() && self.confirm_replace.as_ref() != Some(&path) {
                self.problem = Some(format!("{name} exists: Save again to replace it"));
                self.confirm_replace = Some(path);
                return None;
            }
        } else if !path.is_file() {
            self.problem = Some(format!("no file named {name} in {}", self.folder.display()));
            return None;
        }
        Some(BrowserOutcome::Picked(path))
    }

    /// Draws the browser as a window; returns how it ended, if it did this frame.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<BrowserOutcome> {
        let mut outcome = None;
        let mut open = true;
        let screen = ctx.content_rect();
        let width = (screen.width() - 40.0).clamp(260.0, 520.0);
        let height = (screen.height() - 160.0).clamp(120.0, 360.0);
        egui::Window::new(&self.title)
            .id(egui::Id::unique("nnviz file browser"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(width)
            // Below the toolbar, so that Play stays in reach.
            .default_pos(egui::pos2(
                screen.center().x - width / 2.0,
                screen.top() + 48.0,
            ))
            .show(ctx, |ui| {
                outcome = self.contents(ui, width, height);
            });
        if !open {
            outcome = Some(BrowserOutcome::Cancelled);
        }
        outcome
    }

    fn contents(&mut self, ui: &mut egui::Ui, width: f32, height: f32) -> Option<BrowserOutcome> {
        let mut outcome = None;
        let mut go_to: Option<PathBuf> = None;
        ui.set_width(width);
        ui.horizontal(|ui| {
            let parent = self.folder.parent().map(Path::to_path_buf);
            if ui
                .add_enabled(parent.is_some(), egui::Button::new("Up"))
                .on_hover_text("The folder that holds this one")
                .clicked()
            {
                go_to = parent;
            }
            if let Some(home) = home_folder()
                && ui
                    .button("Home")
                    .on_hover_text(home.display().to_string())
                    .clicked()
            {
                go_to = Some(home);
            }
            let label = ui.label("folder");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.folder_text).desired_width(f32::INFINITY))
                .labelled_by(label.id)
                .on_hover_text("Type a folder and press Enter");
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                go_to = Some(PathBuf::from(self.folder_text.trim()));
            }
        });
        ui.separator();
        let mut pick: Option<(String, bool)> = None;
        let mut accept = false;
        egui::ScrollArea::vertical()
            .max_height(height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                let mut any = false;
                for entry in self.shown() {
                    any = true;
                    let text = if entry.is_dir {
                        RichText::new(format!("{}/", entry.name)).strong()
                    } else {
                        RichText::new(&entry.name)
                    };
                    let selected = !entry.is_dir && entry.name == self.name;
                    let response = ui.selectable_label(selected, text);
                    if response.clicked() {
                        pick = Some((entry.name.clone(), entry.is_dir));
                    }
                    if response.double_clicked() {
                        accept = true;
                    }
                }
                if !any {
                    ui.weak(if self.filtered {
                        "no folders here, and no files of this kind"
                    } else {
                        "this folder is empty"
                    });
                }
            });
        if let Some((name, is_dir)) = pick {
            if is_dir {
                go_to = Some(self.folder.join(name));
            } else {
                self.name = name;
                self.problem = None;
                self.confirm_replace = None;
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("file name");
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.name).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            if field.changed() {
                self.confirm_replace = None;
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                accept = true;
            }
        });
        let kinds = self
            .extensions
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(" ");
        ui.checkbox(&mut self.filtered, format!("only {kinds} files"));
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        ui.horizontal(|ui| {
            let verb = if self.saving { "Save" } else { "Open" };
            if ui.button(verb).clicked() {
                accept = true;
            }
            if ui.button("Cancel").clicked() {
                outcome = Some(BrowserOutcome::Cancelled);
            }
        });
        if ui.input(|i| i.key_pressed(Key::Escape)) {
            outcome = Some(BrowserOutcome::Cancelled);
        }
        if let Some(folder) = go_to {
            self.enter(folder);
        } else if accept && outcome.is_none() {
            outcome = self.accept();
        }
        outcome
    }
}

/// The folder's entries, folders first, each group by name (case-insensitive); hidden entries
/// (a leading dot) left out.
fn list(folder: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows links, so a link to a folder is entered like one.
        let is_dir = entry.path().is_dir();
        entries.push(Entry { name, is_dir });
    }
    entries.sort_by_cached_key(|e| (!e.is_dir, e.name.to_lowercase()));
    Ok(entries)
}

/// The user's home folder, if the environment names one.
fn home_folder() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("nnviz-fb-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("Sub")).unwrap();
        std::fs::write(dir.join("b.csv"), "x\n1\n").unwrap();
        std::fs::write(dir.join("A.CSV"), "x\n1\n").unwrap();
        std::fs::write(dir.join("notes.md"), "").unwrap();
        std::fs::write(dir.join(".hidden.csv"), "").unwrap();
        dir
    }

    #[test]
    fn folders_come_first_then_matching_files_by_name() {
        let dir = folder("list");
        let mut browser = FileBrowser::new("Open".into(), &["csv"], None, dir.clone());
        let names = |b: &FileBrowser| b.shown().map(|e| e.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&browser), ["Sub", "A.CSV", "b.csv"]);
        browser.filtered = false;
        assert_eq!(names(&browser), ["Sub", "A.CSV", "b.csv", "notes.md"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn open_picks_a_file_enters_a_folder_and_refuses_a_missing_name() {
        let dir = folder("open");
        let mut browser = FileBrowser::new("Open".into(), &["csv"], None, dir.clone());
        assert_eq!(browser.accept(), None, "nothing picked yet");
        assert!(browser.problem.is_some());
        browser.name = "missing.csv".into();
        assert_eq!(browser.accept(), None);
        assert!(browser.problem.as_ref().unwrap().contains("missing.csv"));
        browser.name = "Sub".into();
        assert_eq!(browser.accept(), None);
        assert!(browser.folder.ends_with("Sub"), "a folder's name enters it");
        browser.enter(dir.clone());
        browser.name = "b.csv".into();
        assert_eq!(
            browser.accept(),
            Some(BrowserOutcome::Picked(browser.folder.join("b.csv")))
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn saving_over_a_file_asks_once_and_a_bad_folder_keeps_the_one_shown() {
        let dir = folder("save");
        let save_as = Some("nnviz-data.csv".to_owned());
        let mut browser = FileBrowser::new("Save".into(), &["csv"], save_as, dir.clone());
        assert_eq!(browser.name, "nnviz-data.csv");
        browser.name = "b.csv".into();
        assert_eq!(browser.accept(), None, "b.csv exists: asks first");
        assert!(browser.problem.as_ref().unwrap().contains("replace"));
        assert!(matches!(browser.accept(), Some(BrowserOutcome::Picked(_))));
        browser.enter(dir.join("no such folder"));
        assert!(browser.problem.as_ref().unwrap().contains("no such folder"));
        assert_eq!(browser.folder, std::path::absolute(&dir).unwrap());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
