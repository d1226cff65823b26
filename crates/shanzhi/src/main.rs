use std::process::ExitCode;

/// See the dependency's note in Cargo.toml: glibc's malloc took a quarter of the server's time under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    shanzhi::cli::main()
}
