use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{TestApp, enc, spawn_app};

/// Sends a request and returns its status and problem body, checking it is problem+json.
async fn problem(app: &TestApp, method: Method, path: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .request(method.clone(), format!("{}{}", app.address, path))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers().get("content-type").cloned();
    let body = response.text().await.unwrap();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{method} {path} -> {status}: {body}"
    );
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{body}"
    );
    assert!(json["code"].is_string() && json["title"].is_string() && json["detail"].is_string());
    (status, json)
}

#[tokio::test]
async fn error_bodies_are_stable() {
    let app = spawn_app().await;
    let cases = [
        ("unknown_route", Method::GET, "/v2/claims"),
        (
            "wrong_method",
            Method::PUT,
            "/v1/claims/musk-china-ai-compute",
        ),
        ("claim_not_found", Method::GET, "/v1/claims/no-such-claim"),
        ("claimant_not_found", Method::GET, "/v1/claimants/no-one"),
        ("source_not_found", Method::GET, "/v1/sources/nowhere"),
        ("topic_not_found", Method::GET, "/v1/topics/nothing"),
        ("indicator_not_found", Method::GET, "/v1/indicators/nothing"),
        (
            "invalid_parameters",
            Method::GET,
            "/v1/claims?limit=0&kind=guess&stated_since=2026-13-01&current=yes&sort=name",
        ),
        (
            "unknown_parameter",
            Method::GET,
            "/v1/claims?claimaint=elon-musk",
        ),
        (
            "repeated_parameter",
            Method::GET,
            "/v1/claims?limit=5&limit=6",
        ),
        (
            "invalid_cursor",
            Method::GET,
            "/v1/claims?cursor=not-a-cursor",
        ),
        (
            "invalid_expand",
            Method::GET,
            "/v1/claims/huang-power-is-free?expand=everything",
        ),
        (
            "parameter_on_sub_collection",
            Method::GET,
            "/v1/claims/huang-power-is-free/appearances?limit=5",
        ),
    ];
    for (name, method, path) in cases {
        let (_, body) = problem(&app, method, path).await;
        insta::assert_json_snapshot!(name, body);
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/v1/claims", "GET, HEAD, POST"),
        (
            Method::PUT,
            "/v1/claims/musk-china-ai-compute",
            "GET, HEAD, PATCH, DELETE",
        ),
        (
            Method::PUT,
            "/v1/sources/moonshots-2026-01-06-musk",
            "GET, HEAD, PATCH, DELETE",
        ),
        (Method::DELETE, "/v1/topics", "GET, HEAD, POST"),
        (Method::POST, "/healthz", "GET, HEAD"),
        (Method::POST, "/openapi.json", "GET, HEAD"),
    ] {
        let response = app
            .client
            .request(method.clone(), format!("{}{}", app.address, path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let (_, body) = problem(&app, method, path).await;
        assert_eq!(body["code"], "method_not_allowed");
    }
}

#[tokio::test]
async fn hostile_query_strings_get_a_problem_never_a_500() {
    let app = spawn_app().await;
    let hostile = [
        "' or 1=1 --",
        "\"; drop table claims; --",
        "%00",
        "\u{0}",
        "電力 OR 1",
        "*",
        "NEAR(a b)",
        "🔥",
        &"x".repeat(5000),
    ];
    let lists = [
        "/v1/claims",
        "/v1/claimants",
        "/v1/sources",
        "/v1/topics",
        "/v1/indicators",
    ];
    for value in hostile {
        let v = enc(value);
        for list in lists {
            for param in ["limit", "cursor", "count", "no_such_parameter"] {
                let (status, body) =
                    problem(&app, Method::GET, &format!("{list}?{param}={v}")).await;
                assert_eq!(
                    status,
                    StatusCode::BAD_REQUEST,
                    "{list}?{param}={value:.40}"
                );
                // A cursor is refused whole, with no field; every other parameter is named.
                if param == "cursor" {
                    assert_eq!(body["code"], "invalid_cursor", "{list}?{param}={value:.40}");
                } else {
                    assert_eq!(
                        body["code"], "invalid_parameter",
                        "{list}?{param}={value:.40}"
                    );
                    assert_eq!(
                        body["errors"][0]["field"], param,
                        "{list}?{param}={value:.40}"
                    );
                }
            }
        }
        for param in [
            "kind",
            "status",
            "lang",
            "stated_since",
            "stated_until",
            "due_before",
            "due_after",
            "current",
            "sort",
            "expand",
        ] {
            let (status, body) =
                problem(&app, Method::GET, &format!("/v1/claims?{param}={v}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{param}={value:.40}");
            assert_eq!(body["code"], "invalid_parameter", "{param}={value:.40}");
            assert_eq!(body["errors"][0]["field"], param, "{param}={value:.40}");
        }
        for param in ["claimant", "topic", "source"] {
            // Free-text filters match nothing rather than fail; they are bound, never spliced.
            let response = app.get(&format!("/v1/claims?{param}={v}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{param}={value:.40}");
        }
        for (item, code) in [
            ("/v1/claims/", "claim_not_found"),
            ("/v1/claimants/", "claimant_not_found"),
            ("/v1/sources/", "source_not_found"),
            ("/v1/topics/", "topic_not_found"),
            ("/v1/indicators/", "indicator_not_found"),
        ] {
            let (status, body) = problem(&app, Method::GET, &format!("{item}{v}")).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{item}{value:.40}");
            assert_eq!(body["code"], code, "{item}{value:.40}");
        }
    }
    // Bytes that are not UTF-8 are read as U+FFFD (the router decodes the path, and the query,
    // lossily): the id is merely unknown and the kind merely invalid.
    for (path, expected, code, field) in [
        (
            "/v1/claims/%FF%FE",
            StatusCode::NOT_FOUND,
            "claim_not_found",
            None,
        ),
        (
            "/v1/claims?kind=%FF",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            Some("kind"),
        ),
        (
            "/v1/claims?limit=-1",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            Some("limit"),
        ),
        (
            "/v1/claims?limit=1e3",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            Some("limit"),
        ),
        (
            "/v1/claims?limit=18446744073709551617",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            Some("limit"),
        ),
    ] {
        let (status, body) = problem(&app, Method::GET, path).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert_eq!(body["code"], code, "{path}: {body}");
        match field {
            Some(field) => assert_eq!(body["errors"][0]["field"], field, "{path}: {body}"),
            None => assert!(body.get("errors").is_none(), "{path}: {body}"),
        }
    }
}

#[tokio::test]
async fn a_cursor_from_another_list_or_sort_is_refused() {
    let app = spawn_app().await;
    let page = app.get_json("/v1/claims?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/claims?limit=2&cursor={cursor}"))
            .await
            .status(),
        200
    );
    for path in [
        format!("/v1/claims?limit=2&sort=stated_on&cursor={cursor}"),
        format!("/v1/sources?cursor={cursor}"),
        format!("/v1/claims?cursor={}", &cursor[2..]),
    ] {
        let (_, body) = problem(&app, Method::GET, &path).await;
        assert_eq!(body["code"], "invalid_cursor", "{path}");
    }
}

/// A cursor made by hand whose position is not a value of the sort column: the search index
/// and the table would read it differently, so it is refused in both.
#[tokio::test]
async fn a_cursor_whose_position_is_not_of_the_sort_column_is_refused() {
    use base64::Engine;
    let app = spawn_app().await;
    let cursor = |list: &str, key: Option<&str>| {
        let mut json = serde_json::json!({"l": list, "i": "musk-china-ai-compute"});
        if let Some(key) = key {
            json["k"] = key.into();
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string())
    };
    for (query, list, key) in [
        ("sort=-stated_on", "claims:-stated_on", Some("2026-01-06")),
        (
            "sort=-stated_on&q=power",
            "claims:-stated_on",
            Some("2026-01-06"),
        ),
        (
            "sort=updated_at",
            "claims:updated_at",
            Some("2026-11-29T01:00:00Z"),
        ),
    ] {
        let path = format!("/v1/claims?{query}&cursor={}", cursor(list, key));
        assert_eq!(app.get(&path).await.status(), 200, "{path}");
    }
    for (query, list, key) in [
        ("sort=-stated_on", "claims:-stated_on", Some("not a date")),
        (
            "sort=-stated_on&q=power",
            "claims:-stated_on",
            Some("99999-01-01"),
        ),
        (
            "sort=stated_on&q=power",
            "claims:stated_on",
            Some("2026-02-30"),
        ),
        ("sort=-stated_on", "claims:-stated_on", None),
        ("q=power", "claims:-relevance", Some("2026-01")),
        ("sort=updated_at", "claims:updated_at", None),
    ] {
        let path = format!("/v1/claims?{query}&cursor={}", cursor(list, key));
        let (status, body) = problem(&app, Method::GET, &path).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["code"], "invalid_cursor", "{path}");
    }
}
