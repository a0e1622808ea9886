//! The `rig` binary: parse the command line, run it, map the outcome to an exit code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Before anything else: a SIGINT or SIGTERM now waits for the command's handlers.
    rig::cli::hold_stop_signals();
    rig::cli::ignore_file_size_signal();
    // A panic anywhere releases every relay before the process dies.
    rig::hw::relays::install_panic_hook();
    let cli = rig::cli::Cli::parse();
    match cli.run() {
        Ok(code) => std::process::ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("rig: {e}");
            std::process::ExitCode::from(e.exit_code() as u8)
        }
    }
}
