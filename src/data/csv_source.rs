//! A loaded CSV file kept beside the data set built from it, so that its columns can be re-picked.

use super::{ColumnRoles, ColumnSummary, Table};

/// A loaded CSV file: the parsed table, kept so target and features can be re-picked.
#[derive(Clone, Debug)]
pub struct CsvSource {
    /// The parsed file.
    pub table: Table,
    /// The roles the current data set was built with.
    pub roles: ColumnRoles,
    /// A summary of each column for the pickers (computed once: a pass over every cell).
    pub columns: Vec<ColumnSummary>,
}

impl CsvSource {
    /// A parsed file and the roles its data set was built with.
    pub fn new(table: Table, roles: ColumnRoles) -> Self {
        let columns = table.columns();
        Self {
            table,
            roles,
            columns,
        }
    }
}
