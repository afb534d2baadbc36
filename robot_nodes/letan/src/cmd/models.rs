//! `letan models check|fetch|list`: the model manifest (models/manifest.yaml), presence and
//! verified download. Logic lives in letan-models.

use std::path::PathBuf;

use anyhow::{bail, Context};
use letan_models::{fetch, FetchOptions, Manifest, SearchPaths};

/// Model manifest commands.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// List every model with its presence and where it was found (exit 1 if any is missing).
    Check,
    /// Download models from upstream, verify size and sha256, unpack zips (needs internet).
    Fetch {
        /// Model names (default: every model that is missing).
        names: Vec<String>,
        /// Folder to install into (default: first folder of $LETAN_MODELS, else <repo>/models).
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Accept files whose sha256 is not pinned in the manifest, printing their digest.
        #[arg(long)]
        allow_unpinned: bool,
        /// Download even if the model is already installed in the destination.
        #[arg(long)]
        force: bool,
    },
    /// Print the manifest: name, kind, language, engine, licence, files with size and sha256.
    List,
}

/// Runs `letan models …`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let manifest = Manifest::builtin().context("reading the built-in model manifest")?;
    let paths = SearchPaths::from_process_env();
    match args.cmd {
        Sub::Check => {
            println!("searched, in order:");
            for r in &paths.roots {
                println!(
                    "  {}{}",
                    r.display(),
                    if r.is_dir() { "" } else { "  (absent)" }
                );
            }
            let mut missing = Vec::new();
            for st in paths.check(&manifest) {
                match &st.found {
                    Some(loc) => println!("present  {:<34} {}", st.name, loc.path.display()),
                    None => {
                        println!(
                            "MISSING  {:<34} fetch: letan models fetch {}",
                            st.name, st.name
                        );
                        missing.push(st.name);
                    }
                }
            }
            if !missing.is_empty() {
                bail!("{} model(s) missing: {}", missing.len(), missing.join(", "));
            }
            Ok(())
        }
        Sub::List => {
            for m in &manifest.models {
                println!(
                    "{} [{} {} {}] licence: {}",
                    m.name, m.kind, m.language, m.engine, m.licence
                );
                for f in &m.files {
                    println!(
                        "    {}  size={}  sha256={}\n      {}",
                        f.path,
                        f.size.map_or("unknown".to_string(), |s| s.to_string()),
                        f.sha256.as_deref().unwrap_or("UNKNOWN (verify on fetch)"),
                        f.url
                    );
                }
            }
            Ok(())
        }
        Sub::Fetch {
            names,
            dest,
            allow_unpinned,
            force,
        } => {
            let dest = match dest.or_else(|| paths.roots.first().cloned()) {
                Some(d) => d,
                None => bail!("no destination: pass --dest or set LETAN_MODELS"),
            };
            let wanted: Vec<&letan_models::Model> = if names.is_empty() {
                manifest
                    .models
                    .iter()
                    .filter(|m| paths.locate(m).is_err())
                    .collect()
            } else {
                names
                    .iter()
                    .map(|n| manifest.get(n))
                    .collect::<Result<_, _>>()?
            };
            if wanted.is_empty() {
                println!("every model is already installed (letan models check)");
                return Ok(());
            }
            let opts = FetchOptions {
                allow_unpinned,
                force,
                ..FetchOptions::default()
            };
            let mut failed = Vec::new();
            for m in wanted {
                println!("fetching {} into {}", m.name, dest.display());
                match fetch(m, &dest, &opts) {
                    Ok(files) if files.is_empty() => println!("  already installed"),
                    Ok(files) => {
                        for f in files {
                            println!(
                                "  {} {} bytes sha256 {}{}",
                                f.path.display(),
                                f.size,
                                f.sha256,
                                if f.verified {
                                    " (verified)"
                                } else {
                                    " (NOT pinned: add it to models/manifest.yaml)"
                                }
                            );
                        }
                    }
                    Err(e) => {
                        eprintln!("  failed: {e}");
                        failed.push(m.name.clone());
                    }
                }
            }
            if !failed.is_empty() {
                bail!("could not fetch: {}", failed.join(", "));
            }
            Ok(())
        }
    }
}
