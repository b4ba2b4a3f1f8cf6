//! A sandboxed tool as a worker runs it: its own handler, with each call's CPU limit
//! renewed before it runs, what it cost reported in the result's `_meta`, and its
//! scratch directory emptied after it, so one call leaves nothing to the next.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::confine::limits;
use super::entry::WorkerState;
use super::worker::META_USAGE;
use crate::server::{ToolCall, ToolDef};

/// `def` as a worker keeps it.
pub(crate) fn in_worker(mut def: ToolDef, state: &'static WorkerState) -> ToolDef {
    let handler = def.handler.clone();
    // The fast paths would skip the accounting below.
    def.sync = None;
    def.blocking = None;
    def.handler = Arc::new(move |call: ToolCall| {
        let handler = handler.clone();
        Box::pin(async move {
            if let Err(err) = limits::renew_cpu(state.policy.cpu_time) {
                tracing::warn!("could not renew the CPU limit: {err}");
            }
            let before = limits::cpu_used();
            let mut outcome = handler(call).await;
            let cpu = limits::cpu_used().saturating_sub(before);
            if let Ok(result) = &mut outcome {
                result.meta.get_or_insert_with(Default::default).insert(
                    META_USAGE.into(),
                    json!({
                        "cpuMicros": micros(cpu),
                        "peakRssBytes": limits::peak_rss(),
                    }),
                );
            }
            empty(&state.scratch);
            outcome
        })
    });
    def
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Removes everything in the scratch directory, leaving the directory.
fn empty(scratch: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let removed = match entry.file_type() {
            Ok(kind) if kind.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        if let Err(err) = removed {
            tracing::debug!(path = %path.display(), "could not clear from the scratch directory: {err}");
        }
    }
}
