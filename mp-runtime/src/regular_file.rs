//! Opening a file whose path the buyer controls (a volume, a mounted secret) without trusting
//! what the path names: only a regular file is read, never blocking on a FIFO or a device,
//! never more than the caller's limit, and through a symbolic link only where the caller
//! allows one.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Whether the path's last component may be a symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Symlinks {
    /// A file the process itself writes (the journal): a link there was planted.
    Refuse,
    /// A mounted secret: Kubernetes mounts each key as a link into the volume's current data.
    #[cfg(feature = "contract")]
    Follow,
}

/// Opens `path` for reading if it is a regular file of at most `max_bytes`; `None` if
/// nothing is there. `what` names the file in errors. The checks are made on the opened
/// handle, so a file swapped in between a check and the open cannot pass.
pub(crate) fn open(
    path: &Path,
    symlinks: Symlinks,
    max_bytes: u64,
    what: &str,
) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading without O_NONBLOCK waits for a writer for ever.
        let no_follow = match symlinks {
            Symlinks::Refuse => libc::O_NOFOLLOW,
            #[cfg(feature = "contract")]
            Symlinks::Follow => 0,
        };
        options.custom_flags(no_follow | libc::O_NONBLOCK | libc::O_CLOEXEC);
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
    if metadata.len() > max_bytes {
        return Err(io::Error::other(format!(
            "{} is {} bytes, more than the {max_bytes} {what} can hold; it was not read and \
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

    const MAX_BYTES: u64 = 1 << 30;

    fn open_regular(path: &Path) -> io::Result<Option<File>> {
        open(path, Symlinks::Refuse, MAX_BYTES, "a journal")
    }

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

    #[cfg(feature = "contract")]
    #[test]
    fn a_mounted_secret_is_read_through_its_link_but_never_a_fifo_behind_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data");
        std::fs::write(&file, "x").unwrap();
        let link = dir.path().join("token");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(
            open(&link, Symlinks::Follow, 10, "a token")
                .unwrap()
                .is_some()
        );
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let to_fifo = dir.path().join("to-fifo");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        let why = open(&to_fifo, Symlinks::Follow, 10, "a token").unwrap_err();
        assert!(why.to_string().contains("is a FIFO"), "{why}");
        let why = open(&file, Symlinks::Follow, 0, "a token").unwrap_err();
        assert!(
            why.to_string().contains("more than the 0 a token can hold"),
            "{why}"
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
