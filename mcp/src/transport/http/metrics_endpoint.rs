//! `GET /metrics` beside the MCP endpoint, when [`HttpConfig::metrics`] is set: the
//! Prometheus text exposition, behind the same Host and Origin checks as the
//! endpoint (a page in a browser must not read it through DNS rebinding).

use bytes::Bytes;
use http::{Request, Response, StatusCode};

use super::{HostPolicy, HttpConfig, McpBody, guard, status_response};
use crate::layers::metrics::{MetricsService, Prometheus};

/// The path [`Server::serve_http`](crate::server::Server::serve_http) serves the
/// metrics at.
pub const METRICS_PATH: &str = "/metrics";

impl HttpConfig {
    /// Records every request the server answers into `prometheus` (a
    /// [`MetricsLayer`](crate::layers::metrics::MetricsLayer) is observing it), and
    /// has [`Server::serve_http_with`](crate::server::Server::serve_http_with) serve
    /// the exposition at `GET /metrics`, without auth, under the endpoint's Host and
    /// Origin checks. Mounting the endpoint yourself, serve
    /// [`Prometheus::service`] where you choose.
    pub fn metrics(mut self, prometheus: Prometheus) -> Self {
        self.metrics = Some(prometheus);
        self
    }
}

/// `GET /metrics` under the endpoint's Host and Origin checks.
#[derive(Debug)]
pub(super) struct MetricsRoute {
    service: MetricsService,
    hosts: HostPolicy,
    origins: HostPolicy,
}

impl MetricsRoute {
    pub(super) fn new(prometheus: Prometheus, config: &HttpConfig) -> Self {
        MetricsRoute {
            service: prometheus.service(),
            hosts: config.hosts.clone(),
            origins: config.origins.clone(),
        }
    }

    /// The exposition, 405 for a method other than `GET` and `HEAD`, or 403 for a
    /// Host or Origin the endpoint would refuse.
    pub(super) fn answer<B>(&self, request: &Request<B>) -> Response<McpBody> {
        let checked = guard::check(&self.hosts, &self.origins, request.uri(), request.headers());
        match checked {
            Err(_) => status_response(StatusCode::FORBIDDEN),
            Ok(()) => self
                .service
                .answer(request)
                .map(|text| McpBody::full(Bytes::from(text))),
        }
    }
}
