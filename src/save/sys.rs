//! What saving asks of the operating system beyond std: file modes and owners, whether
//! the mode bits let this process write a file, and opening a FIFO or device without
//! blocking. Elsewhere than Unix these do nothing (or say "regular, writable").

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// A named pipe.
    Fifo,
    /// A character device (a terminal, `/dev/null`).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A Unix socket.
    Socket,
    /// A directory.
    Directory,
    /// Anything else.
    Other,
}

impl Special {
    /// With its article, for messages: "a FIFO", "a directory".
    pub fn describe(self) -> &'static str {
        match self {
            Special::Fifo => "a FIFO",
            Special::CharDevice => "a character device",
            Special::BlockDevice => "a block device",
            Special::Socket => "a socket",
            Special::Directory => "a directory",
            Special::Other => "not a file",
        }
    }

    /// What `meta` describes, when it is not a regular file.
    pub fn of(meta: &Metadata) -> Option<Special> {
        let t = meta.file_type();
        if t.is_file() {
            return None;
        }
        if t.is_dir() {
            return Some(Special::Directory);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Some(Special::Fifo);
            }
            if t.is_char_device() {
                return Some(Special::CharDevice);
            }
            if t.is_block_device() {
                return Some(Special::BlockDevice);
            }
            if t.is_socket() {
                return Some(Special::Socket);
            }
        }
        Some(Special::Other)
    }
}

/// Whether the mode bits of `meta` deny this process writing: the owner's bits when
/// the file is ours, the group's when we are in its group, else the others'. For root,
/// whom the kernel lets write anything, a file no one may write (0444) counts as
/// read-only all the same: the mode says the file is not meant to change.
#[cfg(unix)]
pub fn read_only(meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode();
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if me == 0 {
        return mode & 0o222 == 0;
    }
    if meta.uid() == me {
        return mode & 0o200 == 0;
    }
    if in_group(meta.gid()) {
        return mode & 0o020 == 0;
    }
    mode & 0o002 == 0
}

#[cfg(not(unix))]
pub fn read_only(meta: &Metadata) -> bool {
    meta.permissions().readonly()
}

/// Whether this process is in group `gid` (effective or supplementary).
#[cfg(unix)]
fn in_group(gid: u32) -> bool {
    // SAFETY: getegid has no preconditions; getgroups writes at most `n` entries into a
    // buffer of `n`, and with 0 only returns the count.
    unsafe {
        if libc::getegid() == gid {
            return true;
        }
        let n = libc::getgroups(0, std::ptr::null_mut());
        if n <= 0 {
            return false;
        }
        let mut groups = vec![0 as libc::gid_t; n as usize];
        let got = libc::getgroups(n, groups.as_mut_ptr());
        got > 0 && groups[..got as usize].contains(&gid)
    }
}

/// The mode bits of `meta` to give a file that replaces it (permissions, set-id and
/// sticky bits).
#[cfg(unix)]
pub fn mode_of(meta: &Metadata) -> u32 {
    use std::os::unix::fs::MetadataExt;
    meta.mode() & 0o7777
}

#[cfg(not(unix))]
pub fn mode_of(_meta: &Metadata) -> u32 {
    0
}

/// Sets the mode of the open file `f`.
#[cfg(unix)]
pub fn set_mode(f: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub fn set_mode(_f: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Gives the open file `f` the owner and group of `old` where this process may: root
/// sets both, others only a group they are in. Refusals are not errors: the file is
/// still saved, owned by whoever saved it, as any editor does.
#[cfg(unix)]
pub fn copy_owner(f: &File, old: &Metadata) {
    use std::os::unix::fs::MetadataExt;
    let Ok(now) = f.metadata() else {
        return;
    };
    if now.uid() != old.uid() {
        let _ = std::os::unix::fs::fchown(f, Some(old.uid()), Some(old.gid()));
    } else if now.gid() != old.gid() {
        let _ = std::os::unix::fs::fchown(f, None, Some(old.gid()));
    }
}

#[cfg(not(unix))]
pub fn copy_owner(_f: &File, _old: &Metadata) {}

/// Opens the special file `path` (a FIFO, a device) for writing, in place. A FIFO
/// with no process reading it fails at once ("No such device or address") rather than
/// blocking; once open, writes block as usual so a slow reader gets everything.
#[cfg(unix)]
pub fn open_special(path: &Path) -> io::Result<File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    // SAFETY: fcntl on a descriptor we own, with flags it gave us.
    unsafe {
        let fd = f.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(f)
}

#[cfg(not(unix))]
pub fn open_special(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new().write(true).open(path)
}

/// Flushes the directory `dir` to disk, so a rename in it survives a crash. Not every
/// file system can; that is not an error of the save.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
