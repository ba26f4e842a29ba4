//! Opening the journal without trusting what the path names: only a regular file is read,
//! never through a symlink, never blocking on a FIFO or a device, and never more than
//! `MAX_BYTES` of it.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// The most a journal may hold. A journal holds a process's record states since it started
/// (compacted at each start), a few hundred bytes a record and checkpoint; a gigabyte is
/// years of that, or a file that was never a journal. Larger files are refused unread.
pub(crate) const MAX_BYTES: u64 = 1 << 30;

/// Opens `path` for reading if it is a regular file; `None` if nothing is there. The checks
/// are made on the opened handle, so a file swapped in between a check and the open cannot
/// pass.
pub(crate) fn open_regular(path: &Path) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading without O_NONBLOCK waits for a writer for ever.
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(refused(path, "a symbolic link"));
        }
        Err(e) => return Err(e),
    };
    let metadata = file.metadata()?;
    if !metadata.file_type().is_file() {
        return Err(refused(path, kind(&metadata)));
    }
    if metadata.len() > MAX_BYTES {
        return Err(io::Error::other(format!(
            "{} is {} bytes, more than the {MAX_BYTES} a journal can hold; it was not read and \
             is left as it is",
            path.display(),
            metadata.len()
        )));
    }
    Ok(Some(file))
}

fn refused(path: &Path, what: &str) -> io::Error {
    io::Error::other(format!(
        "{} is {what}, not a regular file; it was not read",
        path.display()
    ))
}

fn kind(metadata: &std::fs::Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a directory";
    }
    if file_type.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "something else"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("j");
        std::fs::write(&file, "x").unwrap();
        assert!(open_regular(&file).unwrap().is_some());
        assert!(open_regular(&dir.path().join("none")).unwrap().is_none());
        let refused = |path: &Path| open_regular(path).unwrap_err().to_string();
        assert!(refused(dir.path()).contains("is a directory"));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(
            refused(&link).contains("is a symbolic link"),
            "{}",
            refused(&link)
        );
        assert!(refused(Path::new("/dev/null")).contains("is a device"));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(
            refused(&fifo).contains("is a FIFO"),
            "no writer, yet no wait"
        );
    }

    #[test]
    fn a_file_larger_than_a_journal_can_be_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let file = File::create(&path).unwrap();
        file.set_len(MAX_BYTES + 1).unwrap(); // sparse: nothing is written
        let why = open_regular(&path).unwrap_err().to_string();
        assert!(why.contains("more than the 1073741824"), "{why}");
    }
}
