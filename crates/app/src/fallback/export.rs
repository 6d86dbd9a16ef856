//! The static fallback TwiML of every assigned number, and writing it to a directory for a
//! static host: one file per number (`<E.164 without +>.xml`), each replaced atomically (temp
//! file, fsync, rename), files of numbers no longer assigned removed — only files whose names
//! have that shape, so nothing else in the directory is touched.

use crate::{App, AppResult};
use djcalls_domain::PhoneNumber;
use djcalls_domain::voice::CallDecision;
use djcalls_telephony::{call_flow_twiml, fallback_file_name};
use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

/// One number's static TwiML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FallbackFile {
    /// `14155550100.xml` for `+14155550100`.
    pub file_name: String,
    pub twiml: String,
}

/// What an export did to the directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Files created or changed.
    pub written: usize,
    /// Files that already held exactly this TwiML (left alone, so sync tools see no change).
    pub unchanged: usize,
    /// Files of numbers no longer assigned, and temp files a crashed export left behind.
    pub removed: usize,
}

impl App {
    /// The static TwiML of every DJ's active number: the greeting, then ring the DJ's real
    /// number showing the virtual number (`CallDecision::forward_unattended`), rendered by the
    /// telephony crate like every other answer.
    pub async fn fallback_files(&self) -> AppResult<Vec<FallbackFile>> {
        let numbers = self.store.active_numbers().await?;
        Ok(numbers
            .into_iter()
            .map(|n| {
                let virtual_number = PhoneNumber::from_trusted_e164(n.virtual_number);
                let decision = CallDecision::forward_unattended(
                    &n.dj_name,
                    PhoneNumber::from_trusted_e164(n.real_phone_number),
                    virtual_number.clone(),
                );
                FallbackFile {
                    file_name: fallback_file_name(&virtual_number),
                    twiml: call_flow_twiml(&decision, &self.settings.public_base_url).to_xml(),
                }
            })
            .collect())
    }
}

/// A name `djcalls fallback export` writes: the digits of an E.164 number, then `.xml`.
pub fn is_fallback_file_name(name: &str) -> bool {
    name.strip_suffix(".xml").is_some_and(|digits| {
        (1..=15).contains(&digits.len())
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The temp file a file is written to before it is renamed into place.
fn temp_name(file_name: &str) -> String {
    format!(".{file_name}.tmp")
}

fn is_temp_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(is_fallback_file_name)
}

/// Makes `dir` hold exactly `files` among the files it owns (created when missing). Errors
/// name the path at fault.
pub fn write_fallback_dir(dir: &Path, files: &[FallbackFile]) -> io::Result<ExportReport> {
    let at =
        |path: &Path, e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    std::fs::create_dir_all(dir).map_err(|e| at(dir, e))?;
    let mut report = ExportReport::default();
    for file in files {
        if !is_fallback_file_name(&file.file_name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("not a fallback file name: {}", file.file_name),
            ));
        }
        let path = dir.join(&file.file_name);
        if std::fs::read(&path).is_ok_and(|current| current == file.twiml.as_bytes()) {
            report.unchanged += 1;
            continue;
        }
        let temp = dir.join(temp_name(&file.file_name));
        write_synced(&temp, file.twiml.as_bytes()).map_err(|e| at(&temp, e))?;
        std::fs::rename(&temp, &path).map_err(|e| at(&path, e))?;
        report.written += 1;
    }
    let keep: HashSet<&str> = files.iter().map(|f| f.file_name.as_str()).collect();
    for entry in std::fs::read_dir(dir).map_err(|e| at(dir, e))? {
        let entry = entry.map_err(|e| at(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let ours = is_fallback_file_name(name) || is_temp_name(name);
        if ours && !keep.contains(name) && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(|e| at(&entry.path(), e))?;
            report.removed += 1;
        }
    }
    // The renames and removals are durable once the directory itself is.
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| at(dir, e))?;
    Ok(report)
}

fn write_synced(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(number: &str, twiml: &str) -> FallbackFile {
        FallbackFile {
            file_name: format!("{number}.xml"),
            twiml: twiml.to_string(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("ok")
            .map(|e| e.expect("ok").file_name().into_string().expect("ok"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn only_e164_digit_names_are_ours() {
        assert!(is_fallback_file_name("14155550100.xml"));
        assert!(is_fallback_file_name("442071838750.xml"));
        for other in [
            "index.xml",
            "+14155550100.xml",
            "14155550100.xml.bak",
            "1415555010012345.xml",
            "0123.xml",
            ".xml",
            "14155550100.XML",
        ] {
            assert!(!is_fallback_file_name(other), "{other}");
        }
        assert!(is_temp_name(".14155550100.xml.tmp"));
        assert!(!is_temp_name(".index.xml.tmp"));
    }

    #[test]
    fn an_export_replaces_its_files_and_removes_only_its_own_stale_ones() {
        let dir = tempfile::tempdir().expect("ok");
        let first = [file("14155550100", "<a/>"), file("14155550101", "<b/>")];
        let report = write_fallback_dir(dir.path(), &first).expect("ok");
        assert_eq!(
            report,
            ExportReport {
                written: 2,
                unchanged: 0,
                removed: 0
            }
        );
        // Someone else's files, and a temp file a crashed export left behind.
        std::fs::write(dir.path().join("index.html"), "hello").expect("ok");
        std::fs::write(dir.path().join("notes.xml"), "<mine/>").expect("ok");
        std::fs::write(dir.path().join(".14155550199.xml.tmp"), "<half").expect("ok");

        let second = [file("14155550100", "<a/>"), file("14155550102", "<c/>")];
        let report = write_fallback_dir(dir.path(), &second).expect("ok");
        assert_eq!(
            report,
            ExportReport {
                written: 1,
                unchanged: 1,
                removed: 2
            }
        );
        assert_eq!(
            names(dir.path()),
            [
                "14155550100.xml",
                "14155550102.xml",
                "index.html",
                "notes.xml"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("14155550102.xml")).expect("ok"),
            "<c/>"
        );
    }

    #[test]
    fn a_changed_number_is_rewritten_in_place() {
        let dir = tempfile::tempdir().expect("ok");
        write_fallback_dir(dir.path(), &[file("14155550100", "<old/>")]).expect("ok");
        let report = write_fallback_dir(dir.path(), &[file("14155550100", "<new/>")]).expect("ok");
        assert_eq!(report.written, 1);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("14155550100.xml")).expect("ok"),
            "<new/>"
        );
        assert_eq!(names(dir.path()), ["14155550100.xml"], "no temp file left");
    }

    #[test]
    fn a_directory_that_cannot_be_written_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("ok");
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "").expect("ok");
        let error =
            write_fallback_dir(&blocker, &[file("14155550100", "<a/>")]).expect_err("fails");
        assert!(error.to_string().contains("not-a-dir"), "{error}");
    }
}
