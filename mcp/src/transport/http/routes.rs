//! [`Routes`]: what [`Server::serve_http`](crate::server::Server::serve_http) serves on
//! its listener: the endpoint at [`MCP_PATH`], the RFC 9728 metadata beside it when
//! auth is on, `/metrics` when metrics are, and 404 elsewhere.
//!
//! One struct behind one `Arc` rather than services wrapped in services: hyper clones
//! the service for every request, and each boxed layer would cost an allocation and a
//! cascade of clones there.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response, StatusCode};
use tower::BoxError;

use super::{MCP_PATH, McpBody, McpHttpService, ResponseFuture, status_response};

/// The routes of one endpoint; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Routes {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    endpoint: McpHttpService,
    #[cfg(feature = "auth")]
    metadata: Option<(super::MetadataService, String)>,
    #[cfg(feature = "metrics")]
    metrics: Option<super::metrics_endpoint::MetricsRoute>,
}

impl McpHttpService {
    /// The endpoint at [`MCP_PATH`], with what the config adds beside it (the RFC 9728
    /// metadata with [`HttpConfig::auth`](super::HttpConfig::auth), `/metrics` with
    /// `HttpConfig::metrics`), and 404 elsewhere: what
    /// [`Server::serve_http_with`](crate::server::Server::serve_http_with) serves, for
    /// [`serve`](super::serve) on a listener of your own.
    pub fn routes(&self) -> Routes {
        #[cfg(feature = "metrics")]
        let metrics = self.inner.config.metrics.clone().map(|prometheus| {
            super::metrics_endpoint::MetricsRoute::new(prometheus, &self.inner.config)
        });
        Routes {
            inner: Arc::new(Inner {
                endpoint: self.clone(),
                #[cfg(feature = "auth")]
                metadata: self.inner.config.auth.as_ref().map(|_| {
                    let inserted = crate::layers::auth::metadata_path(MCP_PATH);
                    (self.metadata_service(MCP_PATH), inserted)
                }),
                #[cfg(feature = "metrics")]
                metrics,
            }),
        }
    }
}

impl<B> tower::Service<Request<B>> for Routes
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<McpBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> ResponseFuture {
        let path = request.uri().path();
        if path == MCP_PATH {
            return tower::Service::call(&mut self.inner.endpoint.clone(), request);
        }
        #[cfg(feature = "auth")]
        if let Some((metadata, inserted)) = &self.inner.metadata
            && (path == crate::layers::auth::WELL_KNOWN || path == inserted)
        {
            return tower::Service::call(&mut metadata.clone(), request);
        }
        #[cfg(feature = "metrics")]
        if let Some(metrics) = &self.inner.metrics
            && path == super::METRICS_PATH
        {
            return Box::pin(std::future::ready(Ok(metrics.answer(&request))));
        }
        Box::pin(std::future::ready(Ok(status_response(
            StatusCode::NOT_FOUND,
        ))))
    }
}
