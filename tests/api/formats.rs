use std::collections::{BTreeSet, HashSet};

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{TestApp, header, problem, spawn_app};

const DATASET: &str = include_str!("../../data/dataset.json");

async fn get_with(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn csv_has_a_bom_keeps_chinese_and_parses_back_to_the_json() {
    let app = spawn_app().await;
    let response = app.get("/v1/claims?format=csv").await;
    assert_eq!(header(&response, "content-type"), "text/csv; charset=utf-8");
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for spreadsheets"
    );
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    for column in [
        "id",
        "claimant.id",
        "claimant.name",
        "text.en",
        "text.zh-CN",
        "text.zh-TW",
        "horizon.due_on",
        "topics",
    ] {
        assert!(
            headers.iter().any(|h| h == column),
            "no {column} in {headers:?}"
        );
    }
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.len(),
        21,
        "one row per listed claim: all 22 but the unverified lead"
    );
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let json = app
        .get_json("/v1/claims/goldman-china-400gw-spare-capacity-2030")
        .await;
    let row = rows
        .iter()
        .find(|r| &r[column("id")] == "goldman-china-400gw-spare-capacity-2030")
        .unwrap();
    assert_eq!(
        &row[column("text.zh-CN")],
        json["text"]["zh-CN"].as_str().unwrap()
    );
    assert_eq!(&row[column("horizon.due_on")], "2030-12-31");
    assert_eq!(
        &row[column("topics")],
        "data-centers; electricity; us-china"
    );
    let quantities: Value = serde_json::from_str(&row[column("quantities")]).unwrap();
    assert_eq!(quantities, json["quantities"]);
}

#[tokio::test]
async fn ndjson_streams_every_match_past_any_page_size() {
    let app = spawn_app().await;
    // More claims than one streamed batch, so the stream must follow its own keyset.
    let (bulk, days) = (1200, 700);
    app.insert_bulk(bulk, days).await;
    let total = app.get_json("/v1/claims?count=true&limit=1").await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(total, 1221, "1,200 new and 21 listed of the dataset's 22");

    let response = get_with(&app, "/v1/claims", "application/x-ndjson").await;
    assert_eq!(header(&response, "content-type"), "application/x-ndjson");
    assert!(
        response.headers().get("etag").is_none(),
        "a stream is not buffered to hash it"
    );
    let body = response.text().await.unwrap();
    let ids: Vec<String> = body
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len() as u64, total, "NDJSON line count equals total");
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "no claim twice"
    );

    // Bulk claim i (1 to `bulk`) is OpenAI's, stated 2020-01-01 plus i % `days` days: those
    // within 30 days are stated by 2020-01-31. The dataset's claims are added as they match.
    let until = "2020-01-31";
    let dataset: Value = serde_json::from_str(DATASET).unwrap();
    let bundled = dataset["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["claimant"] == "openai" && c["stated_on"].as_str().unwrap() <= until)
        .count();
    let expected = (1..=bulk).filter(|i| i % days <= 30).count() + bundled;
    assert_eq!(expected, 61, "1 to 30, 700 and 701 to 730");
    let filtered = app
        .get(&format!(
            "/v1/claims?format=ndjson&claimant=openai&stated_until={until}"
        ))
        .await;
    assert_eq!(filtered.status(), StatusCode::OK);
    let filtered_lines = filtered.text().await.unwrap().lines().count();
    assert_eq!(filtered_lines, expected, "NDJSON lines of the filter");
    let filtered_total = app
        .get_json(&format!(
            "/v1/claims?count=true&claimant=openai&stated_until={until}"
        ))
        .await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(filtered_total, expected as u64, "the filter's total");

    let csv_rows = app
        .get("/v1/claims?format=csv")
        .await
        .text()
        .await
        .unwrap()
        .lines()
        .count();
    assert_eq!(csv_rows as u64, total + 1, "header and every claim");
}

/// schema.org terms the JSON-LD may use, from the vocabulary at https://schema.org.
const SCHEMA_ORG_TYPES: &[&str] = &[
    "Claim",
    "ClaimReview",
    "Rating",
    "Person",
    "Organization",
    "NewsArticle",
    "PodcastEpisode",
    "Report",
    "BlogPosting",
    "SocialMediaPosting",
    "Message",
    "CreativeWork",
    "Comment",
    "DefinedTerm",
    "ItemList",
    "ListItem",
];
const SCHEMA_ORG_PROPERTIES: &[&str] = &[
    "identifier",
    "text",
    "author",
    "datePublished",
    "keywords",
    "genre",
    "temporalCoverage",
    "isBasedOn",
    "appearance",
    "firstAppearance",
    "review",
    "itemReviewed",
    "reviewBody",
    "reviewRating",
    "alternateName",
    "ratingExplanation",
    "citation",
    "description",
    "url",
    "publisher",
    "inLanguage",
    "headline",
    "comment",
    "name",
    "sameAs",
    "affiliation",
    "termCode",
    "numberOfItems",
    "itemListElement",
    "position",
    "item",
];

fn check_schema_org(value: &Value, path: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match key.as_str() {
                    "@context" => assert_eq!(v["@vocab"], "https://schema.org/", "{path}"),
                    "@type" => assert!(
                        SCHEMA_ORG_TYPES.contains(&v.as_str().unwrap()),
                        "{path}: type {v}"
                    ),
                    "@id" | "@value" | "@language" => assert!(v.is_string(), "{path}.{key}"),
                    property => {
                        assert!(
                            SCHEMA_ORG_PROPERTIES.contains(&property),
                            "{path}: {property} is not schema.org"
                        );
                        check_schema_org(v, &format!("{path}.{property}"));
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| check_schema_org(v, path)),
        _ => {}
    }
}

#[tokio::test]
async fn json_ld_is_schema_org_claims_with_appearances_and_reviews() {
    let app = spawn_app().await;
    let response = get_with(
        &app,
        "/v1/claims/musk-china-3x-us-generation-by-2026",
        "application/ld+json",
    )
    .await;
    assert_eq!(header(&response, "content-type"), "application/ld+json");
    let claim: Value = response.json().await.unwrap();
    check_schema_org(&claim, "claim");
    assert_eq!(claim["@type"], "Claim");
    assert_eq!(claim["author"]["name"], "Elon Musk");
    assert_eq!(claim["datePublished"], "2026-01-06");
    assert_eq!(
        claim["temporalCoverage"], "2026",
        "a year-precision horizon stays a year"
    );
    assert_eq!(claim["appearance"].as_array().unwrap().len(), 8);
    assert_eq!(
        claim["firstAppearance"]["@id"],
        "/v1/sources/businessinsider-2026-01-07-musk-ai-compute"
    );
    let review = &claim["review"][0];
    assert_eq!(review["@type"], "ClaimReview");
    assert_eq!(review["reviewRating"]["alternateName"], "pending");
    let languages: BTreeSet<&str> = claim["text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["@language"].as_str().unwrap())
        .collect();
    assert_eq!(languages, BTreeSet::from(["en", "zh-CN"]));

    for path in [
        "/v1/claims?format=jsonld&limit=5",
        "/v1/claimants?format=jsonld",
        "/v1/claimants/jensen-huang?format=jsonld",
        "/v1/sources?format=jsonld&limit=50",
        "/v1/topics?format=jsonld",
        "/v1/indicators/spare-power-capacity?format=jsonld",
        "/v1/claims/morgan-stanley-us-shortfall-47gw/revisions?format=jsonld",
        "/v1/claims/huang-china-will-win-ai-race/appearances?format=jsonld",
        "/v1/claims/openai-electron-gap-2024/assessments?format=jsonld",
    ] {
        let doc = app.get_json(path).await;
        check_schema_org(&doc, path);
    }
    let list = app.get_json("/v1/claims?format=jsonld&limit=2").await;
    assert_eq!(list["@type"], "ItemList");
    assert_eq!(list["itemListElement"][0]["item"]["@type"], "Claim");
}

#[tokio::test]
async fn accept_is_negotiated_and_an_unsupported_one_is_406() {
    let app = spawn_app().await;
    for (accept, expected) in [
        ("*/*", "application/json"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/json",
        ),
        ("text/csv", "text/csv; charset=utf-8"),
        (
            "application/ld+json;q=0.5, text/csv;q=0.9",
            "text/csv; charset=utf-8",
        ),
        (
            "application/json;q=0, application/ld+json",
            "application/ld+json",
        ),
        ("application/*", "application/json"),
    ] {
        let response = get_with(&app, "/v1/claims/huang-power-is-free", accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(header(&response, "content-type"), expected, "{accept}");
    }
    for (path, accept) in [
        ("/v1/claims", "text/html"),
        ("/v1/claims/huang-power-is-free", "application/xml"),
        (
            "/v1/indicators/datacenter-power-shortfall/estimates",
            "application/ld+json",
        ),
    ] {
        let response = get_with(&app, path, accept).await;
        assert_eq!(
            response.status(),
            StatusCode::NOT_ACCEPTABLE,
            "{path} {accept}"
        );
        assert_eq!(
            header(&response, "content-type"),
            "application/problem+json"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_acceptable");
    }
    let estimates = app
        .get("/v1/indicators/datacenter-power-shortfall/estimates?format=jsonld")
        .await;
    problem(estimates, StatusCode::NOT_ACCEPTABLE, "not_acceptable").await;
    let bad = app.get("/v1/claims?format=xml").await;
    let body = problem(bad, StatusCode::BAD_REQUEST, "invalid_parameter").await;
    assert_eq!(body["errors"][0]["field"], "format");
    // format= wins over Accept.
    let csv = get_with(&app, "/v1/topics?format=csv", "application/json").await;
    assert_eq!(header(&csv, "content-type"), "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("names.zh-CN") && text.contains("芯片"),
        "{text}"
    );
}
