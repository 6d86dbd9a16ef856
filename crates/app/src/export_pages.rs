//! What a CSV download reads (SPEC §14): an export in progress, page after page, each page in
//! its own short read transaction, so memory stays one page whatever the row count and a slow
//! client never holds a database connection between pages. The calls export
//! (`calls::CallExport`) and the contacts export (`contacts::ContactExport`) are two.

use crate::AppResult;

/// Rows read from the database per page of an export.
pub const EXPORT_PAGE_ROWS: u32 = 500;

/// An export in progress: [`ExportPages::next_page`] until it answers `None`.
pub trait ExportPages: Send + 'static {
    /// One exported row.
    type Row: Send + 'static;

    /// The next page, in the list's order; `None` once every row has been read. A page may
    /// be empty when a filter applied after reading matched none of its rows.
    fn next_page(&mut self) -> impl Future<Output = AppResult<Option<Vec<Self::Row>>>> + Send;
}
