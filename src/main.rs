//! The `iamtrace` command: with no subcommand it opens the TUI on a scenario (the
//! built-in Client VPN one by default; on a pipe it prints the trace instead); `eval`
//! evaluates scenario files for people and scripts.

mod cli;

/// mimalloc: replaying a CloudTrail file allocates a few dozen small strings per event
/// on every core, where glibc's allocator spent a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long (ms) mimalloc keeps freed memory before it gives it back to the system.
/// Its default (1,000 ms in mimalloc 3) lets a streamed `eval` of a large trail, whose
/// worker threads allocate what the printing thread frees, peak anywhere between 36
/// and 58 MB from run to run (500 MB trail); 100 ms keeps it at 31–34 MB for about
/// 5% more CPU (0 ms costs 15–20%).
const PURGE_DELAY_MS: std::ffi::c_long = 100;

/// mimalloc's `mi_option_purge_delay` (15 in mimalloc 2's and 3's `mi_option_t`; the
/// binding crate names it only with its `extended` feature, which needs another crate).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (the allocator's static library is linked in).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
}

/// Sets [`PURGE_DELAY_MS`], when the option at [`MI_OPTION_PURGE_DELAY`] is the purge
/// delay (it holds mimalloc 3's default, 1,000 ms, or version 2's, 10 ms, unless
/// `MIMALLOC_PURGE_DELAY` set it).
fn set_allocator_options() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: plain C calls with an option number and a value; mimalloc reads and
    // writes the option atomically.
    unsafe {
        if matches!(mi_option_get(MI_OPTION_PURGE_DELAY), 1000 | 10) {
            mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
}

use clap::{Parser, Subcommand, ValueEnum};
use iamtrace::input::BareKind;
use std::path::PathBuf;
use std::process::ExitCode;

/// Shows why AWS would allow or deny a request under a set of IAM policies.
#[derive(Parser)]
#[command(name = "iamtrace", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// A scenario file or a bare policy document to open, or - for standard input
    /// (default: the built-in Client VPN scenario). Also reads what the AWS CLI
    /// prints for a policy, `aws iam get-account-authorization-details` output and
    /// CloudTrail records (gzip too).
    file: Option<PathBuf>,
    /// For account authorization details: the user or role (name or ARN) whose
    /// policies to assemble (the TUI asks when it is not given).
    #[arg(long, value_name = "NAME|ARN")]
    principal: Option<String>,
    /// For a bare policy document: what to read it as, instead of the kind guessed
    /// from the document.
    #[arg(long, value_parser = kind_parser(), value_name = "KIND")]
    kind: Option<BareKind>,
    /// The most an input read whole (a scenario, a policy, AWS CLI output, account
    /// details) may hold after decompression: bytes, or a number with K, M, G or T
    /// (powers of 1024). CloudTrail files given to `replay` are streamed instead; each
    /// of their records may hold 64M.
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M", value_parser = iamtrace::read::parse_size)]
    max_input: u64,
    /// For a Terraform plan: which side of the change to read (with --principal).
    #[arg(long, global = true, value_enum, default_value_t = SideArg::After)]
    side: SideArg,
    /// For a CloudFormation template: a parameter's value, over its Default
    /// (repeatable; a list parameter's values comma-separated). A pseudo parameter
    /// too: AWS::AccountId (default 123456789012), AWS::Region (us-east-1),
    /// AWS::Partition (aws), AWS::StackName, AWS::StackId.
    #[arg(long = "parameter", global = true, value_name = "KEY=VALUE", value_parser = parameter_parser)]
    parameters: Vec<(String, String)>,
}

/// `--side`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SideArg {
    /// What exists before the change (`prior_state`, `change.before`).
    Before,
    /// What the change makes (`planned_values`, `change.after`).
    After,
}

/// `--parameter KEY=VALUE`.
fn parameter_parser(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("\"{s}\" is not KEY=VALUE")),
    }
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
        /// For account authorization details: the user or role (name or ARN) whose
        /// policies to assemble.
        #[arg(long, value_name = "NAME|ARN")]
        principal: Option<String>,
        /// For a bare policy document: what to read it as, instead of the kind guessed
        /// from the document.
        #[arg(long, value_parser = kind_parser(), value_name = "KIND")]
        kind: Option<BareKind>,
        /// Read CloudTrail files record by record, in flat memory (done without
        /// asking for trails over 32 MiB, 4 MiB gzipped): requests are printed as they
        /// are read, the count of events comes last, and a service's calls are not
        /// linked to the caller's call that caused them.
        #[arg(long)]
        stream: bool,
    },
    /// The decision for every combination of one or two inputs' values.
    Grid {
        /// The scenario file.
        scenario: PathBuf,
        /// The request to vary (by name or 1-based position; needed when there are
        /// several).
        #[arg(long = "request", value_name = "NAME|N")]
        request: Option<String>,
        /// INPUT=value,value,… where INPUT is a context key, action, resource or
        /// principal; `absent` leaves a context key out; [a;b] is a multi-valued value.
        /// Once or twice.
        #[arg(long, value_name = "INPUT=VALUES", required = true)]
        vary: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GridFormat::Text)]
        format: GridFormat,
    },
    /// The requests (and grid cells) whose decision differs between two scenario
    /// files' policies; exit status 1 when any does.
    Diff {
        /// The scenario (or template, or plan) before the change; a Terraform plan
        /// alone compares its own before and after.
        old: PathBuf,
        /// The scenario after the change (its requests are the ones compared).
        new: Option<PathBuf>,
        /// For templates and plans: the user or role whose policies are compared.
        #[arg(long, value_name = "ID|NAME|ARN")]
        principal: Option<String>,
        /// Compare on this scenario file's requests (a template's or plan's own
        /// request is only a starting point).
        #[arg(long, value_name = "SCENARIO")]
        requests_from: Option<PathBuf>,
        /// Also compare a grid around this request of NEW (with --vary).
        #[arg(long = "request", value_name = "NAME|N")]
        request: Option<String>,
        /// Grid axes to compare, as for `grid`.
        #[arg(long, value_name = "INPUT=VALUES")]
        vary: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GridFormat::Text)]
        format: GridFormat,
    },
    /// Check policies against the AWS service catalog and the policy language's
    /// pitfalls; exit status 1 when any error is found.
    Lint {
        /// Scenario files, policies or AWS CLI outputs, or directories searched
        /// recursively for *.json.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// For account authorization details: the user or role whose policies to check.
        #[arg(long, value_name = "NAME|ARN")]
        principal: Option<String>,
        /// For a bare policy document: what to read it as, instead of the kind guessed
        /// from the document.
        #[arg(long, value_parser = kind_parser(), value_name = "KIND")]
        kind: Option<BareKind>,
    },
    /// Lessons on how IAM decides, in the TUI: with no argument, the list of lessons
    /// (the first not done open behind it); with a number or a lesson file, that lesson.
    /// --list prints them, --check checks each one works (exit status 1 when one does
    /// not, 2 for an invalid lesson file), --reset forgets your progress.
    Learn {
        /// A lesson's number or file to open; with --list or --check, lesson files or
        /// directories searched recursively for *.json (default: the built-in lessons).
        files: Vec<PathBuf>,
        /// Print one lesson a line: its number and title.
        #[arg(long, conflicts_with_all = ["check", "reset"])]
        list: bool,
        /// Check each lesson: it loads, its goals are not all met as shipped, its last
        /// hint's edit meets every goal, and its predictions match the engine.
        #[arg(long, conflicts_with = "reset")]
        check: bool,
        /// Forget which lessons are done and how many predictions were right.
        #[arg(long)]
        reset: bool,
    },
    /// Evaluate CloudTrail events against a scenario's policies and report those whose
    /// decision differs from what CloudTrail recorded; exit status 1 when any does.
    Replay {
        /// The scenario (or anything `iamtrace FILE` opens: a policy, AWS CLI output,
        /// account authorization details with --principal).
        scenario: PathBuf,
        /// CloudTrail files ({"Records": [...]}, gzip as delivered to S3, JSON Lines) or
        /// directories searched for *.json, *.jsonl and *.gz.
        #[arg(long, value_name = "PATH", required = true, num_args = 1..)]
        cloudtrail: Vec<PathBuf>,
        /// Only this caller's events (a user or role ARN; a role's sessions count);
        /// for account authorization details, also whose policies to assemble.
        #[arg(long, value_name = "NAME|ARN")]
        principal: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GridFormat::Text)]
        format: GridFormat,
    },
}

/// `--kind`: one of the words of [`iamtrace::input::KIND_WORDS`], read as the library's
/// [`BareKind`] (clap lists the words and refuses any other).
fn kind_parser() -> impl clap::builder::TypedValueParser<Value = BareKind> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(iamtrace::input::KIND_WORDS)
        .map(|word| BareKind::from_word(&word).unwrap_or(BareKind::Identity))
}

/// The load options of a subcommand's arguments (with the global template and plan
/// ones).
fn options(
    principal: Option<String>,
    kind: Option<BareKind>,
    side: SideArg,
    parameters: &[(String, String)],
) -> iamtrace::input::LoadOptions {
    iamtrace::input::LoadOptions {
        principal,
        kind,
        side: match side {
            SideArg::Before => iamtrace::iac::Side::Before,
            SideArg::After => iamtrace::iac::Side::After,
        },
        parameters: parameters.to_vec(),
        all_policies: false,
        // Set for each file as it is read.
        path: None,
    }
}

/// How `grid`, `diff` and `replay` print.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GridFormat {
    /// A table for people.
    Text,
    /// JSON.
    Json,
}

/// How `lint` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// One line per finding, for people.
    Text,
    /// JSON Lines: one object per file.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
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
    set_allocator_options();
    // A write past `ulimit -f` fails with an error message, not a silent kill.
    iamtrace::tui::signals::ignore_file_size_limit_signal();
    misspelt_subcommand();
    let args = Args::parse();
    cli::set_max_input(args.max_input);
    // Not locked: the TUI (and its signal handling) writes to the terminal itself.
    // Into a pipe or file, buffered: a line per request must not be a write per request
    // (flushed below). On a terminal, line by line, so output and the messages on
    // standard error keep their order.
    let mut stdout: Box<dyn std::io::Write> = if std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::io::BufWriter::new(std::io::stdout()))
    };
    let status = run(args, &mut *stdout).and_then(|code| {
        stdout.flush()?;
        Ok(code)
    });
    match status {
        Ok(code) => code,
        // The reader went away (`iamtrace eval … | head`): nothing more to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            cli::note(&format!("iamtrace: cannot write the output: {e}"));
            ExitCode::from(2)
        }
    }
}

/// `iamtrace evl x`: the first argument is not a file but is close to a subcommand's
/// name. Clap would read it as the file to open; say "did you mean eval?" instead, as
/// clap does for an unknown subcommand, and exit with its usage status.
fn misspelt_subcommand() {
    use clap::CommandFactory;
    let Some(first) = std::env::args_os().nth(1) else {
        return;
    };
    let Some(word) = first.to_str() else {
        return;
    };
    if word.starts_with('-') || std::path::Path::new(word).exists() {
        return;
    }
    let cmd = Args::command();
    let names: Vec<&str> = cmd
        .get_subcommands()
        .map(|c| c.get_name())
        .filter(|n| *n != "help")
        .collect();
    if names.contains(&word) || word == "help" {
        return;
    }
    let hint = iamtrace::source::did_you_mean(word, names.iter().copied());
    if let Some(name) = hint
        .strip_prefix(" (did you mean ")
        .and_then(|h| h.strip_suffix("?)"))
    {
        let mut cmd = cmd;
        cmd.error(
            clap::error::ErrorKind::InvalidSubcommand,
            format!(
                "unrecognized subcommand '{}'\n\n  tip: a similar subcommand exists: '{name}'\n  (to open a file of that name, give its path: ./{})",
                cli::safe(word),
                cli::safe(word)
            ),
        )
        .exit();
    }
}

/// Runs the command; `Err` is a failed write of its output.
fn run(args: Args, out: &mut dyn std::io::Write) -> std::io::Result<ExitCode> {
    match args.command {
        Some(Command::Eval {
            paths,
            format,
            requests,
            principal,
            kind,
            stream,
        }) => cli::eval::run(
            out,
            &paths,
            format,
            &requests,
            &options(principal, kind, args.side, &args.parameters),
            stream,
        ),
        Some(Command::Grid {
            scenario,
            request,
            vary,
            format,
        }) => cli::grid::run(
            out,
            &scenario,
            request.as_deref(),
            &vary,
            format == GridFormat::Json,
        ),
        Some(Command::Diff {
            old,
            new,
            principal,
            requests_from,
            request,
            vary,
            format,
        }) => cli::diff::run(
            out,
            &old,
            new.as_deref(),
            request.as_deref(),
            &vary,
            format == GridFormat::Json,
            &options(principal, None, args.side, &args.parameters),
            requests_from.as_deref(),
        ),
        Some(Command::Lint {
            paths,
            format,
            principal,
            kind,
        }) => cli::lint::run(
            out,
            &paths,
            format,
            &options(principal, kind, args.side, &args.parameters),
        ),
        Some(Command::Replay {
            scenario,
            cloudtrail,
            principal,
            format,
        }) => cli::replay::run(
            out,
            &scenario,
            &cloudtrail,
            options(principal, None, args.side, &args.parameters),
            format,
        ),
        Some(Command::Learn {
            files,
            list,
            check,
            reset,
        }) => {
            let mode = if check {
                cli::learn::Mode::Check
            } else if list {
                cli::learn::Mode::List
            } else if reset {
                cli::learn::Mode::Reset
            } else {
                cli::learn::Mode::Open
            };
            cli::learn::run(out, &files, mode)
        }
        None => cli::open::run(
            out,
            args.file,
            options(args.principal, args.kind, args.side, &args.parameters),
        ),
    }
}
