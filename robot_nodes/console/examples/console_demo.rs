//! The console against the fake robot, without the `letan` binary (used by the browser end-to-end test):
//! `cargo run -p letan-console --example console_demo -- [--port N] [--workdir DIR]`.
//! Prints `console listening on http://127.0.0.1:PORT/` on stdout; demo accounts are printed on stderr.
use letan_console::config::ConsoleParams;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut params = ConsoleParams::default();
    let mut workdir: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => params.port = args.next().ok_or("--port needs a value")?.parse()?,
            "--workdir" => {
                workdir = Some(PathBuf::from(args.next().ok_or("--workdir needs a value")?))
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let tmp = tempfile::tempdir()?;
    let dir = workdir.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(letan_console::demo::run_demo(params, &dir, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}
