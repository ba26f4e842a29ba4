//! The optional journal: an append-only file of record states, so usage survives a crash or
//! SIGKILL and the next start (in the same task) sends what is still within the window.
//!
//! Each line is `<checksum> <json record>`; the last line for a (dimension, hour) wins. A
//! record is written when drained (before it is sent, so before the service acknowledged
//! it), again when frozen, and again when sent or given up. A drain writes only what grew
//! (`{"grown": ...}`: the record's new quantity and the new quantities of the tag sets that
//! changed), so a checkpoint writes bytes in proportion to what was metered since the last
//! one, not to how many tag sets the hour holds; reading applies it to the record's last
//! state. On open, a torn or garbage line
//! (a crash mid-write, a disk fault) is skipped with a warning, never a panic; the file is
//! then compacted to the records still worth keeping.
//!
//! A crash leaves at most one torn line: the unterminated end of the file (every line a send
//! depends on was synced before it, and the next start rewrites the file first). Any other
//! damage (a disk fault, an edit) may have taken a record's later states, so its last intact
//! state may be older than what was sent. Then Open records are recovered frozen: if the
//! service answers that it already holds the hour, that counts as delivered instead of moving
//! the older quantity to the next hour and billing it twice (new usage of that hour is billed
//! in the next one).
//!
//! The line after the header names the process identity the records' client tokens were
//! derived from, `<checksum> {"identity":"..."}`: a restart that replays the journal keeps
//! sending under the same tokens, so a record the service already took is answered with
//! the first result instead of billed again.
//!
//! The file starts with a version line, `mp-journal 2` (version 1, and a file without one, as
//! written before the marker existed, are read too: they only lack `grown` lines). A journal of another version is never half-read
//! nor overwritten: it is moved aside to `<path>.unreadable-<unix secs>` with one warning
//! naming both paths, counted in `journal_errors`, and metering goes on with a fresh journal
//! (stopping the product would cost the buyer their service over a file; the moved file keeps
//! its usage for the build that wrote it). A directory path, or a directory where nothing can
//! be written, is an error: the caller meters without a journal and leaves the file untouched,
//! so its records are sent, not lost, once the volume is writable again.
//!
//! # Replicas on one volume
//!
//! Each live process holds a file of its own, locked (`slot`): `<path>`, or the first of
//! `<path>.1`, `<path>.2`, ... that no live process holds. A file that is there and unlocked
//! is a dead process's: the next start takes it as its own (keeping its identity, as a restart
//! does), or, with a file of its own already, takes its records over and removes it
//! (`adopt`).
//!
//! # The file is the buyer's
//!
//! The journal lives on a volume the buyer's task or pod spec provides, so its contents are
//! treated as hostile (`read`, `validate`):
//! - only a regular file is read, opened without following a symlink and without blocking
//!   (a FIFO, a device, a directory or a symlink is refused with one line, counted in
//!   `journal_errors`, and metering goes on without a journal), and at most `MAX_BYTES`;
//! - every record is checked against what this runtime can have written (an hour start, not
//!   after the current hour, or the next one for usage carried forward; quantities,
//!   allocations, tags and dimension names within the Metering Service's rules; a state that
//!   can exist for its quantity and hour). Anything else is ignored, counted in
//!   `journal_rejected`, and summed up in one line.
//!
//! The checksum only finds accidents: it is unkeyed, and a keyed one would not help, since
//! the key would be in the binary the buyer runs. The buyer's strongest move is to delete the
//! file, and that costs the seller exactly what a SIGKILL without a journal costs: the usage
//! counted since the last record was sent. What the checks above guarantee is that no
//! rewrite of the file can buy more than that: no panic, no hang, and no usage pushed to an
//! hour that never comes.

mod adopt;
mod compact;
mod format;
mod recover;
mod slot;
mod validate;

use super::stats::{Counters, STATS};
use crate::notice::operator;
use crate::regular_file::{self, Symlinks};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub(crate) use format::Appended;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use format::checksummed;
#[cfg(test)]
use format::identity_line;
#[cfg(test)]
use format::line;
pub(crate) use recover::Recovered;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use recover::recover;

/// The most a journal may hold. A journal holds a process's record states since it started
/// (compacted at each start), a few hundred bytes a record and checkpoint; a gigabyte is
/// years of that, or a file that was never a journal. Larger files are refused unread.
const MAX_BYTES: u64 = 1 << 30;

pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    /// This process's lock on the file, for as long as it writes there.
    _slot: slot::Slot,
}

impl Journal {
    /// Opens (or creates) this process's journal at `path`, or at the first of `<path>.1`,
    /// `<path>.2`, ... that no live process holds (`slot`), recovering what it holds as of
    /// `now`, and takes over the journals of processes that are gone (`adopt`). The identity
    /// the file names is kept (its process is gone: nothing else sends under it any more); a
    /// journal without one gets `fresh_identity`, and `Recovered::identity` is the one in
    /// force either way.
    pub(crate) fn open(
        path: &Path,
        now: SystemTime,
        fresh_identity: &str,
    ) -> io::Result<(Journal, Recovered)> {
        let slot::Claimed { own, orphans } = slot::claim(path)?;
        let mut recovered = read_one(&own.path, now)?;
        let identity = recovered
            .identity
            .get_or_insert_with(|| fresh_identity.to_owned())
            .clone();
        let orphans = orphans
            .into_iter()
            .filter_map(|slot| read_orphan(slot, now))
            .collect();
        let (taken, left) = adopt::merge(&mut recovered, orphans);
        let file = compact::compact(&own.path, &identity, &recovered.records)?;
        for orphan in taken {
            report_adopted(&orphan.slot.path, &own.path);
        }
        for orphan in left {
            operator!(warn, journal = orphan.slot.path.display();
                "metering journal: {} was left by a process that is gone, with records of the \
                 same hours as another such journal; it is left for the next start to send",
                orphan.slot.path.display()
            );
        }
        Ok((
            Journal {
                path: own.path.clone(),
                file,
                _slot: own,
            },
            recovered,
        ))
    }

    /// Appends the records' new states (or what grew) and waits for the disk.
    pub(crate) fn write<T: Appended>(&mut self, entries: &[T]) -> io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::new();
        for entry in entries {
            buf.extend_from_slice(entry.line().as_bytes());
        }
        self.file.write_all(&buf)?;
        self.file.sync_data()
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads one journal file as of `now`: one of another version is moved aside, records this
/// runtime cannot have written are reported.
fn read_one(path: &Path, now: SystemTime) -> io::Result<Recovered> {
    let mut recovered = match regular_file::open(path, Symlinks::Refuse, MAX_BYTES, "a journal")? {
        Some(file) => recover::recover_from(BufReader::new(file.take(MAX_BYTES)), now)?,
        None => Recovered::default(),
    };
    if let Some(version) = recovered.other_version.take() {
        let aside = compact::move_aside(path, now)?;
        Counters::bump(&STATS.journal_errors);
        tracing::warn!(
            journal = %path.display(),
            moved_to = %aside.display(),
            "metering journal: {} is a version {version:?} journal this build cannot read; \
             moved it to {} untouched and started a fresh journal",
            path.display(),
            aside.display()
        );
    }
    report_rejected(path, &recovered);
    Ok(recovered)
}

/// A dead process's journal, or `None` (reported) if it cannot be read: it is left as it is.
fn read_orphan(slot: slot::Slot, now: SystemTime) -> Option<adopt::Orphan> {
    match read_one(&slot.path, now) {
        Ok(recovered) => Some(adopt::Orphan { slot, recovered }),
        Err(e) => {
            Counters::bump(&STATS.journal_errors);
            operator!(error, journal = slot.path.display();
                "metering journal: cannot read {}, left by a process that is gone ({e}); it is \
                 left as it is (counted in journal_errors)",
                slot.path.display()
            );
            None
        }
    }
}

/// The orphan's records are in this process's journal now: its file goes.
fn report_adopted(orphan: &Path, own: &Path) {
    Counters::bump(&STATS.journals_adopted);
    if let Err(e) = std::fs::remove_file(orphan)
        && e.kind() != io::ErrorKind::NotFound
    {
        Counters::bump(&STATS.journal_errors);
        operator!(error, journal = orphan.display();
            "metering journal: took over {} but cannot remove it ({e}); remove it by hand, or \
             the next start takes its open usage over again",
            orphan.display()
        );
        return;
    }
    operator!(warn, journal = orphan.display();
        "metering journal: took over {}, left by a process that ended without delivering its \
         usage (a crash or a SIGKILL); {} sends it (counted in journals_adopted)",
        orphan.display(),
        own.display()
    );
}

/// One line for every record the checks refused, however many: counted, never billed.
fn report_rejected(path: &Path, recovered: &Recovered) {
    let rejected = recovered.rejected.total();
    if rejected == 0 {
        return;
    }
    Counters::add(&STATS.journal_rejected, rejected as u64);
    operator!(warn, journal = path.display();
        "metering journal: ignored {rejected} record(s) this runtime cannot have written ({}); \
         none of them is billed. Someone or something rewrote the file (counted in \
         journal_rejected)",
        recovered.rejected
    );
}

#[cfg(test)]
mod fuzz;

#[cfg(test)]
mod tests;
