//! [`MetricsLayer`]: an [`Observer`] that records each request through the `metrics`
//! facade, with its handles (counters, gauge, histogram) registered once per label set
//! and kept, so a request costs a map lookup and a few atomic operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use arc_swap::ArcSwap;
use metrics::Recorder;

use super::labels::{self, OVERFLOW};
use super::series::{Series, describe, on_recorder};
use crate::server::{Observation, Observer, RequestInfo};
use crate::sync::lock;

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
    settings: Settings,
    /// The handles per method label, then target label: read without a lock.
    series: ArcSwap<SeriesByLabels>,
    /// Serialises the (rare) registration of a new label set.
    adding: Mutex<usize>,
    described: OnceLock<()>,
    /// The exposition that syncs this layer's tallies, when it records into one.
    tallied: Option<Arc<Tallied>>,
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    target_labels: bool,
    max_series: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            target_labels: true,
            max_series: DEFAULT_MAX_SERIES,
        }
    }
}

impl std::fmt::Debug for MetricsLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsLayer")
            .field("own_recorder", &self.inner.recorder.is_some())
            .field("settings", &self.inner.settings)
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
        Self::build(None, None, Settings::default())
    }

    /// Records to `recorder` rather than the facade's.
    pub fn with_recorder(recorder: Arc<dyn Recorder + Send + Sync>) -> Self {
        Self::build(Some(recorder), None, Settings::default())
    }

    /// A layer recording into `recorder` through tallies that `tallied` syncs.
    pub(super) fn tallied(
        recorder: Arc<dyn Recorder + Send + Sync>,
        tallied: &Arc<Tallied>,
    ) -> Self {
        Self::build(Some(recorder), Some(tallied.clone()), Settings::default())
    }

    fn build(
        recorder: Option<Arc<dyn Recorder + Send + Sync>>,
        tallied: Option<Arc<Tallied>>,
        settings: Settings,
    ) -> Self {
        let inner = Arc::new(Inner {
            recorder,
            settings,
            series: ArcSwap::from_pointee(empty_series()),
            adding: Mutex::new(0),
            described: OnceLock::new(),
            tallied,
        });
        if let Some(tallied) = &inner.tallied {
            tallied.add(&inner);
        }
        MetricsLayer { inner }
    }

    /// Caps the `(method, target)` label sets (default [`DEFAULT_MAX_SERIES`]); past
    /// it, a new target is recorded as `<overflow>`. For servers that register
    /// targets at runtime without bound.
    pub fn max_series(self, max: usize) -> Self {
        self.reconfigure(|settings| settings.max_series = max.max(1))
    }

    /// Leaves out the `target` label (every series has `target=""`): for servers
    /// with so many targets that per-target series cost more than they tell.
    pub fn without_target_labels(self) -> Self {
        self.reconfigure(|settings| settings.target_labels = false)
    }

    /// The same layer with other settings, and none of the series it registered.
    fn reconfigure(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings;
        change(&mut settings);
        let inner = &self.inner;
        Self::build(inner.recorder.clone(), inner.tallied.clone(), settings)
    }

    /// The handles of one label set, registered on first use.
    fn series(&self, method: (usize, &'static str), target: &str) -> Arc<Series> {
        let target = if self.inner.settings.target_labels {
            target
        } else {
            ""
        };
        if let Some(found) = self.inner.series.load()[method.0].get(target) {
            return found.clone();
        }
        self.add_series(method, target)
    }

    #[cold]
    fn add_series(&self, (at, method): (usize, &'static str), target: &str) -> Arc<Series> {
        let mut count = lock(&self.inner.adding);
        let current = self.inner.series.load_full();
        if let Some(found) = current[at].get(target) {
            return found.clone();
        }
        let target = if *count >= self.inner.settings.max_series {
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
            let tallied = self.inner.tallied.is_some();
            Series::register(recorder, own.clone(), method, target, tallied)
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

impl Observer for MetricsLayer {
    fn begin(&self, request: &RequestInfo<'_>) -> Arc<dyn Observation> {
        let series = self.series(
            labels::method(request.method),
            labels::target(request.target),
        );
        series.begin();
        series
    }
}

/// The layers whose tallies an exposition syncs before it renders.
#[derive(Default)]
pub(super) struct Tallied(Mutex<Vec<Weak<Inner>>>);

impl Tallied {
    fn add(&self, inner: &Arc<Inner>) {
        let mut layers = lock(&self.0);
        layers.retain(|layer| layer.strong_count() > 0);
        layers.push(Arc::downgrade(inner));
    }

    /// Hands every live layer's tallies to their handles.
    pub(super) fn sync(&self) {
        let layers: Vec<Arc<Inner>> = {
            let layers = lock(&self.0);
            layers.iter().filter_map(Weak::upgrade).collect()
        };
        for layer in layers {
            for method in layer.series.load().iter() {
                method.untargeted.iter().for_each(|series| series.sync());
                method.by_target.values().for_each(|series| series.sync());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::server::{Outcome, RefusalKind, Target, TargetKind, TargetMeta};
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
