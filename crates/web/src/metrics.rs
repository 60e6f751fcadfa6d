//! Prometheus metrics of the HTTP surface: requests counted and timed by
//! method, route pattern and status.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The registry and the HTTP series. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
}

impl Metrics {
    /// A fresh registry with the HTTP series registered.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            &["method", "route", "status"],
        )
        .expect("the request counter is well formed");
        let durations = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to serve an HTTP request",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("the duration histogram is well formed");
        registry
            .register(Box::new(requests.clone()))
            .expect("the request counter is registered once");
        registry
            .register(Box::new(durations.clone()))
            .expect("the duration histogram is registered once");
        Self {
            registry,
            requests,
            durations,
        }
    }

    /// The registry, for services to add their own series.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Counts and times one request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.durations
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Everything in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(error = %error, "metrics could not be encoded");
        }
        String::from_utf8_lossy(&buffer).into_owned()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observed_request_appears_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.observe("GET", "/v1/things/{id}", 200, Duration::from_millis(3));
        let text = metrics.render();
        assert!(text.contains(
            "http_requests_total{method=\"GET\",route=\"/v1/things/{id}\",status=\"200\"} 1"
        ));
        assert!(text.contains("http_request_duration_seconds_bucket"));
    }
}
