//! The citizen screen against the in-memory fake dialog (used by the browser end-to-end test):
//! `cargo run -p letan-screen --example screen_demo -- [--port N] [--bind IP] [--params FILE]`.
//! Prints `screen listening on http://127.0.0.1:PORT/` on stdout; stops on Ctrl-C / SIGINT.
use letan_screen::config::ScreenParams;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut params = ScreenParams::default();
    let mut port: Option<u16> = None;
    let mut bind: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = Some(args.next().ok_or("--port needs a value")?.parse()?),
            "--bind" => bind = Some(args.next().ok_or("--bind needs a value")?),
            "--params" => {
                let file = args.next().ok_or("--params needs a file")?;
                params = ScreenParams::from_file(Path::new(&file), "screen")?;
            }
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if let Some(p) = port {
        params.port = p;
    }
    if let Some(b) = bind {
        params.bind = b;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(letan_screen::demo::run_demo(params, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}
