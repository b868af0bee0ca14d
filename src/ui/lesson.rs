//! The lesson panel: the step's text, its goal's status, hints, Back and Next; and the list of
//! lessons to open.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat, Ui};

use crate::app::commands::Command;
use crate::lesson::{Lesson, Status, builtin};

/// What the panel shows of the open lesson.
#[derive(Clone, Copy, Debug)]
pub struct LessonPanel<'a> {
    /// The lesson.
    pub lesson: &'a Lesson,
    /// The step shown (0 is the first).
    pub step: usize,
    /// The goal's status now (`None` for a step without a goal).
    pub status: Option<&'a Status>,
    /// The iteration the goal was met at, once it was.
    pub met_at: Option<u64>,
    /// How many hints are shown.
    pub hints_shown: usize,
}

/// Green of a met goal, readable on both themes.
const MET: Color32 = Color32::from_rgb(40, 160, 70);

/// The open lesson's step.
pub fn lesson_ui(ui: &mut Ui, panel: &LessonPanel<'_>, commands: &mut Vec<Command>) {
    let lesson = panel.lesson;
    let Some(step) = lesson.steps.get(panel.step) else {
        return;
    };
    let n = lesson.steps.len();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(&lesson.title).strong());
        ui.weak(format!("step {} of {n}", panel.step + 1));
    });
    ui.label(RichText::new(&step.title).heading().size(16.0));
    markdown_ui(ui, &step.text);
    if let Some((goal, _)) = &step.goal {
        ui.add_space(4.0);
        match (panel.met_at, panel.status) {
            (Some(at), _) => {
                ui.label(
                    RichText::new(format!(
                        "Goal met at iteration {}",
                        super::stats::format_count(at)
                    ))
                    .color(MET)
                    .strong(),
                )
                .on_hover_text(format!("Goal: {goal}"));
            }
            (None, status) => {
                ui.label(RichText::new(format!("Goal: {goal}")).strong());
                if let Some(missing) = status.filter(|s| !s.met).map(|s| &s.missing) {
                    ui.label(format!("Still missing: {missing}"));
                }
            }
        }
    }
    for hint in step.hints.iter().take(panel.hints_shown) {
        ui.label(RichText::new(format!("Hint: {hint}")).italics());
    }
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(panel.step > 0, egui::Button::new("◀ Back"))
            .on_hover_text("The step before, set up afresh")
            .clicked()
        {
            commands.push(Command::LessonStep(panel.step - 1));
        }
        let last = panel.step + 1 >= n;
        let next = ui
            .add_enabled(!last, egui::Button::new("Next ▶"))
            .on_hover_text("The next step: its data and runs replace these");
        if next.clicked() {
            commands.push(Command::LessonStep(panel.step + 1));
        }
        if panel.hints_shown < step.hints.len() && ui.button("Hint").clicked() {
            commands.push(Command::LessonHint);
        }
        if ui
            .button("Restart step")
            .on_hover_text("Set this step up again, as it began")
            .clicked()
        {
            commands.push(Command::LessonStep(panel.step));
        }
        if ui
            .button("Close lesson")
            .on_hover_text(
                "Leave the lesson: the settings stay as they are, every control unlocked",
            )
            .clicked()
        {
            commands.push(Command::CloseLesson);
        }
    });
}

/// The built-in lessons and Open lesson….
pub fn lessons_ui(ui: &mut Ui, commands: &mut Vec<Command>) {
    for lesson in builtin::all() {
        let name = &lesson.name;
        if ui
            .button(&lesson.title)
            .on_hover_text(format!(
                "{} steps: {} (`nnviz --lesson {name}`)",
                lesson.steps.len(),
                lesson.summary
            ))
            .clicked()
        {
            commands.push(Command::OpenBuiltinLesson(name.to_owned()));
        }
    }
    if ui
        .button("Open lesson file…")
        .on_hover_text("A lesson written as TOML (see the README), or drop one on the window")
        .clicked()
    {
        commands.push(Command::OpenLessonDialog);
    }
}

/// A step's text: paragraphs, `- ` lists, `**bold**`, `` `code` `` and lines indented by four
/// spaces (formulas) in a monospace font.
pub fn markdown_ui(ui: &mut Ui, text: &str) {
    let body = FontId::proportional(14.0);
    let mono = FontId::monospace(13.0);
    let color = ui.visuals().text_color();
    let strong = ui.visuals().strong_text_color();
    let mut paragraph = String::new();
    let flush = |ui: &mut Ui, paragraph: &mut String| {
        if !paragraph.trim().is_empty() {
            let job = inline_job(
                paragraph.trim(),
                &body,
                &mono,
                color,
                strong,
                ui.available_width(),
            );
            ui.label(job);
        }
        paragraph.clear();
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(ui, &mut paragraph);
        } else if let Some(formula) = line.strip_prefix("    ") {
            flush(ui, &mut paragraph);
            ui.label(
                RichText::new(formula.trim_end())
                    .font(mono.clone())
                    .color(strong),
            );
        } else if let Some(item) = line.trim_start().strip_prefix("- ") {
            flush(ui, &mut paragraph);
            paragraph.push_str("• ");
            paragraph.push_str(item);
            flush(ui, &mut paragraph);
        } else {
            if !paragraph.is_empty() {
                paragraph.push(' ');
            }
            paragraph.push_str(line.trim());
        }
    }
    flush(ui, &mut paragraph);
}

/// One paragraph with its `**bold**` and `` `code` `` spans.
fn inline_job(
    text: &str,
    body: &FontId,
    mono: &FontId,
    color: Color32,
    strong: Color32,
    width: f32,
) -> LayoutJob {
    let mut job = LayoutJob::default();
    job.wrap.max_width = width;
    let mut bold = false;
    let mut rest = text;
    while !rest.is_empty() {
        let next_bold = rest.find("**");
        let next_code = rest.find('`');
        let (cut, is_code) = match (next_bold, next_code) {
            (Some(b), Some(c)) if c < b => (c, true),
            (Some(b), _) => (b, false),
            (None, Some(c)) => (c, true),
            (None, None) => (rest.len(), false),
        };
        let format = TextFormat {
            font_id: body.clone(),
            color: if bold { strong } else { color },
            ..TextFormat::default()
        };
        job.append(&rest[..cut], 0.0, format);
        rest = &rest[cut..];
        if rest.is_empty() {
            break;
        }
        if is_code {
            let inner = &rest[1..];
            let end = inner.find('`').unwrap_or(inner.len());
            let format = TextFormat {
                font_id: mono.clone(),
                color: strong,
                ..TextFormat::default()
            };
            job.append(&inner[..end], 0.0, format);
            rest = inner.get(end + 1..).unwrap_or("");
        } else {
            bold = !bold;
            rest = &rest[2..];
        }
    }
    job
}

/// A folding section of the controls: greyed, with `locked`'s reason on hover, while a lesson
/// locks it.
pub fn section(
    ui: &mut Ui,
    title: &str,
    default_open: bool,
    locked: Option<String>,
    add: impl FnOnce(&mut Ui),
) {
    let header = match &locked {
        Some(_) => format!("{title} (locked)"),
        None => title.to_owned(),
    };
    let why = locked.clone();
    let shown = egui::CollapsingHeader::new(header)
        .id_salt(title)
        .default_open(default_open)
        .show(ui, |ui| match locked {
            Some(why) => {
                let greyed = ui.add_enabled_ui(false, add).response.rect;
                // The greyed widgets sense nothing: the section itself tells why on hover.
                ui.interact(greyed, ui.scope_id().with("locked"), egui::Sense::hover())
                    .on_hover_text(why);
            }
            None => add(ui),
        });
    if let Some(why) = why {
        shown.header_response.on_hover_text(why);
    }
}
