//! Reading a CSV file for the window: a small one within the frame that asked for it, a large
//! one on a helper thread, so that the window keeps drawing (and training) while it is read.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::data::{ColumnRoles, CsvSource, DataError, Table};
use crate::train::Preparation;

use super::session::NewData;

/// A file read and prepared, or why not: the outer error is the file's (it could not be read),
/// the inner one the preparation's, as the window words it.
pub type ReadCsv = Result<Result<NewData, String>, DataError>;

/// Files up to this size are read within the frame (a few milliseconds); a larger one (a
/// million rows take about a second) on a helper thread.
pub const BACKGROUND_BYTES: u64 = 4 << 20;

/// Where a CSV file comes from.
#[derive(Clone, Debug)]
pub enum CsvInput {
    /// A file on disk (the file dialog, the command line).
    Path(PathBuf),
    /// A dropped file's bytes.
    Bytes {
        /// File name, for messages.
        name: String,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
}

impl CsvInput {
    /// The file's name, as messages give it.
    pub fn name(&self) -> String {
        match self {
            Self::Path(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Self::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file's size in bytes (0 if it cannot be told: the read then reports the problem).
    fn size(&self) -> u64 {
        match self {
            Self::Path(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            Self::Bytes { bytes, .. } => bytes.len() as u64,
        }
    }

    /// Whether reading it takes longer than a frame.
    pub fn is_large(&self) -> bool {
        self.size() > BACKGROUND_BYTES
    }

    /// Parses the file, builds its data set with the default roles (the last column the
    /// target) and prepares it under `preparation`; the parsed table is kept beside it for
    /// re-picking the columns.
    pub fn read(&self, preparation: &Preparation) -> ReadCsv {
        let table = match self {
            Self::Path(path) => Table::read_path(path)?,
            Self::Bytes { name, bytes } => Table::read_bytes(name, bytes)?,
        };
        let roles = ColumnRoles::default();
        let dataset = table.to_dataset(&roles)?;
        Ok(NewData::new(
            preparation,
            dataset,
            Some(CsvSource::new(table, roles)),
        ))
    }
}

/// A CSV file being read on a helper thread.
#[derive(Debug)]
pub struct CsvLoad {
    /// The file's name, for the message shown meanwhile.
    pub name: String,
    receiver: Receiver<ReadCsv>,
}

impl CsvLoad {
    /// Starts reading `input` and preparing it under `preparation` on a helper thread;
    /// `repaint` is called when it is done.
    pub fn start(
        input: CsvInput,
        preparation: Preparation,
        repaint: impl Fn() + Send + 'static,
    ) -> Self {
        let (sender, receiver) = channel();
        let name = input.name();
        std::thread::spawn(move || {
            // The receiver is gone if the app closed or another file was asked for meanwhile.
            let _ = sender.send(input.read(&preparation));
            repaint();
        });
        Self { name, receiver }
    }

    /// The file's data (or why it could not be read), once it is read.
    pub fn poll(&self) -> Option<ReadCsv> {
        match self.receiver.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err(self.lost())),
        }
    }

    /// Waits until the file is read (the headless app, which has no frames to keep drawing).
    pub fn wait(self) -> ReadCsv {
        self.receiver.recv().unwrap_or_else(|_| Err(self.lost()))
    }

    fn lost(&self) -> DataError {
        DataError::Io {
            file: self.name.clone(),
            message: "the reading stopped unexpectedly".into(),
        }
    }
}
