//! Refusals as the tests read them: status, media type, `code`, and what they name.

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Reads a refusal: asserts its status, that it is problem+json with that status in the body,
/// and its `code`; returns the body.
pub async fn problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "{}", response.url());
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    body
}

/// Reads a 422 `validation_failed` and returns each failing field with its message.
pub async fn invalid_fields(response: Response) -> Vec<(String, String)> {
    let body = problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A 409 `conflict` whose detail says `why`: each rule has its own sentence, so that a fork
/// or a loop is not passed by an "id taken".
pub async fn conflict_saying(response: Response, why: &str) {
    let refusal = problem(response, StatusCode::CONFLICT, "conflict").await;
    let detail = refusal["detail"].as_str().unwrap();
    assert!(detail.contains(why), "{refusal}");
}
