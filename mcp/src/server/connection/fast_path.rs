//! The fast path of `tools/call`: a tool with a synchronous handler, on a server
//! without layers, runs inline and its result is serialised straight into the line.

use std::panic::AssertUnwindSafe;

use super::Connection;
use super::peek::Peek;
use crate::protocol::jsonrpc::{write_result, write_result_with};
use crate::protocol::{Era, ErrorObject, META_SERVER_INFO, ProtocolVersion, RequestId};
use crate::server::builder::Stack;
use crate::server::output::{SyncOutput, recycle};
use crate::server::refusal::Failure;
use crate::server::router::call::settle;
use crate::server::router::invoke::panic_message;

/// How a call on the fast path was answered.
#[derive(Debug, Default)]
pub(super) struct SyncAnswer {
    /// When the answer is an error, what failed.
    pub(super) failure: Option<Failure>,
    /// The answer is an `isError` result.
    pub(super) tool_error: bool,
}

impl Connection {
    /// The fast path of `tools/call`: a tool with a synchronous handler on a server
    /// without layers runs right here, its result serialised straight into the line.
    /// Nothing differs for the client: such a handler takes no context, so it cannot
    /// report progress, log, ask questions or be cancelled mid-way, and a panic is
    /// caught and answered exactly as on the general path.
    ///
    /// `None` when the call is not for this path; else how it was answered.
    pub(super) fn try_sync_call(
        &self,
        id: &RequestId,
        version: ProtocolVersion,
        peek: &Peek<'_>,
        out: &mut Vec<u8>,
    ) -> Option<SyncAnswer> {
        let Stack::Bare(_) = &self.server.stack else {
            return None;
        };
        if peek.request_state.is_some() || peek.input_responses.is_some() {
            return None;
        }
        let name = peek.name.as_deref()?;
        let sync = self
            .server
            .inner
            .registry
            .tools
            .sync_handler(name, version.era())?;
        if self.session.is_running(id) {
            return None;
        }
        let args = peek.arguments.unwrap_or("{}");
        let returned = std::panic::catch_unwind(AssertUnwindSafe(|| sync(args)))
            .map_err(|panic| panic_message(&panic));
        let returned = match returned {
            Ok(Ok(SyncOutput::Structured(json))) => {
                // serde_json wrote it, so it is UTF-8 JSON.
                let text = std::str::from_utf8(&json).unwrap_or("null");
                self.write_structured(out, id, version.era(), text);
                recycle(json);
                return Some(SyncAnswer::default());
            }
            other => other.map(|r| r.map(SyncOutput::into_result)),
        };
        let failed = |out: &mut Vec<u8>, failed| SyncAnswer {
            failure: Some(super::write_failed(out, Some(id), failed)),
            tool_error: false,
        };
        Some(
            match settle(&self.server.inner, version.era(), name, returned) {
                Ok(result) => match write_result(out, id, &result) {
                    Ok(()) => SyncAnswer {
                        failure: None,
                        tool_error: result.is_error == Some(true),
                    },
                    Err(err) => failed(out, (ErrorObject::internal(err), None)),
                },
                Err(error) => failed(out, error),
            },
        )
    }

    /// Writes a structured tool result whose JSON is already serialised: the text block
    /// mirrors it for clients without structured output, as the spec recommends.
    fn write_structured(&self, out: &mut Vec<u8>, id: &RequestId, era: Era, json: &str) {
        write_result_with(out, id, |out| {
            out.extend_from_slice(br#"{"content":[{"type":"text","text":"#);
            serde_json::to_writer(&mut *out, json)?;
            out.extend_from_slice(br#"}],"structuredContent":"#);
            out.extend_from_slice(json.as_bytes());
            if era == Era::Modern {
                out.extend_from_slice(br#","resultType":"complete","_meta":{""#);
                out.extend_from_slice(META_SERVER_INFO.as_bytes());
                out.extend_from_slice(br#"":"#);
                out.extend_from_slice(self.server.inner.info_text.as_bytes());
                out.push(b'}');
            }
            out.push(b'}');
            Ok(())
        });
    }
}
