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
    /// A file already read, its columns picked anew (another target or features).
    Repick {
        /// The parsed file.
        table: Box<Table>,
        /// The new roles.
        roles: ColumnRoles,
    },
}

/// Rows above which re-picking a file's columns (a data set built and prepared again, about a
/// second for a million rows) moves to the helper thread.
pub const BACKGROUND_ROWS: usize = 50_000;

impl CsvInput {
    /// The file's name, as messages give it.
    pub fn name(&self) -> String {
        match self {
            Self::Path(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Self::Bytes { name, .. } => name.clone(),
            Self::Repick { table, .. } => table.file_name().to_owned(),
        }
    }

    /// True for a file whose columns are picked anew (the settings stay as they are).
    pub fn is_repick(&self) -> bool {
        matches!(self, Self::Repick { .. })
    }

    /// The file's size in bytes (0 if it cannot be told: the read then reports the problem).
    fn size(&self) -> u64 {
        match self {
            Self::Path(path) => std::fs::metadata(path).map_or(0, |m| m.len()),
            Self::Bytes { bytes, .. } => bytes.len() as u64,
            Self::Repick { .. } => 0,
        }
    }

    /// Whether reading it takes longer than a frame.
    pub fn is_large(&self) -> bool {
        match self {
            Self::Repick { table, .. } => table.n_rows() > BACKGROUND_ROWS,
            _ => self.size() > BACKGROUND_BYTES,
        }
    }

    /// Parses the file (a re-pick has it already), builds its data set with the default roles
    /// (the last column the target; a re-pick's own) and prepares it under `preparation`; the parsed table is kept beside it for
    /// re-picking the columns.
    pub fn read(&self, preparation: &Preparation) -> ReadCsv {
        let (table, roles) = match self {
            Self::Path(path) => (Table::read_path(path)?, ColumnRoles::default()),
            Self::Bytes { name, bytes } => {
                (Table::read_bytes(name, bytes)?, ColumnRoles::default())
            }
            Self::Repick { table, roles } => ((**table).clone(), roles.clone()),
        };
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
    /// True when the columns of the file in use are picked anew.
    pub repick: bool,
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
        let repick = input.is_repick();
        std::thread::spawn(move || {
            // The receiver is gone if the app closed or another file was asked for meanwhile.
            let _ = sender.send(input.read(&preparation));
            repaint();
        });
        Self {
            name,
            repick,
            receiver,
        }
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
