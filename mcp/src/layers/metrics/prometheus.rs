//! [`Prometheus`]: a recorder from `metrics-exporter-prometheus` whose text exposition
//! a server serves at `/metrics` ([`HttpConfig::metrics`](crate::transport::http::HttpConfig::metrics))
//! or that users render and mount themselves.

use std::convert::Infallible;
use std::future::Ready;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

use super::layer::Tallied;
use super::{MetricsLayer, names};

/// The latency buckets of `mcp_server_request_duration_seconds`, in seconds: from
/// 100 µs (a synchronous tool) to a minute (a long-running one).
pub const DURATION_BUCKETS: [f64; 17] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 60.0,
];

/// The content type of the Prometheus text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How often histograms are folded into their buckets between scrapes, so that
/// memory stays flat on a server nobody scrapes.
const UPKEEP_PERIOD: Duration = Duration::from_secs(5);

/// A Prometheus recorder and its text exposition. Cheap to clone: clones share it.
///
/// ```
/// use boltmcp::layers::metrics::Prometheus;
/// use boltmcp::transport::http::HttpConfig;
/// let prometheus = Prometheus::new();
/// // Records the server's requests and serves them at GET /metrics:
/// let config = HttpConfig::new().metrics(prometheus.clone());
/// // Or render the exposition wherever you serve it:
/// let text: String = prometheus.render();
/// ```
#[derive(Clone)]
pub struct Prometheus {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    /// The layers recording into it, synced before each render.
    layers: Arc<Tallied>,
    /// The upkeep thread stops once the last clone is gone.
    _alive: Arc<()>,
}

impl std::fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prometheus").finish_non_exhaustive()
    }
}

impl Default for Prometheus {
    fn default() -> Self {
        Prometheus::new()
    }
}

impl Prometheus {
    /// A recorder with the default settings and the request-duration buckets
    /// ([`DURATION_BUCKETS`]).
    pub fn new() -> Self {
        Self::from_builder(PrometheusBuilder::new())
    }

    /// A recorder from `builder` (global labels, buckets for other histograms, idle
    /// timeouts), with [`DURATION_BUCKETS`] for the request duration.
    pub fn from_builder(builder: PrometheusBuilder) -> Self {
        let builder = builder
            .set_buckets_for_metric(Matcher::Full(names::DURATION.into()), &DURATION_BUCKETS)
            .expect("DURATION_BUCKETS is not empty");
        let recorder = Arc::new(builder.build_recorder());
        let handle = recorder.handle();
        let alive = Arc::new(());
        let layers = Arc::new(Tallied::default());
        spawn_upkeep(handle.clone(), layers.clone(), Arc::downgrade(&alive));
        Prometheus {
            recorder,
            handle,
            layers,
            _alive: alive,
        }
    }

    /// A [`MetricsLayer`] that records into this exposition. Its counts gather in
    /// per-thread tallies rather than in the recorder's shared handles, and reach
    /// those when the exposition is rendered (and every few seconds), so a request
    /// updates only its own thread's counters.
    pub fn layer(&self) -> MetricsLayer {
        MetricsLayer::tallied(self.recorder.clone(), &self.layers)
    }

    /// The recorder itself, for what records into it directly (a sandbox's series:
    /// `Sandbox::metrics`).
    pub fn recorder(&self) -> Arc<dyn metrics::Recorder + Send + Sync> {
        self.recorder.clone()
    }

    /// Makes this the `metrics` facade's global recorder, so the application's own
    /// `metrics::counter!(..)` series appear in the same exposition. Fails when a
    /// global recorder is already installed.
    pub fn install_global(&self) -> Result<(), metrics::SetRecorderError<Arc<PrometheusRecorder>>> {
        metrics::set_global_recorder(self.recorder.clone())
    }

    /// The text exposition of every series, as of now.
    pub fn render(&self) -> String {
        self.layers.sync();
        self.handle.render()
    }

    /// A tower service answering `GET` with [`render`](Self::render) (`HEAD` too;
    /// 405 otherwise), to mount at `/metrics` in a router of your own. It checks
    /// nothing: put it behind what guards your other operational endpoints.
    pub fn service(&self) -> MetricsService {
        MetricsService {
            prometheus: self.clone(),
        }
    }
}

/// Syncs the layers' tallies and folds histograms into their buckets every
/// [`UPKEEP_PERIOD`] until `alive` is gone.
fn spawn_upkeep(handle: PrometheusHandle, layers: Arc<Tallied>, alive: Weak<()>) {
    let spawned = std::thread::Builder::new()
        .name("boltmcp-metrics".into())
        .spawn(move || {
            while alive.strong_count() > 0 {
                std::thread::sleep(UPKEEP_PERIOD);
                layers.sync();
                handle.run_upkeep();
            }
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "no metrics upkeep thread: histograms are folded only when scraped");
    }
}

/// Serves a [`Prometheus`] exposition; see [`Prometheus::service`].
#[derive(Clone, Debug)]
pub struct MetricsService {
    prometheus: Prometheus,
}

impl MetricsService {
    /// The answer to `request`: the exposition for `GET` and `HEAD`, else 405.
    pub fn answer<B>(&self, request: &http::Request<B>) -> http::Response<String> {
        let method = request.method();
        if method != http::Method::GET && method != http::Method::HEAD {
            let mut response = http::Response::new(String::new());
            *response.status_mut() = http::StatusCode::METHOD_NOT_ALLOWED;
            response.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, HEAD"),
            );
            return response;
        }
        let body = match method == http::Method::HEAD {
            true => String::new(),
            false => self.prometheus.render(),
        };
        let mut response = http::Response::new(body);
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(CONTENT_TYPE),
        );
        response.headers_mut().insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-store"),
        );
        response
    }
}

impl<B> tower::Service<http::Request<B>> for MetricsService {
    type Response = http::Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        std::future::ready(Ok(self.answer(&request)))
    }
}
