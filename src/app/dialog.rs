//! Native file dialogs run off the UI thread: the window keeps drawing while one is open.

use std::future::Future;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// A dialog that answers faster than this did not really open (no portal and no zenity).
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// What the user asked a dialog for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogPurpose {
    /// Pick a CSV file to load.
    OpenCsv,
    /// Pick a saved model to load.
    OpenModel,
    /// Pick a lesson file to open.
    OpenLesson,
    /// Pick a session file to open.
    OpenSession,
    /// Pick where to save an export.
    Save(super::ExportKind),
}

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogOutcome {
    /// The user picked this file.
    Picked(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// No dialog could be shown.
    Unavailable,
}

/// A dialog running on a helper thread.
#[derive(Debug)]
pub struct DialogTask {
    /// Why it was opened.
    pub purpose: DialogPurpose,
    receiver: Receiver<Option<PathBuf>>,
    started: Instant,
}

struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on the current thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(value) => return value,
            Poll::Pending => std::thread::park(),
        }
    }
}

impl DialogTask {
    /// Opens a dialog for `purpose` on a helper thread; `repaint` is called when it closes.
    pub fn start(purpose: DialogPurpose, repaint: impl Fn() + Send + 'static) -> Self {
        let (sender, receiver) = channel();
        let what = purpose.clone();
        std::thread::spawn(move || {
            let dialog = rfd::AsyncFileDialog::new();
            let picked = match what {
                DialogPurpose::OpenCsv => {
                    block_on(dialog.add_filter("CSV", &["csv", "tsv", "txt"]).pick_file())
                }
                DialogPurpose::OpenModel => {
                    block_on(dialog.add_filter("nnviz model", &["json"]).pick_file())
                }
                DialogPurpose::OpenLesson => {
                    block_on(dialog.add_filter("nnviz lesson", &["toml"]).pick_file())
                }
                DialogPurpose::OpenSession => {
                    block_on(dialog.add_filter("nnviz session", &["nnviz"]).pick_file())
                }
                DialogPurpose::Save(kind) => {
                    block_on(dialog.set_file_name(kind.file_name()).save_file())
                }
            };
            // The receiver may be gone if the app closed; nothing to do then.
            let _ = sender.send(picked.map(|f| f.path().to_path_buf()));
            repaint();
        });
        Self {
            purpose,
            receiver,
            started: Instant::now(),
        }
    }

    /// The outcome if the dialog has closed.
    pub fn poll(&self) -> Option<DialogOutcome> {
        match self.receiver.try_recv() {
            Ok(Some(path)) => Some(DialogOutcome::Picked(path)),
            Ok(None) if self.started.elapsed() < NO_DIALOG_WITHIN => {
                Some(DialogOutcome::Unavailable)
            }
            Ok(None) => Some(DialogOutcome::Cancelled),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(DialogOutcome::Unavailable),
        }
    }
}
