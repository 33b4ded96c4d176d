//! Every way a save can go: asked, written, failed. Failures root cannot meet (a
//! read-only directory) run this test binary again as `nobody` (`setpriv`); a full
//! disk is a small tmpfs mounted in a private mount namespace (`unshare -m`). Where
//! neither is possible the test says so and skips.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::time::{Duration, SystemTime};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().mode() & 0o7777
}

fn chmod(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn saved(r: Result<Outcome, SaveError>) -> Fingerprint {
    match r {
        Ok(Outcome::Saved(f)) => f,
        other => panic!("expected a save, got {other:?}"),
    }
}

fn asked(r: Result<Outcome, SaveError>) -> Refusal {
    match r {
        Ok(Outcome::Ask(why)) => why,
        other => panic!("expected a question, got {other:?}"),
    }
}

fn failed(r: Result<Outcome, SaveError>) -> String {
    match r {
        Err(e) => e.to_string(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

const NONE: Allow = Allow {
    changed: false,
    exists: false,
    read_only: false,
    not_regular: false,
};

#[test]
fn a_new_file_gets_the_usual_mode_for_the_umask_not_0600() {
    let dir = tempfile::tempdir().unwrap();
    // What the system gives a new file (0666 less the umask), as any program's.
    let probe = dir.path().join("probe");
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o666)
        .open(&probe)
        .unwrap();
    let usual = mode(&probe);
    let file = dir.path().join("new.json");
    let fp = saved(save(&file, b"{}\n", Expect::Absent, NONE));
    assert_eq!(mode(&file), usual);
    assert_eq!(std::fs::read(&file).unwrap(), b"{}\n");
    assert_eq!(fp, Fingerprint::of_file(&file).unwrap());
    assert_eq!(
        names(dir.path()),
        ["new.json", "probe"],
        "no temporary file left"
    );
}

#[test]
fn an_existing_file_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    for m in [0o644, 0o640, 0o600, 0o755, 0o664] {
        let file = dir.path().join(format!("f{m:o}.json"));
        std::fs::write(&file, "old").unwrap();
        chmod(&file, m);
        let seen = Fingerprint::of_file(&file).unwrap();
        saved(save(&file, b"new", Expect::Unchanged(&seen), NONE));
        assert_eq!(mode(&file), m, "mode {m:o}");
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
    }
    assert_eq!(names(dir.path()).len(), 5, "no temporary file left");
}

#[test]
fn an_existing_file_keeps_its_owner_and_group_where_root_can_set_them() {
    if !is_root() {
        eprintln!("SKIPPED owner test: only root can give a file to another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("theirs.json");
    std::fs::write(&file, "old").unwrap();
    chmod(&file, 0o644);
    std::os::unix::fs::chown(&file, Some(65534), Some(65534)).unwrap();
    let seen = Fingerprint::of_file(&file).unwrap();
    saved(save(&file, b"new", Expect::Unchanged(&seen), NONE));
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    assert_eq!(meta.mode() & 0o7777, 0o644);
}

#[test]
fn a_symlink_is_saved_through_to_its_target_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("target.json");
    std::fs::write(&target, "old").unwrap();
    chmod(&target, 0o640);
    // Absolute, relative, and a chain of two.
    let abs = dir.path().join("abs.json");
    symlink(&target, &abs).unwrap();
    let rel = dir.path().join("rel.json");
    symlink("real/target.json", &rel).unwrap();
    let chain = dir.path().join("chain.json");
    symlink("rel.json", &chain).unwrap();
    for (link, points_to) in [
        (&abs, target.clone()),
        (&rel, PathBuf::from("real/target.json")),
        (&chain, PathBuf::from("rel.json")),
    ] {
        let text = format!("through {}", link.display());
        let seen = Fingerprint::of_file(link).unwrap();
        saved(save(link, text.as_bytes(), Expect::Unchanged(&seen), NONE));
        let meta = std::fs::symlink_metadata(link).unwrap();
        assert!(meta.file_type().is_symlink(), "{link:?} is still a link");
        assert_eq!(std::fs::read_link(link).unwrap(), points_to);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), text);
        assert_eq!(mode(&target), 0o640);
    }
    assert_eq!(
        names(&real),
        ["target.json"],
        "the temporary file was beside the target"
    );
    // A link to a file not there yet creates it.
    let dangling = dir.path().join("dangling.json");
    symlink("real/later.json", &dangling).unwrap();
    saved(save(&dangling, b"x", Expect::Absent, NONE));
    assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
    assert_eq!(std::fs::read(real.join("later.json")).unwrap(), b"x");
    // A loop of links is an error, not a replaced link.
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    symlink("b.json", &a).unwrap();
    symlink("a.json", &b).unwrap();
    let message = failed(save(&a, b"x", Expect::Anything, NONE));
    assert!(message.contains("symbolic links"), "{message}");
    assert!(std::fs::symlink_metadata(&a).unwrap().is_symlink());
}

#[test]
fn a_file_changed_on_disk_is_asked_about_then_overwritten_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(&file, "as opened").unwrap();
    let seen = Fingerprint::of_file(&file).unwrap();
    // Touched only, or written again with the same bytes: not a change.
    let f = std::fs::File::options().write(true).open(&file).unwrap();
    f.set_modified(SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(f);
    assert!(!seen.changed(&file));
    // Same size, other bytes: a change.
    std::fs::write(&file, "as Opened").unwrap();
    assert!(seen.changed(&file));
    assert_eq!(
        asked(save(&file, b"mine", Expect::Unchanged(&seen), NONE)),
        Refusal::Changed
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"as Opened",
        "nothing written"
    );
    // Another size: a change too.
    std::fs::write(&file, "longer than before").unwrap();
    assert_eq!(
        asked(save(&file, b"mine", Expect::Unchanged(&seen), NONE)),
        Refusal::Changed
    );
    let allow = NONE.with(Refusal::Changed);
    let now = saved(save(&file, b"mine", Expect::Unchanged(&seen), allow));
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    // The new fingerprint is what the next save compares with.
    assert!(!now.changed(&file));
    saved(save(&file, b"mine again", Expect::Unchanged(&now), NONE));
    // A file deleted meanwhile is written again without asking: nothing is lost.
    let gone = Fingerprint::of_file(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    saved(save(&file, b"back", Expect::Unchanged(&gone), NONE));
}

#[test]
fn a_read_only_file_is_asked_about_and_keeps_its_mode() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ro.json");
    std::fs::write(&file, "old").unwrap();
    chmod(&file, 0o444);
    let seen = Fingerprint::of_file(&file).unwrap();
    assert_eq!(
        asked(save(&file, b"new", Expect::Unchanged(&seen), NONE)),
        Refusal::ReadOnly
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"old");
    let allow = NONE.with(Refusal::ReadOnly);
    saved(save(&file, b"new", Expect::Unchanged(&seen), allow));
    assert_eq!(std::fs::read(&file).unwrap(), b"new");
    assert_eq!(mode(&file), 0o444);
}

#[test]
fn save_as_onto_an_existing_file_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("there.json");
    std::fs::write(&file, "theirs").unwrap();
    assert_eq!(
        asked(save(&file, b"mine", Expect::Absent, NONE)),
        Refusal::Exists
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"theirs");
    saved(save(
        &file,
        b"mine",
        Expect::Absent,
        NONE.with(Refusal::Exists),
    ));
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
}

#[test]
fn a_fifo_is_asked_about_and_written_in_place_only_when_allowed() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string and a mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let is_fifo = |p: &Path| {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(p).unwrap().file_type().is_fifo()
    };
    let why = asked(save(&fifo, b"x", Expect::Anything, NONE));
    assert_eq!(why, Refusal::NotRegular(Special::Fifo));
    assert_eq!(Special::Fifo.describe(), "a FIFO");
    // Nothing reads it: an error at once, not a hang, and it stays a FIFO.
    let allow = NONE.with(why);
    let message = failed(save(&fifo, b"x", Expect::Anything, allow));
    assert!(message.contains("No such device or address"), "{message}");
    assert!(is_fifo(&fifo));
    // A reader (read and write, so its open does not wait for us): the bytes go to it.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    saved(save(&fifo, b"through the pipe", Expect::Anything, allow));
    let mut got = [0u8; 16];
    reader.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"through the pipe");
    assert!(is_fifo(&fifo));
    assert_eq!(names(dir.path()), ["pipe.json"], "no temporary file left");
    // Fingerprinting it does not read (and so does not block).
    assert!(Fingerprint::of_file(&fifo).is_err());
}

#[test]
fn a_directory_or_a_device_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub.json");
    std::fs::create_dir(&sub).unwrap();
    let why = asked(save(&sub, b"x", Expect::Anything, NONE));
    assert_eq!(why, Refusal::NotRegular(Special::Directory));
    let message = failed(save(&sub, b"x", Expect::Anything, NONE.with(why)));
    assert!(message.contains("sub.json"), "{message}");
    assert!(sub.is_dir());
    let null = Path::new("/dev/null");
    if null.exists() {
        let why = asked(save(null, b"x", Expect::Anything, NONE));
        assert_eq!(why, Refusal::NotRegular(Special::CharDevice));
        saved(save(null, b"x", Expect::Anything, NONE.with(why)));
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }
}

#[test]
fn a_missing_parent_or_a_parent_that_is_a_file_fails_with_the_path_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing").join("s.json");
    let message = failed(save(&missing, b"x", Expect::Absent, NONE));
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.contains("No such file or directory"), "{message}");
    // A parent that is a regular file: fails even for root.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "untouched").unwrap();
    let under = plain.join("s.json");
    let message = failed(save(&under, b"x", Expect::Absent, NONE));
    assert!(message.contains(&under.display().to_string()), "{message}");
    assert!(message.contains("Not a directory"), "{message}");
    assert_eq!(std::fs::read(&plain).unwrap(), b"untouched");
    assert_eq!(names(dir.path()), ["plain"], "no temporary file left");
    // `save_atomic` says the same.
    let e = save_atomic(&under, "x").unwrap_err();
    assert!(e.to_string().contains("Not a directory"), "{e}");
}

/// A read-only directory: the save fails, says so, and the old file is intact. Needs a
/// user the directory's mode applies to (not root): run by
/// [`a_read_only_directory_fails_and_keeps_the_old_file`].
fn read_only_directory_case() {
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let file = locked.join("s.json");
    std::fs::write(&file, "old bytes\n").unwrap();
    let seen = Fingerprint::of_file(&file).unwrap();
    chmod(&locked, 0o555);
    let result = save(&file, b"new", Expect::Unchanged(&seen), NONE);
    chmod(&locked, 0o755);
    let message = failed(result);
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("Permission denied"), "{message}");
    assert_eq!(std::fs::read(&file).unwrap(), b"old bytes\n");
    assert_eq!(names(&locked), ["s.json"]);
}

#[test]
#[ignore = "run as an unprivileged user by a_read_only_directory_fails_and_keeps_the_old_file"]
fn read_only_directory_as_this_user() {
    assert!(
        !is_root(),
        "run as an unprivileged user (see the test that runs it)"
    );
    read_only_directory_case();
}

/// Runs the ignored test `name` of this test binary again under `wrapper` (a command
/// and its arguments), with `env`. `None` (after saying why) when it could not be run
/// at all; panics when it ran and failed.
fn run_again(wrapper: &[&str], name: &str, env: &[(&str, &str)]) -> Option<()> {
    // A copy anyone may run: the build directory may be private to its owner (a
    // checkout under /root), and `nobody` could not run the binary there.
    let copy = tempfile::tempdir().ok()?;
    chmod(copy.path(), 0o755);
    let exe = copy.path().join("tests");
    std::fs::copy(std::env::current_exe().ok()?, &exe).ok()?;
    chmod(&exe, 0o755);
    let mut cmd = std::process::Command::new(wrapper[0]);
    cmd.args(&wrapper[1..])
        .arg(&exe)
        .args(["--ignored", "--exact", &format!("save::tests::{name}")])
        .args(["--test-threads", "1", "--nocapture"])
        .env("TMPDIR", "/tmp");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            eprintln!("SKIPPED {name}: cannot run {}: {e}", wrapper[0]);
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stdout.contains("running 1 test") {
        eprintln!(
            "SKIPPED {name}: {} could not run the test binary: {}",
            wrapper[0],
            stderr.trim()
        );
        return None;
    }
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} under {wrapper:?} failed:\n{stdout}\n{stderr}"
    );
    Some(())
}

#[test]
fn a_read_only_directory_fails_and_keeps_the_old_file() {
    if !is_root() {
        read_only_directory_case();
        return;
    }
    // Root writes into any directory: run the case as `nobody`.
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    if run_again(&nobody, "read_only_directory_as_this_user", &[]).is_none() {
        eprintln!(
            "SKIPPED a_read_only_directory_fails_and_keeps_the_old_file: running as root \
             and `setpriv` (util-linux) could not run this test as nobody"
        );
    }
}

#[test]
#[ignore = "run on a small tmpfs by a_full_disk_fails_and_keeps_the_old_file"]
fn full_disk_in_iamtrace_full_dir() {
    let Some(dir) = std::env::var_os("IAMTRACE_FULL_DIR") else {
        panic!("IAMTRACE_FULL_DIR names a small file system (see the test that runs this)");
    };
    let file = Path::new(&dir).join("s.json");
    std::fs::write(&file, "old bytes\n").unwrap();
    let seen = Fingerprint::of_file(&file).unwrap();
    // Far more than the file system holds.
    let big = vec![b'x'; 1 << 20];
    let message = failed(save(&file, &big, Expect::Unchanged(&seen), NONE));
    assert!(message.contains(&file.display().to_string()), "{message}");
    assert!(message.contains("No space left on device"), "{message}");
    assert_eq!(std::fs::read(&file).unwrap(), b"old bytes\n");
    assert_eq!(
        names(Path::new(&dir)),
        ["s.json"],
        "the temporary file is removed"
    );
}

#[test]
fn a_full_disk_fails_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().display().to_string();
    // A private mount namespace: the tmpfs goes away with the process.
    let script = format!("mount -t tmpfs -o size=64k tmpfs '{mount}' && exec \"$0\" \"$@\"");
    let wrapper = ["unshare", "-m", "sh", "-c", script.as_str()];
    if run_again(
        &wrapper,
        "full_disk_in_iamtrace_full_dir",
        &[("IAMTRACE_FULL_DIR", &mount)],
    )
    .is_none()
    {
        eprintln!(
            "SKIPPED a_full_disk_fails_and_keeps_the_old_file: no small tmpfs could be \
             mounted (`unshare -m` and `mount` need root)"
        );
    }
}

#[test]
fn stale_temporary_files_are_the_old_ones_named_for_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("s.json");
    let make = |name: &str, age: u64| {
        let p = dir.path().join(name);
        let f = std::fs::File::create(&p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(age))
            .unwrap();
        p
    };
    let old = make(".iamtrace-s.json.Ab12Cd.tmp", 3600);
    make(".iamtrace-s.json.Xy34Zw.tmp", 0); // a save in progress
    make(".iamtrace-other.json.Ab12Cd.tmp", 3600); // another file's
    make(".iamtrace-s.json.Ab12Cd.tmp.bak", 3600);
    make("s.json", 3600);
    let stale = stale_temp_files(&target, Duration::from_secs(60));
    assert_eq!(stale, std::slice::from_ref(&old));
    // A save uses that naming and leaves nothing behind.
    save_atomic(&target, "{}\n").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}\n");
    assert_eq!(stale_temp_files(&target, Duration::ZERO).len(), 2);
    // Through a link, they are looked for beside the link's target.
    let other = tempfile::tempdir().unwrap();
    let link = other.path().join("s.json");
    symlink(&target, &link).unwrap();
    assert_eq!(stale_temp_files(&link, Duration::from_secs(60)), [old]);
}

#[test]
fn drafts_are_named_beside_the_file_and_offered_only_when_newer() {
    use super::draft::{draft_path, newer_draft};
    assert_eq!(
        draft_path(Path::new("/w/s.json")),
        Some(PathBuf::from("/w/s.draft.json"))
    );
    assert_eq!(
        draft_path(Path::new("notes")),
        Some(PathBuf::from("notes.draft.json"))
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let draft = dir.path().join("s.draft.json");
    let at = |p: &Path, secs_ago: u64| {
        let f = std::fs::File::options().write(true).open(p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(secs_ago))
            .unwrap();
    };
    std::fs::write(&file, "file").unwrap();
    assert_eq!(newer_draft(&file), None, "no draft");
    std::fs::write(&draft, "draft").unwrap();
    at(&file, 100);
    at(&draft, 10);
    assert_eq!(newer_draft(&file), Some(draft.clone()));
    at(&draft, 200);
    assert_eq!(newer_draft(&file), None, "older than the file");
    std::fs::remove_file(&file).unwrap();
    assert_eq!(newer_draft(&file), Some(draft.clone()), "the file is gone");
    if is_root() {
        std::os::unix::fs::chown(&draft, Some(65534), None).unwrap();
        assert_eq!(newer_draft(&file), None, "another user's draft");
    }
}
