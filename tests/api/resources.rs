use serde_json::Value;

use crate::support::{ids_of, spawn_app};

#[tokio::test]
async fn claimants_carry_names_aliases_and_affiliations() {
    let app = spawn_app().await;
    let ids = app.ids("/v1/claimants").await;
    assert_eq!(
        ids,
        [
            "elon-musk",
            "goldman-sachs",
            "jensen-huang",
            "morgan-stanley",
            "openai"
        ]
    );

    let huang = app.get_json("/v1/claimants/jensen-huang").await;
    assert_eq!(huang["kind"], "person");
    assert_eq!(huang["names"]["zh-TW"], "黃仁勳");
    assert_eq!(huang["affiliations"][0]["organization"], "Nvidia");
    assert_eq!(huang["claim_count"], 3);
    let aliases: Vec<&str> = huang["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["alias"].as_str().unwrap())
        .collect();
    assert!(
        aliases.contains(&"黄仁勋") && aliases.contains(&"黃仁勳"),
        "{aliases:?}"
    );
}

#[tokio::test]
async fn sources_keep_their_citation_chain_and_uncertainty() {
    let app = spawn_app().await;
    let bi = app
        .get_json("/v1/sources/businessinsider-2026-01-07-musk-ai-compute")
        .await;
    assert_eq!(
        bi["cites"],
        serde_json::json!(["moonshots-2026-01-06-musk"])
    );
    let cited_by: Vec<&str> = bi["cited_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(cited_by, ["globaltimes-2026-01-08-musk"]);
    let reposted = app.get_json("/v1/sources/cankaoxiaoxi-musk").await;
    assert_eq!(
        reposted["cited_by"],
        serde_json::json!(["ckhq-musk", "meiguo-2026-01-07-musk"])
    );

    let podcast = app.get_json("/v1/sources/moonshots-2026-01-06-musk").await;
    assert_eq!(podcast["url"], Value::Null);
    assert!(podcast["note"].as_str().unwrap().contains("URL not found"));

    let inferred = app
        .get_json("/v1/sources/morgan-stanley-2025-12-ai-power-gap")
        .await;
    assert!(inferred["note"].as_str().unwrap().contains("inferred"));

    let seed = app
        .get_json("/v1/sources/eeff7-2026-01-10-musk-ai-compute")
        .await;
    assert_eq!(seed["language"], "zh-CN");
    assert_eq!(seed["published_at"], "2026-01-10T08:08:44Z");
    assert_eq!(seed["authors"], serde_json::json!(["小编"]));

    let letter = app
        .get_json("/v1/sources/openai-ostp-submission-2025-10")
        .await;
    // Reports name Chris Lehane writing to Michael Kratsios; none supports Sam Altman.
    let note = letter["note"].as_str().unwrap();
    assert!(
        note.contains("Chris Lehane") && note.contains("Michael Kratsios"),
        "{note}"
    );
    assert!(note.contains("no report supports Sam Altman"), "{note}");
    assert_eq!(letter["verification"], "secondary");
}

#[tokio::test]
async fn following_link_headers_lists_every_source_once() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    let mut url = Some("/v1/sources?limit=7&count=true".to_owned());
    while let Some(next) = url {
        let response = app.get(&next).await;
        url = response.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            l.trim_start_matches('<')
                .split('>')
                .next()
                .unwrap()
                .to_owned()
        });
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["total"], 37);
        seen.extend(ids_of(&body));
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!((seen.len(), sorted), (37, seen.clone()));
}

#[tokio::test]
async fn topics_and_indicators_count_their_use() {
    let app = spawn_app().await;
    let topics = app.get_json("/v1/topics").await;
    assert_eq!(
        ids_of(&topics),
        [
            "ai-compute",
            "chips",
            "data-centers",
            "electricity",
            "us-china"
        ]
    );
    let chips = app.get_json("/v1/topics/chips").await;
    assert_eq!(chips["names"]["zh-CN"], "芯片");
    assert_eq!(chips["claim_count"], 2);

    let shortfall = app
        .get_json("/v1/indicators/datacenter-power-shortfall")
        .await;
    assert_eq!(shortfall["dimension"], "power");
    assert_eq!(shortfall["si_unit"], "W");
    assert_eq!(shortfall["quantity_count"], 5, "36, 44 and 13, 47, 55");
    assert_eq!(app.ids("/v1/indicators").await.len(), 7);
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    assert_eq!(app.get_json("/readyz").await["status"], "ready");
}

#[tokio::test]
async fn the_docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let bare = no_redirects
        .get(format!("{}/docs", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 308);
    assert_eq!(bare.headers()["location"], "/docs/");

    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html:.200}");
    assert!(
        !html.contains("://cdn") && !html.contains("unpkg.com"),
        "no CDN"
    );
    for asset in [
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/docs/swagger-initializer.js",
    ] {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert!(response.bytes().await.unwrap().len() > 100, "{asset}");
    }
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
}
