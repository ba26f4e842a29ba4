//! Rewriting a journal to what is still worth keeping, and moving aside one this build
//! cannot read.

use super::format::{HEADER_PREFIX, VERSION, identity_line, line};
use crate::usage::aggregator::Record;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Renames a journal this build cannot read to `<path>.unreadable-<unix secs>` (or
/// `...-<secs>-<n>` if that exists: an earlier start moved one aside the same second).
pub(super) fn move_aside(path: &Path, now: SystemTime) -> io::Result<PathBuf> {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".unreadable-{secs}"));
    let first = PathBuf::from(name);
    let aside = (0..1000)
        .map(|n| match n {
            0 => first.clone(),
            n => PathBuf::from(format!("{}-{n}", first.display())),
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .ok_or_else(|| io::Error::other("too many unreadable journals moved aside already"))?;
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

/// Rewrites the file with its header, identity and `records` only: a new file, synced,
/// renamed over it. Returns that file, open to append to: the very file now at `path`, so
/// nothing put at the path after the rename is ever written to.
pub(super) fn compact(path: &Path, identity: &str, records: &[Record]) -> io::Result<File> {
    let tmp = path.with_extension("compacting");
    // A leftover (or something planted) at the temporary path goes first: the new file is
    // created, never opened through what was there.
    let _ = std::fs::remove_file(&tmp);
    let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let mut text = format!("{HEADER_PREFIX}{VERSION}\n{}", identity_line(identity));
    for record in records {
        text.push_str(&line(record));
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself must reach the disk; not every platform lets a directory sync.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(file)
}
