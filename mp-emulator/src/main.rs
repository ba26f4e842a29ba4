//! `mp-emulator`: serve the emulator, print the environment that points a process at it, run
//! a command under it, or print the public key that verifies its tokens.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
