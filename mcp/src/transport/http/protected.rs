//! Serving the RFC 9728 Protected Resource Metadata beside an endpoint that requires
//! auth ([`HttpConfig::auth`](super::HttpConfig::auth)).
//!
//! [`Server::serve_http`](crate::server::Server::serve_http) answers both well-known
//! paths by itself; with [`McpHttpService`] mounted in axum, mount
//! [`McpHttpService::metadata_service`] at `/.well-known/oauth-protected-resource` and
//! at the path-inserted `/.well-known/oauth-protected-resource/mcp`.

use std::convert::Infallible;
use std::task::{Context, Poll};

use http::{HeaderValue, Method, Request, Response, StatusCode, header};

use super::{McpBody, McpHttpService, ResponseFuture, json_response, status_response};

/// Answers `GET` with the endpoint's metadata document (404 when the endpoint has no
/// auth configured, 405 for other methods).
#[derive(Clone, Debug)]
pub struct MetadataService {
    endpoint: McpHttpService,
    endpoint_path: String,
}

impl McpHttpService {
    /// The service answering the RFC 9728 metadata of this endpoint, mounted at
    /// `endpoint_path` (`/mcp`): its `resource` is the configured resource URI, or
    /// `http://<Host><endpoint_path>`.
    pub fn metadata_service(&self, endpoint_path: impl Into<String>) -> MetadataService {
        MetadataService {
            endpoint: self.clone(),
            endpoint_path: endpoint_path.into(),
        }
    }
}

impl<B> tower::Service<Request<B>> for MetadataService {
    type Response = Response<McpBody>;
    type Error = Infallible;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let response = self.answer(&request);
        Box::pin(std::future::ready(Ok(response)))
    }
}

impl MetadataService {
    fn answer<B>(&self, request: &Request<B>) -> Response<McpBody> {
        let endpoint = &self.endpoint.inner;
        let Some(auth) = &endpoint.config.auth else {
            return status_response(StatusCode::NOT_FOUND);
        };
        if request.method() != Method::GET && request.method() != Method::HEAD {
            let mut response = status_response(StatusCode::METHOD_NOT_ALLOWED);
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let resource = format!("http://{host}{}", self.endpoint_path);
        let document = auth.metadata_document(&endpoint.server, &resource);
        let mut response = json_response(StatusCode::OK, document.to_string().into_bytes());
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=300"),
        );
        response
    }
}
