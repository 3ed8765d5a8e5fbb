/// mimalloc rather than the C library's allocator: its per-thread arenas held on to memory
/// freed by parallel loading (a quarter more at peak on the plan benchmark, see the README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(tailor::cli::main());
}
