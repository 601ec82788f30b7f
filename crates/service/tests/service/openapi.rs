//! The committed OpenAPI document is the one the service serves.

use crate::harness::*;

const COMMITTED: &str = include_str!("../../../../openapi.json");

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = kaigo_service::http::openapi::json();
    if generated != COMMITTED {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
        if std::env::var("UPDATE_OPENAPI").is_ok() {
            std::fs::write(path, &generated).unwrap();
        } else {
            panic!("openapi.json is out of date: run `UPDATE_OPENAPI=1 cargo test -p kaigo-service openapi` and commit it");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_serves_its_openapi_document_and_it_lists_every_step() {
    let app = spawn_app().await;
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in ["/v1/office/login", "/v1/office/admin-users", "/v1/user/login", "/v1/user/password", "/v1/terminals", "/v1/terminals/{terminal_id}/activation", "/v1/terminal-activations", "/v1/terminal-activations/{terminal_id}/proof"] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    let served = app.client(&app.b).openapi_document().await.unwrap();
    assert_eq!(served, doc);
}

#[test]
fn operation_ids_are_unique_and_query_parameters_are_declared_as_such() {
    let doc: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (_, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_owned()), "operationId {id} repeated ({path})");
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let expected = if path.contains(&format!("{{{name}}}")) { "path" } else if name == "Idempotency-Key" { "header" } else { "query" };
                assert_eq!(p["in"], expected, "{path} {name}");
            }
        }
    }
}
