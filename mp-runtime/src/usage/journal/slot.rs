//! One journal file per live process. Replicas may share a volume (a shared
//! `persistentVolumeClaim`, one file copied into two pods), and two processes writing one file
//! would send under one identity, so one would be taken for the other's repeat. Each process
//! holds its file with an exclusive lock for as long as it lives; the next process takes the
//! next free file: `<path>`, then `<path>.1`, `<path>.2`, ... in the same directory.
//!
//! The lock is on a sidecar, `<file>.lock`, not on the journal: the journal is compacted by
//! writing a new file and renaming it over the old, and a lock held on the old inode would not
//! hold the new one, so a second process could take the file in between. The sidecar is never
//! renamed nor removed (removing it while another process has it open would let two processes
//! hold "the" lock on two inodes), so the locks outlive the journals: one empty file per slot
//! ever used. The lock is `flock` on Linux: the kernel drops it when the process ends however
//! it ends, so a file that is there and unlocked is a dead process's.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// More processes than this on one journal path is no deployment, and the search stops.
const MAX_SLOTS: usize = 64;

/// A journal file and its lock, held.
pub(crate) struct Slot {
    pub(crate) path: PathBuf,
    /// Held while this lives; released when dropped (or when the process ends).
    _lock: File,
}

/// The slots a starting process takes.
pub(crate) struct Claimed {
    /// Its own: the first free one (with the journal a dead process left in it, if any).
    pub(crate) own: Slot,
    /// The other free slots that hold a journal: left by processes that are gone.
    pub(crate) orphans: Vec<Slot>,
}

/// `<path>` for slot 0, `<path>.<n>` after it.
fn slot_path(path: &Path, n: usize) -> PathBuf {
    if n == 0 {
        return path.to_owned();
    }
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

fn lock_path(slot: &Path) -> PathBuf {
    let mut name = slot.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Takes the slot's lock unless a live process holds it (`None`).
fn try_take(slot: &Path) -> io::Result<Option<Slot>> {
    let lock_path = lock_path(slot);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let lock = options.open(&lock_path).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot open the lock {}: {e}", lock_path.display()),
        )
    })?;
    if !lock.metadata()?.file_type().is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file; it was not used",
            lock_path.display()
        )));
    }
    match lock.try_lock() {
        Ok(()) => Ok(Some(Slot {
            path: slot.to_owned(),
            _lock: lock,
        })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Takes the first free slot of `path` for this process, and every other free slot that holds
/// a journal. Stops at the first slot never used (neither a journal nor a lock there).
pub(crate) fn claim(path: &Path) -> io::Result<Claimed> {
    let mut own = None;
    let mut orphans = Vec::new();
    for n in 0..MAX_SLOTS {
        let slot = slot_path(path, n);
        let used = exists(&slot) || exists(&lock_path(&slot));
        if !used && own.is_some() {
            break;
        }
        let Some(taken) = try_take(&slot)? else {
            continue; // a live process's
        };
        if own.is_none() {
            own = Some(taken);
        } else if exists(&taken.path) {
            orphans.push(taken);
        }
    }
    let own = own.ok_or_else(|| {
        io::Error::other(format!(
            "all {MAX_SLOTS} journal files at {} are held by live processes",
            path.display()
        ))
    })?;
    Ok(Claimed { own, orphans })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_process_s_file_is_never_taken_and_a_dead_one_s_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.journal");
        let first = claim(&path).unwrap();
        assert_eq!(first.own.path, path);
        let second = claim(&path).unwrap();
        assert_eq!(second.own.path, dir.path().join("usage.journal.1"));
        assert!(second.orphans.is_empty());
        std::fs::write(&second.own.path, "x").unwrap();
        drop(second); // it dies, leaving its journal
        let third = claim(&path).unwrap();
        assert_eq!(
            third.own.path,
            dir.path().join("usage.journal.1"),
            "the dead one's"
        );
        drop(first);
        std::fs::write(&path, "x").unwrap();
        drop(third);
        let fourth = claim(&path).unwrap();
        assert_eq!(fourth.own.path, path);
        let orphans: Vec<_> = fourth.orphans.iter().map(|s| s.path.clone()).collect();
        assert_eq!(orphans, [dir.path().join("usage.journal.1")]);
    }

    #[test]
    fn a_planted_lock_that_is_no_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        std::fs::create_dir(dir.path().join("j.lock")).unwrap();
        assert!(claim(&path).is_err());
    }
}
