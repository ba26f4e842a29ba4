//! Building and running the example images with podman, for `images.rs`.
//!
//! Every podman call carries the flags this kind of machine needs (runc rather than crun,
//! cgroupfs, and explicit rlimits on build and run); elsewhere they are harmless. The images
//! build from the examples' Dockerfiles, unchanged, with the repository root as the context,
//! as the deploy docs tell a seller to; the base images they name must exist locally
//! (`.ci/base-images` makes stand-ins where no registry can be reached).

// Shared by the image suites, each of which uses part of it.
#![allow(dead_code)]

use crate::deploy_support::root;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// podman's global flags: crun refuses hybrid cgroups, and there may be no systemd.
pub(crate) const GLOBAL_FLAGS: [&str; 4] = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];
/// The default rlimits are refused on such machines; these are enough for the services.
pub(crate) const ULIMITS: [&str; 4] = [
    "--ulimit",
    "nofile=1024:1024",
    "--ulimit",
    "nproc=1024:1024",
];
/// The base images the Dockerfiles name, as podman spells them.
pub(crate) const BASE_IMAGES: [&str; 2] = [
    "docker.io/library/rust:1.95-slim-bookworm",
    "gcr.io/distroless/cc-debian12:nonroot",
];
/// Guards against a hung container only; a healthy one is far below.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// `podman <GLOBAL_FLAGS> <args>`.
pub(crate) fn podman(args: &[&str]) -> Command {
    let mut command = Command::new("podman");
    command.args(GLOBAL_FLAGS).args(args);
    command
}

/// Runs `podman args` to completion, printing the command line first.
pub(crate) fn podman_output(args: &[&str]) -> Output {
    println!("$ podman {}", args.join(" "));
    podman(args).output().expect("running podman")
}

/// Whether the image tests can run here. Prints why not and returns false, or panics under
/// `MP_REQUIRE_PODMAN=1` (set by `.ci/run`, which installs podman and the base images).
pub(crate) fn podman_or_skip() -> bool {
    let Err(why) = podman_available() else {
        return true;
    };
    let message = format!("the image tests need podman and the base images: {why}");
    if std::env::var("MP_REQUIRE_PODMAN").as_deref() == Ok("1") {
        panic!("{message} (MP_REQUIRE_PODMAN=1)");
    }
    // Straight to the process's stderr: the harness captures eprintln! of passing tests.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
    false
}

fn podman_available() -> Result<(), String> {
    let version = podman(&["version", "--format", "{{.Client.Version}}"])
        .output()
        .map_err(|e| format!("cannot run podman ({e}); apt-get install -y podman runc"))?;
    if !version.status.success() {
        return Err(format!(
            "`podman version` failed: {}",
            String::from_utf8_lossy(&version.stderr).trim()
        ));
    }
    for image in BASE_IMAGES {
        let exists = podman(&["image", "exists", image])
            .status()
            .map_err(|e| format!("podman image exists: {e}"))?;
        if !exists.success() {
            return Err(format!(
                "{image} is not in local storage; with a registry, pull it, without one run \
                 .ci/base-images (builds local stand-ins)"
            ));
        }
    }
    Ok(())
}

/// Which image a Dockerfile builds: the default, or `--build-arg FEATURES=local-testing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Variant {
    Production,
    LocalTesting,
}

impl Variant {
    /// The image tag's version part, and the `FEATURES` build argument.
    fn tag(self) -> &'static str {
        match self {
            Variant::Production => "production",
            Variant::LocalTesting => "local-testing",
        }
    }

    fn features(self) -> &'static str {
        match self {
            Variant::Production => "",
            Variant::LocalTesting => "local-testing",
        }
    }
}

/// Images built by this process, so each is built once whichever test needs it first.
static BUILT: Mutex<BTreeMap<(String, Variant), String>> = Mutex::new(BTreeMap::new());

/// The image `package:variant`, built from `examples/<package>/Dockerfile` with the
/// repository root as the context. One build at a time (they share the cargo caches).
pub(crate) fn image(package: &str, variant: Variant) -> String {
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(tag) = built.get(&(package.to_owned(), variant)) {
        return tag.clone();
    }
    let tag = format!("localhost/{package}:{}", variant.tag());
    let dockerfile = format!("examples/{package}/Dockerfile");
    build(&root(), Some(&dockerfile), &tag, variant.features());
    built.insert((package.to_owned(), variant), tag.clone());
    tag
}

/// `podman build` of `context` (with `-f dockerfile` when given) tagged `tag`, with
/// `FEATURES=features`; waits for any build this process runs.
pub(crate) fn build(context: &Path, dockerfile: Option<&str>, tag: &str, features: &str) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let features = format!("FEATURES={features}");
    let mut args = vec!["build"];
    args.extend(ULIMITS);
    // Docker's image format keeps HEALTHCHECK (OCI's has no such field); the build stage
    // downloads crates, so it uses the host's network rather than a bridge; no intermediate
    // images are kept (the cargo caches are what makes a rebuild fast).
    args.extend([
        "--layers=false",
        "--format",
        "docker",
        "--network",
        "host",
        "--build-arg",
        &features,
    ]);
    if let Some(dockerfile) = dockerfile {
        args.extend(["-f", dockerfile]);
    }
    args.extend(["-t", tag, "."]);
    let replaced = podman(&["image", "inspect", "--format", "{{.Id}}", tag])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    println!("$ podman {}   (in {})", args.join(" "), context.display());
    let started = Instant::now();
    let status = podman(&args)
        .current_dir(context)
        .stdout(Stdio::null())
        .status()
        .expect("running podman build");
    assert!(status.success(), "podman build of {tag}: {status}");
    println!(
        "built {tag} in {:.1} s: {}",
        started.elapsed().as_secs_f64(),
        size_line(tag)
    );
    // The previous build of the tag, now untagged; kept if a container still uses it.
    if let Some(id) = replaced {
        let _ = podman(&["image", "rm", &id]).output();
    }
}

/// `podman image inspect --format <format> image`, trimmed.
pub(crate) fn inspect(image: &str, format: &str) -> String {
    let out = podman(&["image", "inspect", "--format", format, image])
        .output()
        .expect("podman image inspect");
    assert!(out.status.success(), "podman image inspect {image}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The image's size in bytes, as podman reports it (uncompressed).
pub(crate) fn size_bytes(image: &str) -> u64 {
    inspect(image, "{{.Size}}").parse().expect("image size")
}

/// "`image`: N MB (base B MB, x R)": the image against the runtime base image.
pub(crate) fn size_line(image: &str) -> String {
    let mb = |bytes: u64| bytes as f64 / 1e6;
    let (size, base) = (size_bytes(image), size_bytes(BASE_IMAGES[1]));
    format!(
        "{:.1} MB, its base {} {:.1} MB (x{:.2})",
        mb(size),
        BASE_IMAGES[1],
        mb(base),
        size as f64 / base as f64
    )
}

/// The image's file system, mounted read-only on the host until the guard drops.
pub(crate) struct MountedImage {
    image: String,
    pub path: PathBuf,
}

impl MountedImage {
    pub(crate) fn new(image: &str) -> MountedImage {
        let out = podman(&["image", "mount", image])
            .output()
            .expect("podman image mount");
        assert!(
            out.status.success(),
            "podman image mount {image}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        MountedImage {
            image: image.to_owned(),
            path: PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
        }
    }
}

impl Drop for MountedImage {
    fn drop(&mut self) {
        let _ = podman(&["image", "unmount", &self.image]).output();
    }
}

static CONTAINERS: AtomicUsize = AtomicUsize::new(0);

/// A container started with `podman run` (attached), removed when dropped.
pub(crate) struct Container {
    pub name: String,
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Container {
    /// `podman run --name <unique> <ULIMITS> <options> image`, stdout and stderr captured.
    pub(crate) fn run(image: &str, options: &[String]) -> Container {
        Self::run_with_args(image, options, &[])
    }

    /// The same, with `args` after the image (its command, or its entrypoint's arguments).
    pub(crate) fn run_with_args(image: &str, options: &[String], command: &[&str]) -> Container {
        let name = format!(
            "mp-tests-{}-{}",
            std::process::id(),
            CONTAINERS.fetch_add(1, Ordering::SeqCst)
        );
        let mut args: Vec<&str> = vec!["run", "--name", &name];
        args.extend(ULIMITS);
        args.extend(options.iter().map(String::as_str));
        args.push(image);
        args.extend(command);
        println!("$ podman {}", args.join(" "));
        let mut child = podman(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("podman run");
        let (tx, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut err = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            text
        });
        Container {
            name,
            child,
            stdout,
            stderr: Some(stderr),
        }
    }

    /// The container's next stdout line; `None` once it exited without one.
    pub(crate) fn next_line(&self) -> Option<String> {
        self.stdout.recv_timeout(HANG_GUARD).ok()
    }

    /// `podman exec <container> <command>`.
    pub(crate) fn exec(&self, command: &[&str]) -> Output {
        let mut args = vec!["exec", self.name.as_str()];
        args.extend(command);
        podman_output(&args)
    }

    /// Waits for the container to exit by itself; its status and stderr.
    pub(crate) fn wait(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("podman run");
        (status, self.stderr_text())
    }

    /// `podman stop --time <secs>` (the image's STOPSIGNAL, then SIGKILL after `secs`);
    /// the exit status, the rest of stdout and all of stderr.
    pub(crate) fn stop(mut self, secs: u64) -> (ExitStatus, Vec<String>, String) {
        let out = podman_output(&["stop", "--time", &secs.to_string(), &self.name]);
        assert!(
            out.status.success(),
            "podman stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status = self.child.wait().expect("podman run");
        let rest = self.stdout.try_iter().collect();
        (status, rest, self.stderr_text())
    }

    /// All of the container's stderr (the reader ends once `podman run`, and so the pipe,
    /// closed), without podman's own log lines: without systemd it logs that it cannot time
    /// the image's HEALTHCHECK (`time="..." level=error msg="unable to get systemd ..."`).
    fn stderr_text(&mut self) -> String {
        let text = self
            .stderr
            .take()
            .map(|reader| reader.join().unwrap_or_default())
            .unwrap_or_default();
        text.lines()
            .filter(|l| !(l.starts_with("time=\"") && l.contains(" level=")))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = podman(&["rm", "--force", "--time", "0", &self.name]).output();
        let _ = self.child.wait();
    }
}
