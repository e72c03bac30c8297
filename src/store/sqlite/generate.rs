//! Synthetic data for benchmarks: the bundled dataset, then `claims` generated claims shaped
//! like it — claimants with aliases in both scripts, sources, claims in en, zh-CN and zh-TW
//! with 1–5 appearances, figures, forecasts, revision chains, assessments and topics. The same
//! seed always gives the same database.
//!
//! Search terms have known frequencies, so that benchmarks can ask for a term matching a known
//! share of claims: 电网 / 電網 in 0.1% of claims, "transformer shortage" in 1%, 电力 /
//! "electricity" in 10%. No other generated text contains them.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{Store, dataset};
use crate::domain::Unit;

/// Every generated record's timestamps: generation is reproducible to the byte.
const STAMP: &str = "2026-11-29T00:00:00Z";

/// Claims written per transaction, and rows per INSERT statement (under SQLite's limit of
/// bound values).
const CLAIMS_PER_TRANSACTION: u64 = 10_000;
const ROWS_PER_STATEMENT: usize = 500;

const TOPICS: [&str; 5] = [
    "electricity",
    "ai-compute",
    "chips",
    "data-centers",
    "us-china",
];
const SUBJECTS: [&str; 6] = ["US", "CN", "WORLD", "IN", "JP", "DE"];
/// Indicators of the bundled dataset, with units figures about them are stated in.
const INDICATORS: [(&str, &[&str]); 7] = [
    ("spare-power-capacity", &["GW", "MW", "万千瓦"]),
    ("datacenter-power-shortfall", &["GW", "MW"]),
    ("electricity-generation-ratio", &["x", "倍"]),
    ("spare-capacity-to-datacenter-demand-ratio", &["x"]),
    ("power-capacity-additions", &["GW", "吉瓦"]),
    ("spare-capacity-margin", &["%"]),
    ("datacenter-share-of-power-demand", &["%"]),
];
const KINDS: [&str; 5] = [
    "prediction",
    "estimate",
    "assertion",
    "opinion",
    "recommendation",
];
const SOURCE_KINDS: [&str; 6] = [
    "article",
    "report",
    "interview",
    "podcast",
    "statement",
    "social_post",
];
const VERDICTS: [&str; 4] = ["correct", "incorrect", "partly_correct", "pending"];
const FIDELITY: [&str; 4] = ["faithful", "faithful", "reworded", "mistranslated"];

/// English clauses; none contains a term whose frequency is controlled.
const EN_CLAUSES: [&str; 16] = [
    "AI data centers will need far more power than planned",
    "chip export controls are tightening",
    "gas turbines are sold out for years",
    "nuclear restarts are back on the table",
    "solar and storage are the fastest capacity to build",
    "grid interconnection queues keep growing",
    "compute demand is doubling every year",
    "China is adding capacity faster than anyone",
    "the United States is short of generation",
    "cooling water limits new campuses",
    "utilities are raising their load forecasts",
    "hyperscalers are signing long power purchase agreements",
    "inference will outgrow training",
    "memory bandwidth is the real bottleneck",
    "permitting is slower than construction",
    "energy prices will rise where demand clusters",
];
/// Chinese clauses, simplified and traditional; none contains 电力, 电网 or their forms.
const ZH_CLAUSES: [(&str, &str); 12] = [
    (
        "人工智能数据中心需要更多能源",
        "人工智慧資料中心需要更多能源",
    ),
    ("芯片出口管制正在收紧", "晶片出口管制正在收緊"),
    ("燃气轮机订单已排到数年之后", "燃氣輪機訂單已排到數年之後"),
    ("核电站重启再次被提上议程", "核電站重啟再次被提上議程"),
    ("中国的发电装机增长最快", "中國的發電裝機增長最快"),
    ("美国发电能力不足", "美國發電能力不足"),
    ("算力需求每年翻一番", "算力需求每年翻一番"),
    ("冷却用水限制新园区建设", "冷卻用水限制新園區建設"),
    ("储能成本持续下降", "儲能成本持續下降"),
    ("推理需求将超过训练", "推理需求將超過訓練"),
    ("审批比建设更慢", "審批比建設更慢"),
    ("用能价格将在需求集中处上涨", "用能價格將在需求集中處上漲"),
];

/// What `generate` wrote.
#[derive(Debug, Clone, Copy)]
pub struct Generated {
    pub claims: u64,
    pub claimants: u64,
    pub sources: u64,
    pub appearances: u64,
}

struct Claim {
    id: String,
    claimant: String,
    kind: &'static str,
    stated_on: String,
    due_on: Option<String>,
    supersedes: Option<String>,
    texts: Vec<(&'static str, String)>,
    topics: Vec<&'static str>,
    quantity: Option<Quantity>,
    appearances: Vec<Appearance>,
    assessment: Option<&'static str>,
}

struct Quantity {
    indicator: &'static str,
    subject: &'static str,
    value: f64,
    unit: Unit,
}

struct Appearance {
    source: u64,
    lang: &'static str,
    quote: String,
    fidelity: &'static str,
}

/// A date `days` after 2015-01-01, as `YYYY-MM-DD`.
fn date(days: i64) -> String {
    let start = time::macros::date!(2015 - 01 - 01);
    (start + time::Duration::days(days)).to_string()
}

/// The generator of one run: a seeded RNG and the sizes it scales from `claims`.
struct Generator {
    rng: fastrand::Rng,
    claimants: u64,
    sources: u64,
}

impl Generator {
    fn claimant_id(&self, n: u64) -> String {
        format!("gen-claimant-{n}")
    }

    /// Claim `i`; `previous` is claim `i - 1`'s id and claimant.
    fn claim(&mut self, i: u64, previous: Option<(&str, &str)>) -> Claim {
        let rng = &mut self.rng;
        // One claim in fifty revises the one before it, by the same claimant.
        let revises = previous.filter(|_| i % 50 == 1);
        let claimant = match revises {
            Some((_, claimant)) => claimant.to_owned(),
            None => format!("gen-claimant-{}", rng.u64(0..self.claimants)),
        };
        let kind = KINDS[rng.usize(0..KINDS.len())];
        // Skewed to recent years, as the record is.
        let days = 4300 - (rng.f64().powi(2) * 4300.0) as i64;
        let stated_on = date(days);
        let due_on = (kind == "prediction").then(|| date(days + rng.i64(365..2000)));

        let mut en = Vec::new();
        let mut zh = Vec::new();
        for _ in 0..rng.usize(1..=2) {
            en.push(EN_CLAUSES[rng.usize(0..EN_CLAUSES.len())].to_owned());
            zh.push(ZH_CLAUSES[rng.usize(0..ZH_CLAUSES.len())]);
        }
        let (mut zh_cn, mut zh_tw): (Vec<String>, Vec<String>) = zh
            .iter()
            .map(|(s, t)| ((*s).to_owned(), (*t).to_owned()))
            .unzip();
        if i % 1000 == 7 {
            en.push("the grid cannot connect new load".into());
            zh_cn.push("电网无法接入新负荷".into());
            zh_tw.push("電網無法接入新負荷".into());
        }
        if i % 100 == 11 {
            en.push("a transformer shortage delays every project".into());
        }
        if i % 10 == 3 {
            en.push("electricity is the limiting factor".into());
            zh_cn.push("电力是限制因素".into());
            zh_tw.push("電力是限制因素".into());
        }
        let mut texts = Vec::new();
        // A claim with a term of known frequency has it in English and Chinese alike.
        let counted = i % 1000 == 7 || i % 100 == 11 || i % 10 == 3;
        let roll = if counted { 50 } else { rng.u8(0..100) };
        if roll < 70 {
            texts.push(("en", format!("{}.", sentence(&en))));
        }
        if roll >= 40 {
            texts.push(("zh-CN", format!("{}。", zh_cn.join("，"))));
        }
        if roll >= 80 || roll % 5 == 0 {
            texts.push(("zh-TW", format!("{}。", zh_tw.join("，"))));
        }

        let mut topics = vec![TOPICS[rng.usize(0..TOPICS.len())]];
        let second = TOPICS[rng.usize(0..TOPICS.len())];
        if rng.bool() && second != topics[0] {
            topics.push(second);
        }
        let quantity =
            (matches!(kind, "prediction" | "estimate") || rng.u8(0..4) == 0).then(|| {
                let (indicator, units) = INDICATORS[rng.usize(0..INDICATORS.len())];
                let symbol = units[rng.usize(0..units.len())];
                let unit = Unit::parse(symbol).expect("the generator's units are known");
                let value = match symbol {
                    "x" | "倍" => f64::from(rng.u32(10..50)) / 10.0,
                    "%" => f64::from(rng.u32(1..60)),
                    "MW" => f64::from(rng.u32(100..90_000)),
                    "万千瓦" => f64::from(rng.u32(100..50_000)),
                    _ => f64::from(rng.u32(1..600)),
                };
                Quantity {
                    indicator,
                    subject: SUBJECTS[rng.usize(0..SUBJECTS.len())],
                    value,
                    unit,
                }
            });
        let appearances = (0..rng.usize(1..=5))
            .map(|_| {
                let (lang, quote) = &texts[rng.usize(0..texts.len())];
                Appearance {
                    source: rng.u64(0..self.sources),
                    lang,
                    quote: quote.clone(),
                    fidelity: FIDELITY[rng.usize(0..FIDELITY.len())],
                }
            })
            .collect();
        let assessment = (rng.u8(0..20) == 0).then(|| VERDICTS[rng.usize(0..VERDICTS.len())]);
        Claim {
            id: format!("gen-{i}"),
            claimant,
            kind,
            stated_on,
            due_on,
            supersedes: revises.map(|(id, _)| id.to_owned()),
            texts,
            topics,
            quantity,
            appearances,
            assessment,
        }
    }
}

/// Clauses as one English sentence, capitalised.
fn sentence(clauses: &[String]) -> String {
    let joined = clauses.join(", and ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => joined,
    }
}

/// Fills an empty database with the bundled dataset and `claims` generated claims, then builds
/// the search indexes. `progress` is told how many claims are written so far.
pub async fn generate(
    store: &Store,
    claims: u64,
    seed: u64,
    progress: impl Fn(u64),
) -> anyhow::Result<Generated> {
    match dataset::load_bundled(store).await? {
        dataset::LoadOutcome::Loaded { .. } => {}
        _ => anyhow::bail!("generate writes a new database; this one already holds records"),
    }
    let mut generator = Generator {
        rng: fastrand::Rng::with_seed(seed),
        claimants: (claims / 2000).max(20),
        sources: (claims / 4).max(50),
    };
    let mut conn = store.writer().acquire().await?;
    sqlx::query("begin immediate").execute(&mut *conn).await?;
    write_claimants(&mut conn, &generator).await?;
    write_sources(&mut conn, &mut generator).await?;
    sqlx::query("commit").execute(&mut *conn).await?;

    let mut appearances = 0;
    let mut previous: Option<(String, String)> = None;
    let mut written = 0;
    while written < claims {
        let batch_end = (written + CLAIMS_PER_TRANSACTION).min(claims);
        let mut batch = Vec::with_capacity((batch_end - written) as usize);
        for i in written..batch_end {
            let prior = previous.as_ref().map(|(id, k)| (id.as_str(), k.as_str()));
            let claim = generator.claim(i, prior);
            previous = Some((claim.id.clone(), claim.claimant.clone()));
            batch.push(claim);
        }
        appearances += batch
            .iter()
            .map(|c| c.appearances.len() as u64)
            .sum::<u64>();
        sqlx::query("begin immediate").execute(&mut *conn).await?;
        write_claims(&mut conn, &batch).await?;
        sqlx::query("commit").execute(&mut *conn).await?;
        written = batch_end;
        progress(written);
    }
    drop(conn);
    store.reindex().await?;
    Ok(Generated {
        claims,
        claimants: generator.claimants,
        sources: generator.sources,
        appearances,
    })
}

async fn write_claimants(conn: &mut SqliteConnection, g: &Generator) -> sqlx::Result<()> {
    let ids: Vec<u64> = (0..g.claimants).collect();
    insert_rows(
        conn,
        "claimants (id, kind, names, description, created_at, updated_at)",
        &ids,
        |row, n| {
            let names = serde_json::json!({
                "en": format!("Analyst {n}"),
                "zh-CN": format!("分析师{n}号"),
                "zh-TW": format!("分析師{n}號"),
            });
            row.push_bind(g.claimant_id(*n))
                .push_bind(if n % 3 == 0 { "person" } else { "organization" })
                .push_bind(names.to_string())
                .push_bind("A synthetic claimant made by claimtrail generate.")
                .push_bind(STAMP)
                .push_bind(STAMP);
        },
    )
    .await?;
    insert_rows(
        conn,
        "claimant_aliases (claimant_id, alias, lang)",
        &ids,
        |row, n| {
            row.push_bind(g.claimant_id(*n))
                .push_bind(format!("研究员{n}"))
                .push_bind("zh-CN");
        },
    )
    .await
}

async fn write_sources(conn: &mut SqliteConnection, g: &mut Generator) -> sqlx::Result<()> {
    let rows: Vec<(u64, &str, String, &str)> = (0..g.sources)
        .map(|n| {
            let kind = SOURCE_KINDS[g.rng.usize(0..SOURCE_KINDS.len())];
            let published = date(g.rng.i64(0..4300));
            let language = ["en", "zh-CN", "zh-TW"][g.rng.usize(0..3)];
            (n, kind, published, language)
        })
        .collect();
    insert_rows(
        conn,
        "sources (id, kind, title, publisher, url, published_on, published_precision, \
         language, note, created_at, updated_at)",
        &rows,
        |row, (n, kind, published, language)| {
            row.push_bind(format!("gen-source-{n}"))
                .push_bind(*kind)
                .push_bind(format!("Synthetic {kind} {n} on power and AI"))
                .push_bind(format!("Outlet {}", n % 300))
                .push_bind(format!("https://example.org/gen/{n}"))
                .push_bind(published.as_str())
                .push_bind("day")
                .push_bind(*language)
                .push_bind("A synthetic source made by claimtrail generate.")
                .push_bind(STAMP)
                .push_bind(STAMP);
        },
    )
    .await
}

async fn write_claims(conn: &mut SqliteConnection, claims: &[Claim]) -> sqlx::Result<()> {
    for chunk in claims.chunks(ROWS_PER_STATEMENT) {
        insert_rows(
            conn,
            "claims (id, claimant_id, kind, stated_on, stated_precision, due_on, due_precision, \
             supersedes, created_at, updated_at)",
            chunk,
            |row, c| {
                row.push_bind(&c.id)
                    .push_bind(&c.claimant)
                    .push_bind(c.kind)
                    .push_bind(&c.stated_on)
                    .push_bind("day")
                    .push_bind(&c.due_on)
                    .push_bind(c.due_on.as_ref().map(|_| "year"))
                    .push_bind(&c.supersedes)
                    .push_bind(STAMP)
                    .push_bind(STAMP);
            },
        )
        .await?;

        let texts: Vec<(&str, &str, &str)> = chunk
            .iter()
            .flat_map(|c| c.texts.iter().map(|(l, t)| (c.id.as_str(), *l, t.as_str())))
            .collect();
        insert_rows(
            conn,
            "claim_texts (claim_id, lang, text)",
            &texts,
            |row, t| {
                row.push_bind(t.0).push_bind(t.1).push_bind(t.2);
            },
        )
        .await?;

        let topics: Vec<(&str, &str)> = chunk
            .iter()
            .flat_map(|c| c.topics.iter().map(|t| (c.id.as_str(), *t)))
            .collect();
        insert_rows(
            conn,
            "claim_topics (claim_id, topic_id)",
            &topics,
            |row, t| {
                row.push_bind(t.0).push_bind(t.1);
            },
        )
        .await?;

        let quantities: Vec<(&str, &Quantity)> = chunk
            .iter()
            .filter_map(|c| c.quantity.as_ref().map(|q| (c.id.as_str(), q)))
            .collect();
        insert_rows(
            conn,
            "quantities (claim_id, position, indicator_id, subject, value, unit, qualifier, \
             value_si, si_unit)",
            &quantities,
            |row, (id, q)| {
                row.push_bind(*id)
                    .push_bind(0)
                    .push_bind(q.indicator)
                    .push_bind(q.subject)
                    .push_bind(q.value)
                    .push_bind(q.unit.symbol)
                    .push_bind("about")
                    .push_bind(q.unit.to_si(q.value))
                    .push_bind(q.unit.dimension.si_unit());
            },
        )
        .await?;

        let appearances: Vec<(&Claim, usize, &Appearance)> = chunk
            .iter()
            .flat_map(|c| {
                c.appearances
                    .iter()
                    .enumerate()
                    .map(move |(i, a)| (c, i, a))
            })
            .collect();
        insert_rows(
            conn,
            "appearances (id, claim_id, source_id, quote, lang, kind, fidelity, \
             first_appearance, created_at, updated_at)",
            &appearances,
            |row, (c, i, a)| {
                row.push_bind(format!("{}-a{i}", c.id))
                    .push_bind(&c.id)
                    .push_bind(format!("gen-source-{}", a.source))
                    .push_bind(&a.quote)
                    .push_bind(a.lang)
                    .push_bind("verbatim")
                    .push_bind(a.fidelity)
                    .push_bind(i64::from(*i == 0))
                    .push_bind(STAMP)
                    .push_bind(STAMP);
            },
        )
        .await?;

        let assessed: Vec<(&Claim, &str)> = chunk
            .iter()
            .filter_map(|c| c.assessment.map(|v| (c, v)))
            .collect();
        insert_rows(
            conn,
            "assessments (id, claim_id, verdict, summary, assessed_on, assessor, created_at, \
             updated_at)",
            &assessed,
            |row, (c, verdict)| {
                row.push_bind(format!("{}-assessment", c.id))
                    .push_bind(&c.id)
                    .push_bind(*verdict)
                    .push_bind("A synthetic assessment made by claimtrail generate.")
                    .push_bind(&c.stated_on)
                    .push_bind("claimtrail generate")
                    .push_bind(STAMP)
                    .push_bind(STAMP);
            },
        )
        .await?;
    }
    Ok(())
}

/// Inserts `rows` into `table (columns)` in statements of at most `ROWS_PER_STATEMENT` rows.
async fn insert_rows<T>(
    conn: &mut SqliteConnection,
    table: &str,
    rows: &[T],
    bind: impl Fn(&mut sqlx::query_builder::Separated<'_, Sqlite, &'static str>, &T) + Copy,
) -> sqlx::Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(format!("insert into {table} "));
        q.push_values(chunk, |mut row, item| bind(&mut row, item));
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn generated(dir: &std::path::Path, name: &str, seed: u64) -> Store {
        let store = Store::open(&dir.join(name), 1, None).await.unwrap();
        generate(&store, 2_000, seed, |_| {}).await.unwrap();
        store
    }

    async fn count(store: &Store, sql: &'static str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(store.writer())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_database_with_terms_at_their_frequencies() {
        let dir = tempfile::tempdir().unwrap();
        let a = generated(dir.path(), "a.db", 7).await;
        let b = generated(dir.path(), "b.db", 7).await;
        let c = generated(dir.path(), "c.db", 8).await;
        // The whole record but the moment of the export.
        let export = |s: Store| async move {
            let json = dataset::export(&s).await.unwrap().to_json().unwrap();
            s.close().await;
            let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
            value["recorded_at"] = serde_json::Value::Null;
            value
        };
        assert_eq!(count(&a, "select count(*) from claims").await, 2_022);
        // 电网 in claims 7 and 1007, in every script; "electricity" in one claim in ten.
        let grid = "select count(distinct claim_id) from claim_texts where text like '%电网%' \
                    or text like '%電網%'";
        assert_eq!(count(&a, grid).await, 2);
        let power = "select count(*) from claim_texts where claim_id like 'gen-%' \
                     and lang = 'en' and text like '%electricity%'";
        assert_eq!(count(&a, power).await, 200);
        let chains = "select count(*) from claims where supersedes like 'gen-%'";
        assert_eq!(count(&a, chains).await, 40);
        let appearances = "select count(*) from (select count(*) n from appearances \
                           where claim_id like 'gen-%' group by claim_id having n between 1 and 5)";
        assert_eq!(count(&a, appearances).await, 2_000);
        let indexed = "select count(*) from claim_search_docs";
        assert_eq!(count(&a, indexed).await, 2_022);
        let first = export(a).await;
        assert!(
            first == export(b).await,
            "seed 7 gave two different records"
        );
        assert!(
            first != export(c).await,
            "seeds 7 and 8 gave the same record"
        );
    }
}
