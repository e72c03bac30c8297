//! `claimtrail export` and `claimtrail import`: the whole record out, as JSON, NDJSON or CSV,
//! and a JSON export into an empty database or NDJSON records into any.

use std::path::Path;

use anyhow::Context;

use super::Progress;
use crate::api;
use crate::config::{DatabaseArgs, ExportFormat};
use crate::store::{Store, dataset, import};

/// Writes the whole record to standard output in `format`.
pub(super) async fn export(format: ExportFormat, database: &DatabaseArgs) -> anyhow::Result<()> {
    let store = Store::open(&database.database, 1, database.max_bytes()).await?;
    let progress = Progress::new("exporting", None);
    let out = match format {
        ExportFormat::Json => dataset::export(&store)
            .await
            .context("reading the record")?
            .to_json()?,
        ExportFormat::Ndjson => dataset::export_lines(&store)
            .await
            .context("reading the record")?
            .join("\n"),
        ExportFormat::Csv => {
            let claims = dataset::all_claims(&store)
                .await
                .context("reading the claims")?;
            api::claims_csv(&claims).map_err(|e| anyhow::anyhow!("{e}"))?
        }
    };
    store.close().await;
    progress.finish("exported the record");
    // CSV rows end in CRLF already; the JSON formats get a final newline.
    if format == ExportFormat::Csv {
        print!("{out}");
    } else {
        println!("{out}");
    }
    Ok(())
}

/// Loads `file`: NDJSON records (`.ndjson`, `.jsonl`) or a JSON export.
pub(super) async fn import(file: &Path, database: &DatabaseArgs) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = Store::open(&database.database, 1, database.max_bytes()).await?;
    let ndjson = file
        .extension()
        .is_some_and(|e| e == "ndjson" || e == "jsonl");
    let outcome = if ndjson {
        import_lines(&store, &text).await
    } else {
        import_dataset(&store, &text, file).await
    };
    store.close().await;
    outcome
}

async fn import_dataset(store: &Store, text: &str, file: &Path) -> anyhow::Result<()> {
    let parsed = dataset::Dataset::parse(text)?;
    match dataset::load(store, &parsed).await? {
        dataset::LoadOutcome::Loaded { claims, sources } => {
            eprintln!(
                "Imported {claims} claims and {sources} sources from {}.",
                file.display()
            );
            Ok(())
        }
        dataset::LoadOutcome::AlreadyPopulated => anyhow::bail!(
            "the database already holds records: a JSON export goes into an empty one \
             (serve --no-dataset makes one); NDJSON records go into any"
        ),
    }
}

async fn import_lines(store: &Store, text: &str) -> anyhow::Result<()> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let progress = Progress::new("validating", Some(lines.len() as u64));
    let mut records = Vec::with_capacity(lines.len());
    let mut problems = Vec::new();
    for (done, (i, line)) in lines.iter().enumerate() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => match import::ImportLine::parse(i + 1, map) {
                Ok(record) => records.push((i + 1, record)),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("{}: {}", p.pointer, p.message)),
                ),
            },
            _ => problems.push(format!("/{}: is not a JSON object", i + 1)),
        }
        progress.set(done as u64 + 1);
    }
    progress.finish("validated");
    anyhow::ensure!(
        problems.is_empty(),
        "nothing was imported:\n{}",
        problems.join("\n")
    );
    // The operator, who holds the file, restores what a line carries: times, tokens, history.
    let report = import::import(store, records, "", true)
        .await
        .map_err(|e| anyhow::anyhow!("nothing was imported: {e}"))?;
    eprintln!(
        "Imported: created {:?}, updated {:?}.",
        report.created, report.updated
    );
    Ok(())
}
