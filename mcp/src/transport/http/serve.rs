//! Runs an HTTP service on hyper: HTTP/1.1 and HTTP/2 on each accepted connection
//! (cleartext, or TLS with ALPN through [`serve_tls`]), `TCP_NODELAY` set so a
//! response written in pieces is not held back by Nagle's algorithm against the
//! client's delayed ACK, and the client's address put in each request's extensions
//! as [`RemoteAddr`].

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

/// A tower service the hyper loop can serve: the MCP endpoint, any stack around it,
/// an axum `Router`. Implemented for every service with these bounds.
pub trait HttpService<B>:
    Service<Request<Incoming>, Response = Response<B>, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + 'static
{
}

impl<S, B> HttpService<B> for S where
    S: Service<
            Request<Incoming>,
            Response = Response<B>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// A response body the hyper loop can send. Implemented for every body with these
/// bounds.
pub trait ResponseBody:
    http_body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static
{
}

impl<B> ResponseBody for B where
    B: http_body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static
{
}

/// Serves `service` on every connection `listener` accepts, until the process ends.
///
/// `service` is the MCP endpoint, or any tower stack around it (tower-http's CORS or
/// tracing, an auth layer that answers 401), or an axum `Router` holding it.
pub async fn serve<S, B>(listener: TcpListener, service: S) -> std::io::Result<()>
where
    S: HttpService<B>,
    B: ResponseBody,
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
    S: HttpService<B>,
    B: ResponseBody,
{
    run(listener, service, shutdown, None).await
}

/// As [`serve_with_shutdown`], over TLS: each connection's handshake (at most
/// 10 seconds, off the accept loop) presents `tls`'s current certificate and offers
/// `h2` and `http/1.1` by ALPN. A client's certificates, when it sent any, reach the
/// service as [`PeerCertificates`](crate::transport::tls::PeerCertificates).
#[cfg(feature = "tls")]
pub async fn serve_tls<S, B>(
    listener: TcpListener,
    tls: crate::transport::tls::ServerTls,
    service: S,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: HttpService<B>,
    B: ResponseBody,
{
    run(listener, service, shutdown, Some(tls)).await
}

#[cfg(not(feature = "tls"))]
type Tls = std::convert::Infallible;
#[cfg(feature = "tls")]
type Tls = crate::transport::tls::ServerTls;

/// How long a client may take over its TLS handshake.
#[cfg(feature = "tls")]
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

async fn run<S, B>(
    listener: TcpListener,
    service: S,
    shutdown: impl Future<Output = ()>,
    tls: Option<Tls>,
) -> std::io::Result<()>
where
    S: HttpService<B>,
    B: ResponseBody,
{
    crate::transport::runtime::require_drivers(true)?;
    #[cfg(feature = "tls")]
    let acceptor = tls.map(|tls| tls.acceptor());
    #[cfg(not(feature = "tls"))]
    let _ = tls;
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
        let connection = Connection {
            service: service.clone(),
            builder: builder.clone(),
            watcher: graceful.watcher(),
            addr,
        };
        #[cfg(feature = "tls")]
        if let Some(acceptor) = &acceptor {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let stream =
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(stream)) => stream,
                        Ok(Err(err)) => return tracing::debug!(%err, %addr, "TLS handshake failed"),
                        Err(_) => return tracing::debug!(%addr, "TLS handshake timed out"),
                    };
                let peer = stream.get_ref().1.peer_certificates().map(|chain| {
                    crate::transport::tls::PeerCertificates(std::sync::Arc::new(
                        chain.iter().map(|c| c.clone().into_owned()).collect(),
                    ))
                });
                connection.serve(stream, peer).await;
            });
            continue;
        }
        tokio::spawn(connection.serve(stream, None::<()>));
    }
    graceful.shutdown().await;
    Ok(())
}

/// One accepted connection, before its first byte is read.
struct Connection<S> {
    service: S,
    builder: auto::Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    addr: std::net::SocketAddr,
}

impl<S> Connection<S> {
    /// Serves HTTP on `io` until the client leaves or the server shuts down; `peer`
    /// (the client's certificates) goes into each request's extensions.
    async fn serve<I, B, P>(self, io: I, peer: Option<P>)
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
        S: HttpService<B>,
        B: ResponseBody,
        P: Clone + Send + Sync + 'static,
    {
        let Connection {
            service,
            builder,
            watcher,
            addr,
        } = self;
        let hyper_service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(RemoteAddr(addr));
            if let Some(peer) = &peer {
                request.extensions_mut().insert(peer.clone());
            }
            service.clone().oneshot(request)
        });
        let connection = builder.serve_connection(TokioIo::new(io), hyper_service);
        if let Err(err) = watcher.watch(connection.into_owned()).await {
            tracing::debug!(%err, "HTTP connection ended with an error");
        }
    }
}
