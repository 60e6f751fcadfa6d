//! The API document (`/openapi.json`) as one piece: the services' own
//! pieces merged ([`merge_openapi`]), then completed in one place with what
//! every operation shares because the shared extractors and middleware do
//! it, not the operation: every error answer is an RFC 9457 problem
//! (`application/problem+json`), and each operation lists the statuses its
//! inputs can bring (a path, query, header or body that cannot be read is
//! 400; a bearer operation may answer 401 and 403; a path with an id 404;
//! a body 413, 415 and 422; `If-Match` 412; any request 408, 500 and 503).
//! [`AllowedMethods`] reads the document back for the `Allow` header of a
//! 405: the document lists what each path takes.

use serde_json::{Map, Value, json};
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{OpenApi as _, ToSchema};

use labex_app::FieldError;

use crate::error::{PROBLEM_JSON, Problem};
use crate::ops::BaseDoc;

/// The name of the bearer security scheme in the document.
pub const BEARER_SCHEME: &str = "bearer";

/// The methods an OpenAPI path item can hold, in the order `Allow` lists
/// them.
const METHODS: [&str; 8] = [
    "get", "head", "post", "put", "patch", "delete", "options", "trace",
];

/// One document from the services' documents, with the problem schema,
/// the bearer security scheme, and the error answers every operation
/// shares: the JSON `/openapi.json` serves.
pub fn merge_openapi(documents: impl IntoIterator<Item = OpenApi>) -> Value {
    let mut merged = BaseDoc::openapi();
    for document in documents {
        merged.merge(document);
    }
    let components = merged.components.get_or_insert_with(Default::default);
    let shared = [
        crate::schemas::named::<Problem>(),
        crate::schemas::named::<FieldError>(),
    ];
    components
        .schemas
        .extend(shared.into_iter().chain(crate::schemas::value_schemas()));
    components.security_schemes.insert(
        BEARER_SCHEME.to_owned(),
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    let mut document = serde_json::to_value(&merged).expect("the API document serialises");
    complete_error_answers(&mut document);
    document
}

/// What an operation takes, as far as the shared statuses go.
struct Inputs {
    parameters: bool,
    path_parameters: bool,
    body: bool,
    if_match: bool,
    bearer: bool,
    api: bool,
}

impl Inputs {
    fn of(path: &str, operation: &Map<String, Value>) -> Self {
        let parameters = operation
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let located = |place: &str| {
            parameters
                .iter()
                .any(|parameter| parameter["in"].as_str() == Some(place))
        };
        Self {
            parameters: !parameters.is_empty(),
            path_parameters: located("path"),
            body: operation.contains_key("requestBody"),
            if_match: parameters.iter().any(|parameter| {
                parameter["in"].as_str() == Some("header")
                    && parameter["name"]
                        .as_str()
                        .is_some_and(|name| name.eq_ignore_ascii_case("if-match"))
            }),
            bearer: operation
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|requirements| {
                    requirements
                        .iter()
                        .any(|requirement| requirement.get(BEARER_SCHEME).is_some())
                }),
            api: path.starts_with("/v1/"),
        }
    }

    /// The statuses these inputs can bring, with what each means.
    fn shared_statuses(&self) -> Vec<(u16, &'static str)> {
        let mut statuses = Vec::new();
        if self.parameters || self.body {
            statuses.push((
                400,
                "the request cannot be read: a path segment, query parameter, header or body that is not well-formed (see type and errors)",
            ));
        }
        if self.bearer {
            statuses.push((
                401,
                "no bearer token, or one that is malformed, badly signed, expired or revoked",
            ));
            statuses.push((403, "the caller may not do this here"));
        }
        if self.path_parameters {
            statuses.push((404, "no such resource"));
        }
        if self.api {
            statuses.push((
                408,
                "the request did not arrive and was not answered in time",
            ));
        }
        if self.if_match {
            statuses.push((
                412,
                "changed since the If-Match revision, or If-Match held only weak tags",
            ));
        }
        if self.body {
            statuses.push((413, "the body exceeds the size limit"));
            statuses.push((415, "the body is not JSON"));
            statuses.push((
                422,
                "the body is JSON of the wrong shape, or has invalid fields (listed in errors)",
            ));
        }
        if self.api {
            statuses.push((500, "a fault of the service"));
            statuses.push((
                503,
                "the event store cannot be reached, or token revocations are not known yet; retry",
            ));
        }
        statuses
    }
}

/// Every error answer of every operation as problem+json, and the shared
/// statuses added where an operation does not list them itself.
fn complete_error_answers(document: &mut Value) {
    let problem = json!({
        PROBLEM_JSON: {"schema": {"$ref": format!("#/components/schemas/{}", Problem::name())}}
    });
    if let Some(paths) = document.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for method in METHODS {
                let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                    continue;
                };
                let inputs = Inputs::of(path, operation);
                never_null_parameters(operation);
                describe_idempotency_key(operation);
                let responses = operation
                    .entry("responses")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("responses are an object");
                for (status, description) in inputs.shared_statuses() {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| json!({"description": description}));
                }
                for (status, response) in responses.iter_mut() {
                    let is_error = status.parse::<u16>().is_ok_and(|status| status >= 400);
                    if let (true, Some(response)) = (is_error, response.as_object_mut()) {
                        response.insert("content".to_owned(), problem.clone());
                    }
                }
            }
        }
    }
}

/// An operation's parameters (none if it has none).
fn parameters_of(operation: &mut Map<String, Value>) -> impl Iterator<Item = &mut Value> {
    operation
        .get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// A path, query or header parameter is text, present or absent: never
/// JSON `null`, which an optional parameter's schema (`Option<String>`)
/// would otherwise allow, and a client would send as the text `null`.
fn never_null_parameters(operation: &mut Map<String, Value>) {
    for parameter in parameters_of(operation) {
        let Some(types) = parameter
            .pointer_mut("/schema/type")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        types.retain(|kind| kind != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            if let Some(schema) = parameter.get_mut("schema") {
                schema["type"] = only;
            }
        }
    }
}

/// What an `Idempotency-Key` does, said the same way on every operation
/// that takes one: a key names one request.
const IDEMPOTENCY_KEY_RULE: &str = "Makes a retry safe: the same key with the same request is answered as the first time, and nothing is written twice; the same key with another request (another path or body) is refused (422 idempotency_key_reused). Send a new key for each new request.";

fn describe_idempotency_key(operation: &mut Map<String, Value>) {
    for parameter in parameters_of(operation) {
        let is_key = parameter["in"].as_str() == Some("header")
            && parameter["name"]
                .as_str()
                .is_some_and(|name| name.eq_ignore_ascii_case("idempotency-key"));
        if is_key {
            parameter["description"] = Value::from(IDEMPOTENCY_KEY_RULE);
        }
    }
}

/// One segment of a documented path: a literal, or a `{parameter}`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

/// The methods each documented path takes, read from the document: what
/// a 405 lists in `Allow`, and whether an unmatched request names a
/// documented path (405) or none (404).
#[derive(Debug, Clone, Default)]
pub struct AllowedMethods {
    paths: Vec<(Vec<Segment>, String)>,
}

impl AllowedMethods {
    /// From the document.
    pub fn of(document: &Value) -> Self {
        let mut paths = Vec::new();
        if let Some(items) = document.get("paths").and_then(Value::as_object) {
            for (path, item) in items {
                let methods: Vec<String> = METHODS
                    .iter()
                    .filter(|method| item.get(**method).is_some())
                    .map(|method| method.to_ascii_uppercase())
                    .collect();
                let segments = path
                    .split('/')
                    .map(|segment| {
                        if segment.starts_with('{') && segment.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(segment.to_owned())
                        }
                    })
                    .collect();
                paths.push((segments, methods.join(", ")));
            }
        }
        Self { paths }
    }

    /// The `Allow` value of the documented path `path` matches (`GET,
    /// PATCH`), or `None` when it matches none. Where several match
    /// (`/v1/vacancies/search` and `/v1/vacancies/{id}`), the one with a
    /// literal segment first wins, as the router prefers it.
    pub fn for_path(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        self.paths
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(expected, actual)| match expected {
                            Segment::Literal(literal) => literal == actual,
                            Segment::Parameter => !actual.is_empty(),
                        })
            })
            .max_by_key(|(template, _)| {
                template
                    .iter()
                    .map(|segment| matches!(segment, Segment::Literal(_)))
                    .collect::<Vec<_>>()
            })
            .map(|(_, methods)| methods.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/v1/vacancies/{id}": {
                    "get": {"responses": {"200": {"description": "ok"}}},
                    "patch": {
                        "parameters": [
                            {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                            {"name": "If-Match", "in": "header", "schema": {"type": "string"}}
                        ],
                        "requestBody": {"content": {"application/json": {"schema": {}}}},
                        "responses": {"200": {"description": "ok"}, "409": {"description": "conflict", "content": {"application/json": {}}}},
                        "security": [{"bearer": []}]
                    }
                },
                "/v1/vacancies/search": {"get": {"responses": {"200": {"description": "ok"}}}}
            }
        })
    }

    #[test]
    fn a_documented_path_allows_its_documented_methods_and_literals_win() {
        let allowed = AllowedMethods::of(&document());
        assert_eq!(
            allowed.for_path("/v1/vacancies/0190-abc"),
            Some("GET, PATCH")
        );
        assert_eq!(allowed.for_path("/v1/vacancies/search"), Some("GET"));
        assert_eq!(allowed.for_path("/v1/vacancies/"), None);
        assert_eq!(allowed.for_path("/v1/nothing"), None);
    }

    #[test]
    fn error_answers_become_problems_and_shared_statuses_are_added() {
        let mut completed = document();
        complete_error_answers(&mut completed);
        let patch = &completed["paths"]["/v1/vacancies/{id}"]["patch"]["responses"];
        for status in [
            "400", "401", "403", "404", "408", "409", "412", "413", "415", "422", "500", "503",
        ] {
            assert!(
                patch[status]["content"][PROBLEM_JSON].is_object(),
                "{status}: {patch}"
            );
        }
        assert_eq!(patch["409"]["description"], "conflict");
        assert!(patch["409"]["content"]["application/json"].is_null());
        let get = &completed["paths"]["/v1/vacancies/search"]["get"]["responses"];
        assert!(get["400"].is_null(), "no inputs, no 400: {get}");
        assert!(get["401"].is_null(), "anonymous, no 401: {get}");
    }

    #[test]
    fn every_idempotency_key_says_that_it_names_one_request() {
        let mut operation = json!({
            "parameters": [
                {"name": "Idempotency-Key", "in": "header", "description": "makes a retry safe", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}
            ]
        });
        describe_idempotency_key(operation.as_object_mut().unwrap());
        assert_eq!(
            operation["parameters"][0]["description"],
            IDEMPOTENCY_KEY_RULE
        );
        assert!(IDEMPOTENCY_KEY_RULE.contains("422 idempotency_key_reused"));
        assert!(operation["parameters"][1]["description"].is_null());
    }
}
