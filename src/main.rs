//! The `iamtrace` command: with no subcommand it opens the TUI on a scenario (the
//! built-in Client VPN one by default; on a pipe it prints the trace instead); `eval`
//! evaluates scenario files for people and scripts.

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Shows why AWS would allow or deny a request under a set of IAM policies.
#[derive(Parser)]
#[command(name = "iamtrace", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// A scenario file or a bare policy document to open, or - for standard input
    /// (default: the built-in Client VPN scenario).
    file: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate scenario files and print each request's decision and trace.
    Eval {
        /// Scenario files, or directories searched recursively for *.json.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Only these requests (by name or 1-based position); repeatable.
        #[arg(long = "request", value_name = "NAME|N")]
        requests: Vec<String>,
    },
}

/// How `eval` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A decision and an indented trace per request, for people.
    Text,
    /// JSON Lines: one object per scenario file.
    Json,
    /// One tab-separated line per request: decision, ok|FAIL|-, file, name.
    Summary,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Some(Command::Eval {
            paths,
            format,
            requests,
        }) => cli::eval::run(&paths, format, &requests),
        None => cli::open::run(args.file),
    }
}
