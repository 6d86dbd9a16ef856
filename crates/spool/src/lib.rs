//! A spool: a directory of whole, durable entries, read back in the order they were written.
//!
//! djcalls acknowledges a Twilio webhook only once what it says is durable. While the database
//! is away, "durable" means an entry here (SPEC §10); once the database answers again the
//! entries are applied in order and removed. This crate knows nothing of webhooks: an entry is
//! bytes.
//!
//! - **Whole and durable.** [`Spool::append`] writes through `atomic-write-file`: a temporary
//!   file in the directory, `fsync`, rename to the entry's name, `fsync` of the directory. When
//!   it returns, the entry survives a crash or power loss; an entry that exists is never torn.
//!   Temporaries left by a crash are hidden files, never listed as entries.
//! - **Ordered.** Names are `<wall-clock µs>-<counter>-<pid>.entry`, zero-padded, so sorting
//!   names is write order within a process and, across restarts, wall-clock order. Several
//!   processes may share a directory: names never collide (the pid), and applying an entry twice
//!   must be harmless to the caller anyway (a crash between applying and removing does that).
//! - **Nothing blocks the rest.** An entry the caller cannot use is moved aside into
//!   `rejected/` ([`Spool::set_aside`]) for a person to look at.
//!
//! All calls are blocking file-system calls; async callers run them on a blocking thread.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Entries end in this; anything else in the directory is left alone.
const EXTENSION: &str = "entry";
/// Where unusable entries go, inside the spool directory.
pub const REJECTED_DIR: &str = "rejected";

/// A file-system call on the spool failed; `path` says where.
#[derive(Debug, thiserror::Error)]
#[error("spool {}: {source}", path.display())]
pub struct SpoolError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> SpoolError + '_ {
    move |source| SpoolError {
        path: path.to_path_buf(),
        source,
    }
}

/// One entry of the spool.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    name: String,
    path: PathBuf,
}

impl Entry {
    /// The file name: its place in the order.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A spool directory. Creating one does no I/O: the directory is made on the first append, so
/// a spool that cannot be written shows up as an error of that append (naming the path).
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    /// The last name's (µs, counter): the next is strictly greater even if the clock steps back.
    last: Mutex<(u64, u64)>,
}

impl Spool {
    pub fn new(dir: impl Into<PathBuf>) -> Spool {
        Spool {
            dir: dir.into(),
            last: Mutex::new((0, 0)),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as the newest entry; durable when this returns `Ok`.
    pub fn append(&self, bytes: &[u8]) -> Result<Entry, SpoolError> {
        create_private_dir(&self.dir).map_err(at(&self.dir))?;
        let name = self.next_name();
        let path = self.dir.join(&name);
        let mut file = atomic_write_file::AtomicWriteFile::open(&path).map_err(at(&path))?;
        io::Write::write_all(&mut file, bytes).map_err(at(&path))?;
        file.commit().map_err(at(&path))?;
        Ok(Entry { name, path })
    }

    /// The entries, oldest first. A directory that does not exist yet has none.
    pub fn pending(&self) -> Result<Vec<Entry>, SpoolError> {
        let listing = match fs::read_dir(&self.dir) {
            Ok(listing) => listing,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(at(&self.dir)(e)),
        };
        let mut entries = Vec::new();
        for item in listing {
            let item = item.map_err(at(&self.dir))?;
            let Ok(name) = item.file_name().into_string() else {
                continue;
            };
            let is_entry = !name.starts_with('.')
                && Path::new(&name).extension().is_some_and(|e| e == EXTENSION)
                && item.file_type().map_err(at(&self.dir))?.is_file();
            if is_entry {
                entries.push(Entry {
                    path: item.path(),
                    name,
                });
            }
        }
        entries.sort();
        Ok(entries)
    }

    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, SpoolError> {
        fs::read(&entry.path).map_err(at(&entry.path))
    }

    /// Removes an applied entry, durably. An entry that is already gone (another process
    /// applied it) is fine.
    pub fn remove(&self, entry: &Entry) -> Result<(), SpoolError> {
        match fs::remove_file(&entry.path) {
            Ok(()) => sync_dir(&self.dir).map_err(at(&self.dir)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(at(&entry.path)(e)),
        }
    }

    /// Moves an entry that cannot be used into `rejected/`, keeping its name; returns where it
    /// went.
    pub fn set_aside(&self, entry: &Entry) -> Result<PathBuf, SpoolError> {
        let rejected = self.dir.join(REJECTED_DIR);
        create_private_dir(&rejected).map_err(at(&rejected))?;
        let to = rejected.join(&entry.name);
        fs::rename(&entry.path, &to).map_err(at(&entry.path))?;
        sync_dir(&rejected).map_err(at(&rejected))?;
        sync_dir(&self.dir).map_err(at(&self.dir))?;
        Ok(to)
    }

    /// Durably replaces the side file `name` in the spool directory (not an entry: e.g. the
    /// routing table a process restarted during an outage starts from).
    pub fn keep(&self, name: &str, bytes: &[u8]) -> Result<(), SpoolError> {
        create_private_dir(&self.dir).map_err(at(&self.dir))?;
        let path = self.dir.join(name);
        let mut file = atomic_write_file::AtomicWriteFile::open(&path).map_err(at(&path))?;
        io::Write::write_all(&mut file, bytes).map_err(at(&path))?;
        file.commit().map_err(at(&path))
    }

    /// The side file `name`, if it was ever kept.
    pub fn kept(&self, name: &str) -> Result<Option<Vec<u8>>, SpoolError> {
        let path = self.dir.join(name);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(at(&path)(e)),
        }
    }

    fn next_name(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *last = if now > last.0 {
            (now, 0)
        } else {
            (last.0, last.1 + 1)
        };
        format!(
            "{:020}-{:010}-{:010}.{EXTENSION}",
            last.0,
            last.1,
            std::process::id()
        )
    }
}

/// The directory and its parents; the spool itself readable by this user only (entries hold
/// phone numbers).
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests;
