//! `letan nlu --jsonl` (one JSON object per input line) and `letan nlu eval <tsv>`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use letan_nlu::eval;

/// Intent router: classify lines from stdin, or evaluate on a labelled TSV.
#[derive(clap::Args)]
pub struct Args {
    /// Read one utterance per line on stdin; write one JSON object per line.
    #[arg(long)]
    pub jsonl: bool,
    /// Knowledge-base directory to use instead of the built-in copy.
    #[arg(long, global = true)]
    pub kb: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Run the intent-router node (= `letan run intent_router`): Transcript in; Intent and the spoken answer out. Reloads a
    /// changed knowledge base without restarting and keeps the old one if the new one is invalid.
    Serve {
        /// ROS 2 parameter file (robot_nodes/nlu/config/intent_router.yaml).
        #[arg(long)]
        params: Option<PathBuf>,
        /// Node name (also the section looked up in the parameter file).
        #[arg(long, default_value = "intent_router")]
        name: String,
    },
    /// Accuracy, per-intent precision and recall, and the most frequent confusions on a TSV
    /// (`text<TAB>intent<TAB>destination`, one header line).
    Eval {
        tsv: PathBuf,
        /// Also run k-fold cross-validation (train on the knowledge base plus k-1 folds).
        #[arg(long)]
        cv: Option<usize>,
        /// Print every wrong prediction.
        #[arg(long)]
        errors: bool,
    },
}

/// The router from a knowledge-base directory, or the built-in one.
pub fn load(dir: Option<&Path>) -> anyhow::Result<letan_nlu::Nlu> {
    let kb = match dir {
        Some(d) => letan_nlu::kb::load_dir(d)
            .with_context(|| format!("loading the knowledge base from {}", d.display()))?,
        None => letan_nlu::Kb::embedded().context("the built-in knowledge base")?,
    };
    letan_nlu::Nlu::new(kb, letan_nlu::NluConfig::default()).context("training the intent router")
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Some(Sub::Serve { params, name }) => serve(params.as_deref(), &name),
        Some(Sub::Eval { tsv, cv, errors }) => {
            let text = std::fs::read_to_string(&tsv)
                .with_context(|| format!("reading {}", tsv.display()))?;
            let (rows, bad) = eval::parse_tsv(&text);
            for (line, msg) in &bad {
                eprintln!("{}:{line}: skipped: {msg}", tsv.display());
            }
            let nlu = load(args.kb.as_deref())?;
            let report = eval::evaluate(&nlu, &rows);
            println!("{}", report.summary(20));
            if errors {
                for o in report.outcomes.iter().filter(|o| !o.fully_ok()) {
                    println!("wrong: {}", o.describe());
                }
            }
            if let Some(k) = cv {
                let r = eval::cross_validate(nlu.kb(), nlu.config(), &rows, k)
                    .context("cross-validation")?;
                println!("{k}-fold cross-validation (knowledge base + other folds):");
                println!("{}", r.summary(20));
            }
            Ok(())
        }
        None if args.jsonl => {
            let nlu = load(args.kb.as_deref())?;
            let stdin = std::io::stdin();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for line in stdin.lock().split(b'\n') {
                let bytes = line.context("reading stdin")?;
                // Invalid UTF-8 is replaced, not fatal: every line gets an answer.
                let text = String::from_utf8_lossy(&bytes);
                let text = text.trim_end_matches('\r');
                let u = nlu.understand(text);
                writeln!(out, "{}", u.to_jsonl(text)).context("writing stdout")?;
                out.flush().context("writing stdout")?;
            }
            Ok(())
        }
        None => {
            anyhow::bail!("use `letan nlu --jsonl`, `letan nlu eval <tsv>` or `letan nlu serve`")
        }
    }
}

fn serve(params: Option<&Path>, name: &str) -> anyhow::Result<()> {
    let args = letan_nodes::NodeArgs {
        name: Some(name.to_string()),
        params_files: params.map(Path::to_path_buf).into_iter().collect(),
        ..Default::default()
    };
    super::topic::runtime()?.block_on(async move {
        let ctx = letan_transport::Context::dds_from_env().context("joining the ROS 2 domain")?;
        letan_nodes::run(
            "intent_router",
            ctx,
            args,
            letan_transport::shutdown_signal(),
        )
        .await
        .context("the intent-router node")
    })
}
