//! The tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) for 2026-07-28
//! clients that declare it: a call the server chooses to run in the background is
//! answered at once with a task handle; the client polls `tasks/get`, answers the
//! task's questions with `tasks/update`, and may `tasks/cancel` it.
//!
//! Tasks live in one store per server, not per connection (a 2026-07-28 client has
//! none), under unguessable ids. Once its `ttlMs` runs out a task is gone for
//! `tasks/get`; it is cancelled and its entry dropped when the next task is created
//! (there is no timer: the store works on runtimes without a time driver, so a
//! server that stops creating tasks keeps the expired ones until it does). A task's questions are
//! the same calls a handler makes anywhere (`ctx.elicit`, `ctx.sample`, …): inside a
//! task they park it in `input_required` until `tasks/update` brings the answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::protocol::{ErrorObject, JsonObject};
use crate::sync::lock;

/// The extension's identifier, in capabilities.
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// The -32021 a client that did not declare the extension gets where it is needed.
pub(crate) fn extension_required() -> ErrorObject {
    ErrorObject::missing_client_capability(json!({ "extensions": { TASKS_EXTENSION: {} } }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Working,
    InputRequired,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Working => "working",
            Status::InputRequired => "input_required",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    fn is_terminal(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Cancelled)
    }
}

/// A question the task waits on: what was asked, and where the answer goes.
#[derive(Debug)]
struct Question {
    request: Value,
    answer: oneshot::Sender<Value>,
}

#[derive(Debug)]
struct State {
    status: Status,
    updated_at: SystemTime,
    result: Option<Value>,
    error: Option<ErrorObject>,
    /// Open questions, in the order asked.
    questions: Vec<(String, Question)>,
}

/// One task.
#[derive(Debug)]
pub(crate) struct TaskEntry {
    id: String,
    /// The tool the task runs, shown to layers on `tasks/*`.
    target: Option<super::Target>,
    /// The [`Principal::id`](super::Principal::id) of its creator; only it may see,
    /// answer or cancel the task.
    owner: Option<Arc<str>>,
    created_at: SystemTime,
    expires: Instant,
    ttl: Duration,
    poll_interval: Duration,
    cancel: CancellationToken,
    state: Mutex<State>,
}

impl TaskEntry {
    /// The tool the task runs.
    pub(crate) fn target(&self) -> Option<&super::Target> {
        self.target.as_ref()
    }

    /// True when the caller with this principal id (`None`: no verified caller) may
    /// use the task: its creator, or anyone when it was created without one.
    pub(crate) fn belongs_to(&self, caller: Option<&str>) -> bool {
        match &self.owner {
            None => true,
            Some(owner) => caller == Some(&**owner),
        }
    }

    pub(crate) fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    fn envelope(&self, state: &State, result_type: &str) -> JsonObject {
        let mut out = Map::new();
        out.insert("resultType".into(), result_type.into());
        out.insert("taskId".into(), self.id.clone().into());
        out.insert("status".into(), state.status.as_str().into());
        out.insert("createdAt".into(), iso8601(self.created_at).into());
        out.insert("lastUpdatedAt".into(), iso8601(state.updated_at).into());
        out.insert("ttlMs".into(), (self.ttl.as_millis() as u64).into());
        out.insert(
            "pollIntervalMs".into(),
            (self.poll_interval.as_millis() as u64).into(),
        );
        out
    }

    /// The `CreateTaskResult` a call is answered with: the task, flat, and nothing of
    /// its outcome.
    pub(crate) fn created(&self) -> Value {
        Value::Object(self.envelope(&lock(&self.state), "task"))
    }

    /// The `tasks/get` result: the task with its outcome or its open questions.
    pub(crate) fn detailed(&self) -> Value {
        let state = lock(&self.state);
        let mut out = self.envelope(&state, "complete");
        match state.status {
            Status::Completed => {
                if let Some(result) = &state.result {
                    out.insert("result".into(), result.clone());
                }
            }
            Status::Failed => {
                if let Some(error) = &state.error {
                    out.insert("statusMessage".into(), error.message.clone().into());
                    out.insert(
                        "error".into(),
                        serde_json::to_value(error).unwrap_or(Value::Null),
                    );
                }
            }
            Status::InputRequired => {
                let requests: JsonObject = state
                    .questions
                    .iter()
                    .map(|(key, q)| (key.clone(), q.request.clone()))
                    .collect();
                out.insert("inputRequests".into(), Value::Object(requests));
            }
            Status::Working | Status::Cancelled => {}
        }
        Value::Object(out)
    }

    /// Parks the task on a question until `tasks/update` answers it; `None` when the
    /// task is cancelled first.
    pub(crate) async fn ask(&self, key: String, request: Value) -> Option<Value> {
        let (tx, rx) = oneshot::channel();
        {
            let mut state = lock(&self.state);
            if state.status.is_terminal() {
                return None;
            }
            state.questions.retain(|(k, _)| *k != key);
            state.questions.push((
                key,
                Question {
                    request,
                    answer: tx,
                },
            ));
            state.status = Status::InputRequired;
            state.updated_at = SystemTime::now();
        }
        tokio::select! {
            answer = rx => answer.ok(),
            () = self.cancel.cancelled() => None,
        }
    }

    /// Delivers answers to open questions; keys the task is not waiting on are
    /// ignored. The answered questions are gone before this returns.
    pub(crate) fn answer(&self, responses: JsonObject) {
        let mut state = lock(&self.state);
        for (key, value) in responses {
            if let Some(at) = state.questions.iter().position(|(k, _)| *k == key) {
                let (_, question) = state.questions.remove(at);
                let _ = question.answer.send(value);
            }
        }
        if state.status == Status::InputRequired && state.questions.is_empty() {
            state.status = Status::Working;
            state.updated_at = SystemTime::now();
        }
    }

    /// Cancels a task still running; a finished task stays as it is.
    pub(crate) fn cancel(&self) {
        let mut state = lock(&self.state);
        if state.status.is_terminal() {
            return;
        }
        state.status = Status::Cancelled;
        state.questions.clear();
        state.updated_at = SystemTime::now();
        drop(state);
        self.cancel.cancel();
    }

    /// Records the outcome, unless the task was cancelled meanwhile.
    pub(crate) fn finish(&self, outcome: Result<Value, ErrorObject>) {
        let mut state = lock(&self.state);
        if state.status.is_terminal() {
            return;
        }
        match outcome {
            Ok(result) => {
                state.status = Status::Completed;
                state.result = Some(result);
            }
            Err(error) => {
                state.status = Status::Failed;
                state.error = Some(error);
            }
        }
        state.questions.clear();
        state.updated_at = SystemTime::now();
    }
}

/// How long tasks are kept and how often clients are asked to poll.
#[derive(Debug, Clone, Copy)]
pub struct TaskConfig {
    /// How long a task is kept after it is created (`ttlMs`).
    pub ttl: Duration,
    /// The polling interval suggested to clients (`pollIntervalMs`).
    pub poll_interval: Duration,
}

impl Default for TaskConfig {
    /// Tasks kept for an hour; clients asked to poll every half second.
    fn default() -> Self {
        TaskConfig {
            ttl: Duration::from_secs(3600),
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// Every task of one server.
#[derive(Debug)]
pub(crate) struct TaskStore {
    config: TaskConfig,
    tasks: Mutex<HashMap<String, Arc<TaskEntry>>>,
    random: SystemRandom,
}

impl TaskStore {
    pub(crate) fn new(config: TaskConfig) -> Self {
        TaskStore {
            config,
            tasks: Mutex::new(HashMap::new()),
            random: SystemRandom::new(),
        }
    }

    /// A new working task, stored (and so visible to `tasks/get`) before its id is
    /// handed out. Expired tasks are dropped on the way.
    pub(crate) fn create(
        &self,
        target: Option<super::Target>,
        owner: Option<Arc<str>>,
    ) -> Result<Arc<TaskEntry>, ErrorObject> {
        let id = unguessable_id(&self.random)
            .ok_or_else(|| ErrorObject::internal("no randomness for a task id"))?;
        let now = SystemTime::now();
        let entry = Arc::new(TaskEntry {
            id: id.clone(),
            target,
            owner,
            created_at: now,
            expires: Instant::now() + self.config.ttl,
            ttl: self.config.ttl,
            poll_interval: self.config.poll_interval,
            cancel: CancellationToken::new(),
            state: Mutex::new(State {
                status: Status::Working,
                updated_at: now,
                result: None,
                error: None,
                questions: Vec::new(),
            }),
        });
        let mut tasks = lock(&self.tasks);
        let now = Instant::now();
        tasks.retain(|_, task| {
            let keep = task.expires > now;
            if !keep {
                task.cancel.cancel();
            }
            keep
        });
        tasks.insert(id, entry.clone());
        Ok(entry)
    }

    /// The live task `id`.
    pub(crate) fn get(&self, id: &str) -> Option<Arc<TaskEntry>> {
        let task = lock(&self.tasks).get(id).cloned()?;
        (task.expires > Instant::now()).then_some(task)
    }
}

/// True when this request's client capabilities declare the tasks extension.
pub(crate) fn declares_tasks(req_caps: Option<&crate::protocol::ClientCapabilities>) -> bool {
    req_caps
        .and_then(|caps| caps.extensions.as_ref())
        .is_some_and(|extensions| extensions.contains_key(TASKS_EXTENSION))
}

/// 128 random bits as 32 lowercase hex digits, for ids a client must not be able to
/// guess (tasks here, HTTP sessions); `None` when the system has no randomness.
pub(crate) fn unguessable_id(random: &SystemRandom) -> Option<String> {
    let mut bytes = [0u8; 16];
    random.fill(&mut bytes).ok()?;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(32);
    for b in bytes {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    Some(id)
}

/// `time` as an RFC 3339 UTC timestamp with milliseconds.
fn iso8601(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level
    // Date Algorithms").
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_32_lowercase_hex_digits_and_differ() {
        let random = SystemRandom::new();
        let (a, b) = (
            unguessable_id(&random).expect("randomness"),
            unguessable_id(&random).expect("randomness"),
        );
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "{a}"
        );
        assert_ne!(a, b);
    }

    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let at = |secs: u64, millis: u64| UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis);
        assert_eq!(iso8601(at(0, 0)), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(at(951_782_400, 5)), "2000-02-29T00:00:00.005Z");
        assert_eq!(
            iso8601(at(1_795_478_400 + 3_723, 999)),
            "2026-11-24T01:02:03.999Z"
        );
    }

    #[tokio::test]
    async fn a_question_parks_the_task_until_answered() {
        let store = TaskStore::new(TaskConfig::default());
        let task = store.create(None, None).expect("created");
        assert_eq!(task.created()["resultType"], "task");
        assert!(task.created().get("result").is_none());
        let asker = task.clone();
        let asked =
            tokio::spawn(
                async move { asker.ask("k".into(), json!({"method": "roots/list"})).await },
            );
        while task.detailed()["status"] != "input_required" {
            tokio::task::yield_now().await;
        }
        assert_eq!(
            task.detailed()["inputRequests"]["k"]["method"],
            "roots/list"
        );
        let mut answers = JsonObject::new();
        answers.insert("k".into(), json!({"roots": []}));
        answers.insert("stray".into(), json!(1));
        task.answer(answers);
        assert_eq!(task.detailed()["status"], "working");
        assert_eq!(asked.await.expect("joined"), Some(json!({"roots": []})));
        task.finish(Ok(json!({"content": []})));
        assert_eq!(task.detailed()["status"], "completed");
        task.cancel();
        assert_eq!(
            task.detailed()["status"],
            "completed",
            "a finished task stays finished"
        );
        let id = task.detailed()["taskId"].as_str().map(str::to_owned);
        assert!(store.get(id.as_deref().unwrap_or_default()).is_some());
    }

    #[tokio::test]
    async fn cancelling_releases_a_parked_question() {
        let store = TaskStore::new(TaskConfig::default());
        let task = store.create(None, None).expect("created");
        let asker = task.clone();
        let asked = tokio::spawn(async move { asker.ask("k".into(), json!({})).await });
        while task.detailed()["status"] != "input_required" {
            tokio::task::yield_now().await;
        }
        task.cancel();
        assert_eq!(asked.await.expect("joined"), None);
        assert_eq!(task.detailed()["status"], "cancelled");
        assert!(task.detailed().get("inputRequests").is_none());
    }
}
