//! `letan kb check [dir]`: check the knowledge base and report every error with file and line.

use std::path::PathBuf;

use anyhow::Context;

/// Knowledge base tools.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Check every file; print `file:line: message` for each problem; fail if any.
    Check {
        /// The knowledge-base directory.
        #[arg(default_value = "kb")]
        dir: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Sub::Check { dir } => {
            let files = letan_nlu::kb::read_dir_files(&dir)
                .with_context(|| format!("reading {}", dir.display()))?;
            match letan_nlu::Kb::parse(files) {
                Ok(kb) => {
                    let facts: usize = kb.intents.values().map(|e| e.facts.len()).sum();
                    let phrases = kb.training_phrases().len();
                    println!(
                        "{}: ok — {} intents, {} places, {} sources, {} facts, {} training phrases",
                        dir.display(),
                        kb.intents.len(),
                        kb.places.len(),
                        kb.sources.len(),
                        facts,
                        phrases
                    );
                    Ok(())
                }
                Err(letan_nlu::NluError::Kb(issues)) => {
                    for i in &issues {
                        println!("{}/{}", dir.display(), i);
                    }
                    anyhow::bail!("{} error(s) in {}", issues.len(), dir.display())
                }
                Err(e) => Err(e).context("checking the knowledge base"),
            }
        }
    }
}
