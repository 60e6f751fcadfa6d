//! The request log: one line per request, without query strings or bodies.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use actix_web::test::TestRequest;

use crate::helpers::call;

#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The log of the whole test binary. A global subscriber, because a
/// thread-local one races with the callsite caching of tests running on
/// other threads.
pub fn captured_log() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        captured
    })
}

impl Captured {
    /// The lines logged so far that contain `needle`.
    pub fn lines_with(&self, needle: &str) -> String {
        let everything = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        everything
            .lines()
            .filter(|line| line.contains(needle))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[actix_web::test]
async fn the_request_log_names_method_path_and_status_but_never_the_id_number() {
    let captured = captured_log();
    let request = TestRequest::post()
        .uri("/v1/things?id_number=41010519900307803X")
        .insert_header(("x-request-id", "req-log"))
        .set_json(serde_json::json!({"name": "41010519900307803X", "count": 1}));
    let (status, _, _) = call(request).await;
    assert_eq!(status, 201);
    let everything = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let log: String = everything
        .lines()
        .filter(|line| line.contains("req-log"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(log.contains("request served"), "{log}");
    assert!(log.contains("request_id=req-log"), "{log}");
    assert!(log.contains("method=POST"), "{log}");
    assert!(log.contains("path=/v1/things"), "{log}");
    assert!(log.contains("status=201"), "{log}");
    assert!(!log.contains("41010519900307803X"), "{log}");
}
