//! `GET /metrics` beside the MCP endpoint, when [`HttpConfig::metrics`] is set: the
//! Prometheus text exposition, behind the same Host and Origin checks as the
//! endpoint (a page in a browser must not read it through DNS rebinding).

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response, StatusCode};

use super::{HttpConfig, McpBody, ResponseFuture, guard, status_response};
use crate::layers::metrics::Prometheus;

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

/// `routes`, with `GET /metrics` answered from `prometheus` under `config`'s checks.
pub(super) fn with_metrics<S, B>(
    routes: S,
    prometheus: Prometheus,
    config: &HttpConfig,
) -> impl tower::Service<
    Request<B>,
    Response = Response<McpBody>,
    Error = Infallible,
    Future = ResponseFuture,
> + Clone
+ Send
+ 'static
where
    S: tower::Service<
            Request<B>,
            Response = Response<McpBody>,
            Error = Infallible,
            Future = ResponseFuture,
        > + Clone
        + Send
        + 'static,
    B: Send + 'static,
{
    let (hosts, origins) = (config.hosts.clone(), config.origins.clone());
    let metrics = prometheus.service();
    tower::service_fn(move |request: Request<B>| {
        if request.uri().path() != METRICS_PATH {
            return tower::Service::call(&mut routes.clone(), request);
        }
        let checked = guard::check(&hosts, &origins, request.uri(), request.headers());
        let response = match checked {
            Err(_) => status_response(StatusCode::FORBIDDEN),
            Ok(()) => metrics
                .answer(&request)
                .map(|text| McpBody::full(Bytes::from(text))),
        };
        Box::pin(std::future::ready(Ok(response))) as ResponseFuture
    })
}
