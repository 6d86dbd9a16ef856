//! Streamed CSV downloads (SPEC §14): RFC 4180 text (the `csv` crate's quoting, CRLF line
//! ends) with a header row, written page by page into the response body as the pages are
//! read, so memory stays one page whatever the row count.
//!
//! Every cell is neutralised against spreadsheet formula injection (OWASP "CSV injection"): a
//! cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//! `'`, which spreadsheets take as "this is text" and do not show. That includes phone
//! numbers: `+14155550123` is written `'+14155550123` (a spreadsheet shows it as the text
//! `+14155550123`, a program reading the file sees the quote). Cells this service formats
//! itself (ids, RFC 3339 times, whole numbers, `150.00`) never start with those characters.
//!
//! Once the first bytes are sent the status is 200 and cannot change: an error while reading
//! a later page is logged and ends the body with an error, so the connection is cut before
//! the final chunk and the client sees a truncated download, never a silently short file.

use crate::error::ApiResult;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use djcalls_app::AppResult;
use djcalls_app::export_pages::ExportPages;
use futures::{Stream, StreamExt};
use std::borrow::Cow;
use std::fmt::Display;

/// A column: its header and how a row's cell is written (before neutralisation).
pub type Column<T> = (&'static str, fn(&T) -> String);

/// The leading characters a spreadsheet may read as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell` as it may safely be opened in a spreadsheet: prefixed with `'` when it starts with
/// one of `= + - @`, a tab or a carriage return; otherwise unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The header row, as bytes.
pub fn header_bytes<T>(columns: &[Column<T>]) -> Result<Bytes, csv::Error> {
    let mut out = writer();
    out.write_record(columns.iter().map(|(name, _)| *name))?;
    finish(out)
}

/// `rows` as CSV records, every cell neutralised.
pub fn rows_bytes<T>(columns: &[Column<T>], rows: &[T]) -> Result<Bytes, csv::Error> {
    let mut out = writer();
    let mut cells: Vec<String> = Vec::with_capacity(columns.len());
    for row in rows {
        cells.clear();
        cells.extend(columns.iter().map(|(_, cell)| {
            let text = cell(row);
            if text.starts_with(FORMULA_STARTS) {
                format!("'{text}")
            } else {
                text
            }
        }));
        out.write_record(&cells)?;
    }
    finish(out)
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(out: csv::Writer<Vec<u8>>) -> Result<Bytes, csv::Error> {
    out.into_inner()
        .map(Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// A `200 text/csv` attachment named `filename`: the header row, then each page of `pages` as
/// it comes. An error from `pages` (or in writing) is logged under `what` and cuts the body.
pub fn download<T, E, S>(
    filename: &str,
    what: &'static str,
    columns: &'static [Column<T>],
    pages: S,
) -> Response
where
    T: Send + 'static,
    E: Display + Send + 'static,
    S: Stream<Item = Result<Vec<T>, E>> + Send + 'static,
{
    let header = futures::stream::once(async move { header_bytes(columns) });
    let body = header
        .chain(pages.map(move |page| match page {
            Ok(rows) => rows_bytes(columns, &rows),
            Err(e) => {
                tracing::error!(
                    export = what,
                    error = %e,
                    "a CSV download failed after it began; its body is cut short"
                );
                Err(csv::Error::from(std::io::Error::other("export failed")))
            }
        }))
        .map(|chunk| chunk.map_err(std::io::Error::other));
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// [`download`] of an export's pages, each row shown through `view`. The first page is read
/// before the answer starts, so its failure (and any refusal) is still a plain error response;
/// a later one can only cut the body short.
pub async fn export_download<P, T>(
    filename: &str,
    what: &'static str,
    columns: &'static [Column<T>],
    mut export: P,
    view: fn(P::Row) -> T,
) -> ApiResult<Response>
where
    P: ExportPages,
    T: Send + 'static,
{
    let first = export.next_page().await?;
    let pages = futures::stream::iter(first.map(Ok)).chain(remaining_pages(export));
    Ok(download(
        filename,
        what,
        columns,
        pages.map(move |page| page.map(|rows| rows.into_iter().map(view).collect())),
    ))
}

/// The export's pages after the first, ending after the last or after an error.
fn remaining_pages<P: ExportPages>(export: P) -> impl Stream<Item = AppResult<Vec<P::Row>>> + Send {
    futures::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_page().await {
            Ok(Some(page)) => Some((Ok(page), Some(export))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Row {
        name: &'static str,
        note: &'static str,
    }

    const COLUMNS: &[Column<Row>] = &[
        ("name", |r| r.name.to_string()),
        ("note", |r| r.note.to_string()),
    ];

    #[test]
    fn formulas_are_neutralised_and_other_text_kept() {
        for risky in ["=1+1", "+14155550123", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        for safe in ["", "DJ Ana", "150.00", " =1", "a=b", "'quoted"] {
            assert_eq!(neutralise(safe), safe);
        }
    }

    #[test]
    fn rows_are_rfc_4180_with_crlf() {
        let rows = [
            Row {
                name: "a, \"b\"",
                note: "line 1\nline 2",
            },
            Row {
                name: "=HYPERLINK(\"x\")",
                note: "",
            },
        ];
        let head = header_bytes(COLUMNS).expect("header");
        let body = rows_bytes(COLUMNS, &rows).expect("rows");
        assert_eq!(&head[..], b"name,note\r\n");
        assert_eq!(
            &body[..],
            b"\"a, \"\"b\"\"\",\"line 1\nline 2\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\r\n"
        );
    }

    #[tokio::test]
    async fn an_error_after_the_first_page_ends_the_body_with_an_error() {
        let pages = futures::stream::iter([
            Ok(vec![Row {
                name: "first",
                note: "page",
            }]),
            Err("the database went away"),
        ]);
        let response = download("t.csv", "test", COLUMNS, pages);
        assert_eq!(response.status(), 200);
        let mut body = response.into_body().into_data_stream();
        let mut received = Vec::new();
        let mut failed = false;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => received.extend_from_slice(&bytes),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the body must end with an error");
        assert_eq!(received, b"name,note\r\nfirst,page\r\n");
    }

    /// Over HTTP/1.1 (chunked) through the service's server loop, that error becomes a
    /// transfer the client sees as incomplete, after the rows sent before it.
    #[tokio::test]
    async fn over_http_a_failed_download_is_incomplete_not_short() {
        // The failure comes only once the client holds the first page, as a database error
        // between pages would.
        let (fail, failed) = tokio::sync::oneshot::channel::<()>();
        let failed = std::sync::Arc::new(std::sync::Mutex::new(Some(failed)));
        let router = axum::Router::new().route(
            "/t.csv",
            axum::routing::get(move || {
                let failed = failed.lock().expect("lock").take();
                async move {
                    let first = futures::stream::iter([Ok(vec![Row {
                        name: "first",
                        note: "page",
                    }])]);
                    let then_fail = futures::stream::once(async move {
                        if let Some(failed) = failed {
                            let _ = failed.await;
                        }
                        Err("the database went away")
                    });
                    download("t.csv", "test", COLUMNS, first.chain(then_fail))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/t.csv", listener.local_addr().expect("addr"));
        let server = tokio::spawn(crate::serve(
            listener,
            router,
            crate::ConnectionLimits::DEFAULT,
            std::future::pending(),
        ));
        let mut response = reqwest::get(&url).await.expect("answer");
        assert_eq!(response.status(), 200);
        let expected: &[u8] = b"name,note\r\nfirst,page\r\n";
        let mut received = Vec::new();
        while received.len() < expected.len() {
            let chunk = response.chunk().await.expect("first page").expect("more");
            received.extend_from_slice(&chunk);
        }
        assert_eq!(received, expected);
        fail.send(()).expect("the download is still running");
        let rest = response.chunk().await;
        assert!(
            rest.is_err(),
            "the client must see an incomplete body: {rest:?}"
        );
        server.abort();
    }
}
