//! [`MetricsLayer`]: an [`Observer`] that records each request through the `metrics`
//! facade, with its handles (counters, gauge, histogram) registered once per label set
//! and kept, so a request costs a map lookup and a few atomic operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder, Unit};

use super::labels::{self, CAUSES, OVERFLOW};
use super::names;
use crate::server::{Observation, Observer, Outcome, RequestInfo};

/// Series by method label (its index), then target label.
type SeriesByLabels = Vec<MethodSeries>;

/// One method's series. The one without a target is kept apart: an empty `&str`
/// compared in a map lookup can cost a hundred nanoseconds (a masked vector load of
/// the dangling pointer an empty string has, taking a microcode assist).
#[derive(Clone, Default)]
struct MethodSeries {
    untargeted: Option<Arc<Series>>,
    by_target: HashMap<Box<str>, Arc<Series>, Hasher>,
}

impl MethodSeries {
    fn get(&self, target: &str) -> Option<&Arc<Series>> {
        match target.is_empty() {
            true => self.untargeted.as_ref(),
            false => self.by_target.get(target),
        }
    }

    fn insert(&mut self, target: &str, series: Arc<Series>) {
        match target.is_empty() {
            true => self.untargeted = Some(series),
            false => {
                self.by_target.insert(target.into(), series);
            }
        }
    }
}
type Hasher = foldhash::fast::RandomState;

/// The default cap on `(method, target)` label sets.
pub const DEFAULT_MAX_SERIES: usize = 2_000;

/// Records every request a server answers, per method and per target, through the
/// [`metrics`] facade. Install it with [`Server::observe`](crate::server::Server::observe):
///
/// ```
/// use boltmcp::layers::metrics::MetricsLayer;
/// # use boltmcp::server::Server;
/// let server = Server::builder("calc", "1.0").build().observe(MetricsLayer::new());
/// ```
///
/// It records to the facade's recorder (installed with `metrics::set_global_recorder`
/// before the first request), or to the one it is given
/// ([`with_recorder`](Self::with_recorder),
/// [`Prometheus::layer`](super::Prometheus::layer)). The series are listed in the
/// [module documentation](super).
///
/// Labels are bounded: `method` is one the spec defines or `other`; `target` is a
/// registered tool, prompt, resource or template, or `<unregistered>` for a name
/// nothing answers to; past [`max_series`](Self::max_series) label sets, new targets
/// share `<overflow>`.
#[derive(Clone)]
pub struct MetricsLayer {
    inner: Arc<Inner>,
}

struct Inner {
    recorder: Option<Arc<dyn Recorder + Send + Sync>>,
    target_labels: bool,
    max_series: usize,
    /// The handles per method label, then target label: read without a lock.
    series: ArcSwap<SeriesByLabels>,
    /// Serialises the (rare) registration of a new label set.
    adding: Mutex<usize>,
    described: OnceLock<()>,
}

impl std::fmt::Debug for MetricsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsLayer")
            .field("own_recorder", &self.inner.recorder.is_some())
            .field("target_labels", &self.inner.target_labels)
            .field("max_series", &self.inner.max_series)
            .finish_non_exhaustive()
    }
}

impl Default for MetricsLayer {
    fn default() -> Self {
        MetricsLayer::new()
    }
}

impl MetricsLayer {
    /// Records to the facade's recorder (global, or thread-local where one is set).
    pub fn new() -> Self {
        Self::build(None)
    }

    /// Records to `recorder` rather than the facade's.
    pub fn with_recorder(recorder: Arc<dyn Recorder + Send + Sync>) -> Self {
        Self::build(Some(recorder))
    }

    fn build(recorder: Option<Arc<dyn Recorder + Send + Sync>>) -> Self {
        MetricsLayer {
            inner: Arc::new(Inner {
                recorder,
                target_labels: true,
                max_series: DEFAULT_MAX_SERIES,
                series: ArcSwap::from_pointee(empty_series()),
                adding: Mutex::new(0),
                described: OnceLock::new(),
            }),
        }
    }

    /// Caps the `(method, target)` label sets (default [`DEFAULT_MAX_SERIES`]); past
    /// it, a new target is recorded as `<overflow>`. For servers that register
    /// targets at runtime without bound.
    pub fn max_series(self, max: usize) -> Self {
        self.reconfigure(|inner| inner.max_series = max.max(1))
    }

    /// Leaves out the `target` label (every series has `target=""`): for servers
    /// with so many targets that per-target series cost more than they tell.
    pub fn without_target_labels(self) -> Self {
        self.reconfigure(|inner| inner.target_labels = false)
    }

    fn reconfigure(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Arc::try_unwrap(self.inner).unwrap_or_else(|shared| Inner {
            recorder: shared.recorder.clone(),
            target_labels: shared.target_labels,
            max_series: shared.max_series,
            series: ArcSwap::from_pointee(empty_series()),
            adding: Mutex::new(0),
            described: OnceLock::new(),
        });
        change(&mut inner);
        MetricsLayer {
            inner: Arc::new(inner),
        }
    }

    /// The handles of one label set, registered on first use.
    fn series(&self, method: (usize, &'static str), target: &str) -> Arc<Series> {
        let target = if self.inner.target_labels { target } else { "" };
        if let Some(found) = self.inner.series.load()[method.0].get(target) {
            return found.clone();
        }
        self.add_series(method, target)
    }

    #[cold]
    fn add_series(&self, (at, method): (usize, &'static str), target: &str) -> Arc<Series> {
        let mut count = self
            .inner
            .adding
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = self.inner.series.load_full();
        if let Some(found) = current[at].get(target) {
            return found.clone();
        }
        let target = if *count >= self.inner.max_series {
            OVERFLOW
        } else {
            target
        };
        if let Some(found) = current[at].get(target) {
            return found.clone();
        }
        let own = self.inner.recorder.clone();
        let series = on_recorder(own.as_ref(), |recorder| {
            self.inner.described.get_or_init(|| describe(recorder));
            Series::register(recorder, own.clone(), method, target)
        });
        let series = Arc::new(series);
        let mut next = (*current).clone();
        next[at].insert(target, series.clone());
        self.inner.series.store(Arc::new(next));
        *count += 1;
        series
    }
}

fn empty_series() -> SeriesByLabels {
    vec![MethodSeries::default(); labels::METHODS]
}

/// Runs `f` on `own` recorder, else on the facade's.
fn on_recorder<T>(
    own: Option<&Arc<dyn Recorder + Send + Sync>>,
    f: impl FnOnce(&dyn Recorder) -> T,
) -> T {
    match own {
        Some(recorder) => f(recorder.as_ref()),
        None => metrics::with_recorder(f),
    }
}

impl Observer for MetricsLayer {
    fn begin(&self, request: &RequestInfo<'_>) -> Arc<dyn Observation> {
        let series = self.series(
            labels::method(request.method),
            labels::target(request.target),
        );
        series.in_flight.increment(1.0);
        series
    }
}

impl Observation for Series {
    fn finish(&self, outcome: Outcome, elapsed: Duration) {
        self.in_flight.decrement(1.0);
        self.requests.increment(1);
        match outcome {
            Outcome::Result => {}
            Outcome::ToolError => self.tool_errors.increment(1),
            Outcome::Error { code } => self.error(code).increment(1),
            Outcome::Refused(kind) => self.refusals[labels::cause(kind)].increment(1),
            Outcome::Cancelled => {
                self.cancelled.increment(1);
                return;
            }
        }
        if self.timed {
            self.duration.record(elapsed.as_secs_f64());
        }
    }
}

/// The handles of one `(method, target)` label set.
struct Series {
    requests: Counter,
    tool_errors: Counter,
    cancelled: Counter,
    refusals: [Counter; CAUSES.len()],
    in_flight: Gauge,
    duration: Histogram,
    /// Errors by code, registered as codes appear (a handful at most).
    errors: Mutex<Vec<(Option<i32>, Counter)>>,
    labels: [Label; 2],
    recorder: Option<Arc<dyn Recorder + Send + Sync>>,
    /// False for requests refused before they were read: no duration worth a bucket.
    timed: bool,
}

impl Series {
    fn register(
        recorder: &dyn Recorder,
        own: Option<Arc<dyn Recorder + Send + Sync>>,
        method: &'static str,
        target: &str,
    ) -> Series {
        let labels = [
            Label::new("method", method),
            Label::new("target", target.to_owned()),
        ];
        let key = |name: &'static str| Key::from_parts(name, labels.to_vec());
        let counter = |name| recorder.register_counter(&key(name), &METADATA);
        let refusal = |cause: &'static str| {
            let mut with_cause = labels.to_vec();
            with_cause.push(Label::new("cause", cause));
            recorder.register_counter(&Key::from_parts(names::REFUSALS, with_cause), &METADATA)
        };
        Series {
            requests: counter(names::REQUESTS),
            tool_errors: counter(names::TOOL_ERRORS),
            cancelled: counter(names::CANCELLED),
            refusals: CAUSES.map(refusal),
            in_flight: recorder.register_gauge(&key(names::IN_FLIGHT), &METADATA),
            duration: recorder.register_histogram(&key(names::DURATION), &METADATA),
            errors: Mutex::new(Vec::new()),
            labels,
            recorder: own,
            timed: !method.is_empty(),
        }
    }

    /// The error counter for `code`.
    fn error(&self, code: i32) -> Counter {
        let code = labels::code(code);
        let mut errors = self
            .errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, counter)) = errors.iter().find(|(c, _)| *c == code) {
            return counter.clone();
        }
        let mut with_code = self.labels.to_vec();
        with_code.push(Label::new(
            "code",
            code.map_or_else(|| "other".to_owned(), |code| code.to_string()),
        ));
        let key = Key::from_parts(names::ERRORS, with_code);
        let counter = on_recorder(self.recorder.as_ref(), |recorder| {
            recorder.register_counter(&key, &METADATA)
        });
        errors.push((code, counter.clone()));
        counter
    }
}

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Describes the series to the recorder (Prometheus prints these as `# HELP`).
fn describe(recorder: &dyn Recorder) {
    let counters = [
        (
            names::REQUESTS,
            "MCP requests answered or abandoned, per method and target",
        ),
        (
            names::TOOL_ERRORS,
            "tools/call results with isError (failed, panicked or timed out)",
        ),
        (
            names::ERRORS,
            "requests answered with a JSON-RPC error, by code",
        ),
        (
            names::REFUSALS,
            "requests refused before they ran, by cause (auth, scope, rate_limit)",
        ),
        (
            names::CANCELLED,
            "requests the client cancelled or walked away from",
        ),
    ];
    for (name, help) in counters {
        recorder.describe_counter(KeyName::from_const_str(name), None, help.into());
    }
    recorder.describe_gauge(
        KeyName::from_const_str(names::IN_FLIGHT),
        None,
        "requests running now".into(),
    );
    recorder.describe_histogram(
        KeyName::from_const_str(names::DURATION),
        Some(Unit::Seconds),
        "time from a request's arrival to its answer".into(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{RefusalKind, Target, TargetKind, TargetMeta};
    use metrics_exporter_prometheus::PrometheusBuilder;

    fn request<'a>(method: &'a str, target: Option<&'a Target>) -> RequestInfo<'a> {
        RequestInfo {
            method: Some(method),
            target,
            era: None,
        }
    }

    #[test]
    fn without_a_recorder_of_its_own_it_records_to_the_facade() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let layer = MetricsLayer::new();
        let tool = Target::new(
            TargetKind::Tool,
            "add".into(),
            Some(Arc::new(TargetMeta::default())),
        );
        metrics::with_local_recorder(&recorder, || {
            layer
                .begin(&request("tools/call", Some(&tool)))
                .finish(Outcome::Result, Duration::ZERO);
            layer
                .begin(&request("tools/call", Some(&tool)))
                .finish(Outcome::Refused(RefusalKind::RateLimited), Duration::ZERO);
            layer
                .begin(&request("tools/call", Some(&tool)))
                .finish(Outcome::Error { code: 42 }, Duration::ZERO);
        });
        let text = recorder.handle().render();
        assert!(
            text.contains(r#"mcp_server_requests_total{method="tools/call",target="add"} 3"#),
            "{text}"
        );
        assert!(text.contains(
            r#"mcp_server_refusals_total{method="tools/call",target="add",cause="rate_limit"} 1"#
        ));
        assert!(
            text.contains(
                r#"mcp_server_errors_total{method="tools/call",target="add",code="other"} 1"#
            ),
            "an application's own code is not a label: {text}"
        );
    }

    #[test]
    fn unknown_methods_and_unregistered_targets_are_not_labels() {
        let recorder = Arc::new(PrometheusBuilder::new().build_recorder());
        let layer = MetricsLayer::with_recorder(recorder.clone());
        let stranger = Target::new(TargetKind::Prompt, "whatever".into(), None);
        layer
            .begin(&request("vendor/custom", Some(&stranger)))
            .finish(Outcome::Error { code: -32601 }, Duration::ZERO);
        let text = recorder.handle().render();
        assert!(
            text.contains(
                r#"mcp_server_errors_total{method="other",target="<unregistered>",code="-32601"} 1"#
            ),
            "{text}"
        );
        assert!(!text.contains("vendor/custom") && !text.contains("whatever"));
    }
}
