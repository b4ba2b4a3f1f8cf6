//! [`Series`]: the handles of one `(method, target)` label set, registered once with
//! the recorder, and what one request's end does to them: straight through the
//! handles, or into a [`Tally`] that a Prometheus exposition syncs when it renders.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder, Unit};

use super::labels::{self, CAUSES};
use super::names;
use super::tally::{Handles, Tally};
use crate::server::{Observation, Outcome};
use crate::sync::lock;

/// The handles of one `(method, target)` label set.
pub(super) struct Series {
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
    /// Where counts gather between syncs, for a layer that records into a
    /// [`Prometheus`](super::Prometheus) exposition.
    tally: Option<Tally>,
}

impl Series {
    /// Registers the series with `recorder` (`own` is the layer's, if it has one:
    /// error counters are registered later, with it or the facade's).
    pub(super) fn register(
        recorder: &dyn Recorder,
        own: Option<Arc<dyn Recorder + Send + Sync>>,
        method: &'static str,
        target: &str,
        tallied: bool,
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
            tally: tallied.then(Tally::new),
        }
    }

    /// A request of this series has begun.
    pub(super) fn begin(&self) {
        match &self.tally {
            Some(tally) => tally.begin(),
            None => self.in_flight.increment(1.0),
        }
    }

    /// Hands a tally's counts to the handles.
    pub(super) fn sync(&self) {
        if let Some(tally) = &self.tally {
            tally.sync(Handles {
                requests: &self.requests,
                tool_errors: &self.tool_errors,
                cancelled: &self.cancelled,
                refusals: &self.refusals,
                in_flight: &self.in_flight,
                duration: &self.duration,
            });
        }
    }

    /// The error counter for `code`.
    fn error(&self, code: i32) -> Counter {
        let code = labels::code(code);
        let mut errors = lock(&self.errors);
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

impl Observation for Series {
    fn finish(&self, outcome: Outcome, elapsed: Duration) {
        if let Outcome::Error { code } = outcome {
            self.error(code).increment(1);
        }
        let elapsed = (self.timed && outcome != Outcome::Cancelled).then_some(elapsed);
        if let Some(tally) = &self.tally {
            return tally.end(outcome, elapsed);
        }
        self.in_flight.decrement(1.0);
        self.requests.increment(1);
        match outcome {
            Outcome::ToolError => self.tool_errors.increment(1),
            Outcome::Refused(kind) => self.refusals[labels::cause(kind)].increment(1),
            Outcome::Cancelled => self.cancelled.increment(1),
            _ => {}
        }
        if let Some(elapsed) = elapsed {
            self.duration.record(elapsed.as_secs_f64());
        }
    }
}

/// Runs `f` on `own` recorder, else on the facade's.
pub(super) fn on_recorder<T>(
    own: Option<&Arc<dyn Recorder + Send + Sync>>,
    f: impl FnOnce(&dyn Recorder) -> T,
) -> T {
    match own {
        Some(recorder) => f(recorder.as_ref()),
        None => metrics::with_recorder(f),
    }
}

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// Describes the series to the recorder (Prometheus prints these as `# HELP`).
pub(super) fn describe(recorder: &dyn Recorder) {
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
