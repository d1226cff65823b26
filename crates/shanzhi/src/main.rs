use std::process::ExitCode;

fn main() -> ExitCode {
    shanzhi::cli::main()
}
