//! Runs an HTTP service on hyper: HTTP/1.1 and HTTP/2 (cleartext) on each accepted
//! connection, `TCP_NODELAY` set so a response written in pieces is not held back
//! by Nagle's algorithm against the client's delayed ACK, and the client's address
//! put in each request's extensions as [`RemoteAddr`].

use std::convert::Infallible;
use std::future::Future;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::{BoxError, Service, ServiceExt};

use super::RemoteAddr;

/// Serves `service` on every connection `listener` accepts, until the process ends.
///
/// `service` is the MCP endpoint, or any tower stack around it (tower-http's CORS or
/// tracing, an auth layer that answers 401), or an axum `Router` holding it.
pub async fn serve<S, B>(listener: TcpListener, service: S) -> std::io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    serve_with_shutdown(listener, service, std::future::pending()).await
}

/// As [`serve`], until `shutdown` completes; then stops accepting, and waits for the
/// connections open to finish what they are doing.
///
/// An MCP endpoint holds streams that never finish on their own (`subscriptions/listen`,
/// a legacy session's GET stream): have `shutdown` end them with
/// [`McpHttpService::shutdown_streams`](super::McpHttpService::shutdown_streams)
/// before it completes, as [`Server::serve_http_until`](crate::server::Server::serve_http_until)
/// does, or the wait lasts as long as their clients stay.
pub async fn serve_with_shutdown<S, B>(
    listener: TcpListener,
    service: S,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    crate::transport::runtime::require_drivers(true)?;
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of descriptors, a connection reset before accept: keep serving.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(%err, "could not set TCP_NODELAY");
        }
        let service = service.clone();
        let hyper_service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(RemoteAddr(addr));
            service.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(stream), hyper_service);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, "HTTP connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}
