use std::collections::BTreeSet;

use claimtrail::domain::{ClaimFilter, ClaimSort};
use claimtrail::search::SearchQuery;
use claimtrail::store::claims::explain_list;
use claimtrail::store::{PageRequest, Store};
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{MUSK, TestApp, enc, ids_of, problem, spawn_app};

const ELECTRICITY_ZH: [&str; 10] = [
    "goldman-china-400gw-spare-capacity-2030",
    "goldman-china-spare-capacity-sufficient",
    "goldman-power-supply-key-factor",
    "huang-power-is-free",
    "morgan-stanley-us-shortfall-47gw",
    "musk-china-ai-compute",
    "musk-electricity-limiting-factor",
    "musk-underestimating-electricity",
    "openai-electricity-strategic-asset",
    "openai-electrons-new-oil",
];

const ELECTRICITY_EN: [&str; 7] = [
    "musk-china-3x-us-generation-by-2026",
    "musk-china-ai-compute",
    "musk-electricity-limiting-factor",
    "musk-underestimating-electricity",
    "openai-electricity-strategic-asset",
    "openai-electrons-new-oil",
    "openai-prevent-prc-pulling-ahead",
];

const HUANG: [&str; 3] = [
    "huang-china-nanoseconds-behind",
    "huang-china-will-win-ai-race",
    "huang-power-is-free",
];

fn set<'a>(ids: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    ids.into_iter().map(str::to_owned).collect()
}

async fn search(app: &TestApp, q: &str) -> Value {
    app.get_json(&format!("/v1/claims?limit=100&q={}", enc(q)))
        .await
}

async fn hits(app: &TestApp, q: &str) -> BTreeSet<String> {
    ids_of(&search(app, q).await).into_iter().collect()
}

#[tokio::test]
async fn queries_return_what_a_reader_expects_and_nothing_else() {
    let app = spawn_app().await;
    let electricity_not_musk: Vec<&str> = ELECTRICITY_EN
        .iter()
        .copied()
        .filter(|id| !id.starts_with("musk"))
        .collect();
    let union: Vec<&str> = ELECTRICITY_ZH.to_vec();
    let table: Vec<(&str, BTreeSet<String>)> = vec![
        // Two-character Chinese words, in both scripts.
        ("电力", set(ELECTRICITY_ZH)),
        ("電力", set(ELECTRICITY_ZH)),
        ("算力", set(["musk-china-ai-compute"])),
        ("芯片", set(["musk-china-ai-compute"])),
        // A name, in both scripts, found through the claimant's names.
        ("黄仁勋", set(HUANG)),
        ("黃仁勳", set(HUANG)),
        ("马斯克", set(MUSK)),
        ("馬斯克", set(MUSK)),
        // One character matches wherever it stands: 发电量 has 电 but not 电力.
        ("电", {
            let mut s = set(ELECTRICITY_ZH);
            s.insert("musk-china-3x-us-generation-by-2026".into());
            s
        }),
        // English: stems, phrases, words, exclusion, OR.
        ("electricity", set(ELECTRICITY_EN)),
        ("electric", set(ELECTRICITY_EN)),
        ("ELECTRICITY", set(ELECTRICITY_EN)),
        ("\"new oil\"", set(["openai-electrons-new-oil"])),
        ("online power", set(["musk-underestimating-electricity"])),
        ("\"online power\"", set([])),
        (
            "chips -huang",
            set(["musk-china-ai-compute", "musk-china-figure-out-chips"]),
        ),
        ("electricity -musk", set(electricity_not_musk)),
        ("电力 -马斯克", {
            let mut s = set(ELECTRICITY_ZH);
            s.retain(|id| !id.starts_with("musk"));
            s
        }),
        ("电力 OR 芯片", set(union)),
        // Mixed scripts, numbers and units.
        ("AI算力", set(["musk-china-ai-compute"])),
        // A trailing lone character also starts longer runs: 3倍 finds 3倍左右 and 3倍多.
        (
            "3倍",
            set([
                "musk-china-3x-us-generation-by-2026",
                "goldman-china-400gw-spare-capacity-2030",
            ]),
        ),
        ("47 GW", set(["morgan-stanley-us-shortfall-47gw"])),
        ("figure chips", set(["musk-china-figure-out-chips"])),
        ("power chips -figure", set(["musk-china-ai-compute"])),
        // Nothing to match.
        ("石油公司", set([])),
        ("🔥", set([])),
    ];
    for (q, expected) in table {
        assert_eq!(hits(&app, q).await, expected, "q={q}");
    }
}

#[tokio::test]
async fn hits_carry_a_marked_snippet_in_the_language_that_matched() {
    let app = spawn_app().await;
    let body = search(&app, "算力").await;
    let hit = &body["data"][0];
    assert_eq!(hit["matched_in"], "text");
    assert_eq!(hit["snippet_lang"], "zh-CN");
    assert!(
        hit["snippet"]
            .as_str()
            .unwrap()
            .contains("AI<mark>算力</mark>"),
        "{hit}"
    );

    let body = search(&app, "黃仁勳").await;
    let hits = body["data"].as_array().unwrap();
    // An empty result would pass the loop below without checking anything.
    assert!(!hits.is_empty(), "{body}");
    for hit in hits {
        assert_eq!(hit["matched_in"], "claimant");
        assert!(hit["snippet"].as_str().unwrap().contains("<mark>"), "{hit}");
    }

    let body = search(&app, "\"new oil\"").await;
    assert_eq!(
        body["data"][0]["snippet"],
        "Electrons are the <mark>new oil</mark>."
    );
    assert_eq!(body["data"][0]["snippet_lang"], "en");

    let body = search(&app, "3倍").await;
    let snippet = body["data"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>3倍</mark>左右"), "{snippet}");

    let plain = app.get_json("/v1/claims?limit=1").await;
    assert!(plain["data"][0].get("snippet").is_none());
}

#[tokio::test]
async fn claim_text_ranks_above_quotes_and_every_sort_works_with_q() {
    let app = spawn_app().await;
    let ranked = ids_of(&search(&app, "electricity").await);
    let quote_only = ["musk-china-ai-compute", "openai-electrons-new-oil"];
    let tail: BTreeSet<&str> = ranked[ranked.len() - 2..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(tail, quote_only.into_iter().collect(), "{ranked:?}");

    for sort in [
        "-stated_on",
        "stated_on",
        "-updated_at",
        "updated_at",
        "-relevance",
    ] {
        let body = app
            .get_json(&format!("/v1/claims?q=electricity&sort={sort}&limit=100"))
            .await;
        assert_eq!(
            ids_of(&body).into_iter().collect::<BTreeSet<_>>(),
            set(ELECTRICITY_EN),
            "{sort}"
        );
    }
    let oldest_first = ids_of(
        &app.get_json("/v1/claims?q=electricity&sort=stated_on")
            .await,
    );
    assert_eq!(oldest_first[0], "openai-electricity-strategic-asset");

    let body = problem(
        app.get("/v1/claims?sort=-relevance").await,
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "sort", "relevance needs q");
}

async fn status_of(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.get(path).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn search_results_page_without_gaps_and_count() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut url = Some(format!("/v1/claims?limit=3&count=true&q={}", enc("电力")));
    while let Some(next) = url {
        let body = app.get_json(&next).await;
        assert_eq!(body["total"], 10);
        seen.extend(ids_of(&body));
        url = body["next_cursor"]
            .as_str()
            .map(|c| format!("/v1/claims?limit=3&count=true&q={}&cursor={c}", enc("电力")));
    }
    assert_eq!(seen.len(), 10);
    assert_eq!(
        seen.iter().map(String::as_str).collect::<BTreeSet<_>>(),
        ELECTRICITY_ZH.into_iter().collect()
    );

    // A cursor of a search cannot be used without it, nor the other way round.
    let with_q = search(&app, "电力").await;
    assert!(with_q["next_cursor"].is_null());
    let page = app
        .get_json(&format!("/v1/claims?limit=2&q={}", enc("电力")))
        .await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let (status, body) = status_of(&app, &format!("/v1/claims?limit=2&cursor={cursor}")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_cursor"))
    );
}

#[tokio::test]
async fn claimants_and_sources_are_searchable_by_name() {
    let app = spawn_app().await;
    assert_eq!(
        app.ids(&format!("/v1/claimants?q={}", enc("马斯克"))).await,
        ["elon-musk"]
    );
    assert_eq!(
        app.ids(&format!("/v1/claimants?q={}", enc("摩根"))).await,
        ["morgan-stanley"]
    );
    assert_eq!(app.ids("/v1/claimants?q=sachs").await, ["goldman-sachs"]);
    let journal: BTreeSet<String> = app
        .ids(&format!("/v1/sources?q={}", enc("世界日报")))
        .await
        .into_iter()
        .collect();
    assert_eq!(
        journal,
        set([
            "worldjournal-2025-11-05-huang",
            "worldjournal-2026-01-08-musk"
        ])
    );
    let insider = app.ids("/v1/sources?q=insider&count=true").await;
    assert_eq!(insider.len(), 2, "{insider:?}");
    let not_bloomberg = app.get_json("/v1/sources?q=-bloomberg&count=true").await;
    assert_eq!(not_bloomberg["total"], 37 - 2);
}

#[tokio::test]
async fn hostile_queries_never_fail() {
    let app = spawn_app().await;
    let long_han = "電力".repeat(1000);
    let long_words = "power ".repeat(330);
    for q in [
        "\"unclosed",
        "\"",
        "NEAR(电力 算力)",
        "电力 AND",
        "OR",
        "OR OR OR",
        "- -",
        "-",
        "*",
        "col:电力",
        "{text} : x",
        "' or 1=1 --",
        "\u{0}",
        "🔥🚀",
        "^$@!",
        "电力\"算力",
        long_han.as_str(),
        long_words.as_str(),
    ] {
        let response = app.get(&format!("/v1/claims?q={}", enc(q))).await;
        assert_eq!(response.status(), StatusCode::OK, "q={q:.40}");
        for list in ["/v1/claimants", "/v1/sources"] {
            let response = app.get(&format!("{list}?q={}", enc(q))).await;
            assert_eq!(response.status(), StatusCode::OK, "{list} q={q:.40}");
        }
    }
    for q in ["", "   ", &"x".repeat(4097)] {
        for list in ["/v1/claims", "/v1/claimants", "/v1/sources"] {
            let body = problem(
                app.get(&format!("{list}?q={}", enc(q))).await,
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
            )
            .await;
            assert_eq!(body["errors"][0]["field"], "q", "{list} q={q:.10}");
        }
    }
}

#[tokio::test]
async fn reindex_picks_up_what_another_writer_changed() {
    let app = spawn_app().await;
    app.insert_claim("musk-new-remark", "2026-02-01").await;
    let db = app.db().await;
    sqlx::query("update claim_texts set text = '电网扩容 grid expansion' where claim_id = 'musk-new-remark'")
        .execute(&db)
        .await
        .unwrap();
    assert!(hits(&app, "电网").await.is_empty(), "not indexed yet");
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    assert_eq!(store.reindex().await.unwrap(), 23);
    store.close().await;
    assert_eq!(hits(&app, "电网").await, set(["musk-new-remark"]));
    assert_eq!(hits(&app, "grid expansion").await, set(["musk-new-remark"]));
    assert_eq!(
        hits(&app, "电力").await,
        set(ELECTRICITY_ZH),
        "the rest is unchanged"
    );
}

#[tokio::test]
async fn search_is_answered_from_the_index() {
    let app = spawn_app().await;
    let store = Store::open(&app.db_path, 1, None).await.unwrap();
    // Only a query of nothing but exclusions (`-musk`) has to look at every claim.
    for q in [
        "电力",
        "electricity chips",
        "电",
        "chips -huang",
        "3倍",
        "电力 OR 芯片",
    ] {
        let filter = ClaimFilter {
            search: Some(SearchQuery::parse(q).unwrap()),
            ..ClaimFilter::default()
        };
        for sort in [ClaimSort::Relevance, ClaimSort::StatedOnDesc] {
            let page = PageRequest {
                limit: 20,
                after: None,
            };
            let plan = explain_list(&store, &filter, sort, &page).await.unwrap();
            let text = plan.join("\n");
            // FTS5 writes an M in its index string for a MATCH constraint.
            assert!(
                plan.iter()
                    .any(|step| step.contains("VIRTUAL TABLE INDEX") && step.contains(":M")),
                "q={q}: no index lookup in\n{text}"
            );
            let scans_claims = plan.iter().any(|step| {
                let step = step.trim();
                step == "SCAN c" || step.starts_with("SCAN c ") || step.starts_with("SCAN claims")
            });
            assert!(!scans_claims, "q={q}: scans every claim\n{text}");
            assert!(!text.contains("LIKE"), "{text}");
        }
    }
    store.close().await;
}
